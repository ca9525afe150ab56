package io.switchboard.mqtt.internal.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttDecoder;
import io.netty.handler.codec.mqtt.MqttEncoder;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageIdVariableHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttPubReplyMessageVariableHeader;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttSubscriptionOption;
import io.netty.handler.codec.mqtt.MqttVersion;
import io.netty.util.AttributeKey;

/**
 * An MQTT client for tests, on a real socket: sends Netty MQTT messages (or raw bytes) and queues
 * what the server sends. PUBLISH payloads are copied so nothing needs releasing.
 */
final class TestClient implements AutoCloseable {

    /** A received packet; {@code payload} for PUBLISH. */
    record Packet(MqttMessage message, byte[] payload) {

        MqttMessageType type() {
            return message.fixedHeader().messageType();
        }

        MqttPublishMessage publish() {
            return (MqttPublishMessage) message;
        }

        String text() {
            return new String(payload, StandardCharsets.UTF_8);
        }

        int packetId() {
            return ((MqttMessageIdVariableHeader) message.variableHeader()).messageId();
        }

        int reasonCode() {
            if (message.variableHeader() instanceof MqttPubReplyMessageVariableHeader r) {
                return r.reasonCode() & 0xFF;
            }
            if (message.variableHeader() instanceof io.netty.handler.codec.mqtt.MqttReasonCodeAndPropertiesVariableHeader r) {
                return r.reasonCode() & 0xFF;
            }
            if (message instanceof MqttConnAckMessage c) {
                return c.variableHeader().connectReturnCode().byteValue() & 0xFF;
            }
            throw new IllegalStateException("no reason code in " + message);
        }

        MqttProperties properties() {
            Object h = message.variableHeader();
            if (h instanceof io.netty.handler.codec.mqtt.MqttPublishVariableHeader p) {
                return p.properties();
            }
            if (h instanceof MqttPubReplyMessageVariableHeader p) {
                return p.properties();
            }
            if (h instanceof io.netty.handler.codec.mqtt.MqttReasonCodeAndPropertiesVariableHeader p) {
                return p.properties();
            }
            if (h instanceof io.netty.handler.codec.mqtt.MqttConnAckVariableHeader p) {
                return p.properties();
            }
            if (h instanceof io.netty.handler.codec.mqtt.MqttMessageIdAndPropertiesVariableHeader p) {
                return p.properties();
            }
            return MqttProperties.NO_PROPERTIES;
        }

        Object property(int id) {
            MqttProperties.MqttProperty<?> p = properties().getProperty(id);
            return p == null ? null : p.value();
        }
    }

    static final long WAIT_MS = 5000;
    private static final AttributeKey<MqttVersion> CODEC_VERSION = AttributeKey.valueOf("NETTY_CODEC_MQTT_VERSION");

    private final Channel channel;
    final BlockingQueue<Packet> received;

    private TestClient(Channel channel, BlockingQueue<Packet> received) {
        this.channel = channel;
        this.received = received;
    }

    static TestClient connect(EventLoopGroup group, int port) {
        BlockingQueue<Packet> queue = new LinkedBlockingQueue<>();
        Channel ch = new Bootstrap().group(group).channel(NioSocketChannel.class)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel c) {
                        c.pipeline().addLast(new MqttDecoder(1 << 24), MqttEncoder.INSTANCE,
                                new SimpleChannelInboundHandler<MqttMessage>() {
                                    @Override
                                    protected void channelRead0(ChannelHandlerContext ctx, MqttMessage m) {
                                        byte[] payload = null;
                                        if (m instanceof MqttPublishMessage p) {
                                            payload = ByteBufUtil.getBytes(p.content());
                                            m = new MqttPublishMessage(p.fixedHeader(), p.variableHeader(),
                                                    Unpooled.EMPTY_BUFFER);
                                        }
                                        queue.add(new Packet(m, payload));
                                    }
                                });
                    }
                }).connect("127.0.0.1", port).syncUninterruptibly().channel();
        return new TestClient(ch, queue);
    }

    /** Sends {@code m} (CONNECT sets the client codec's version). */
    TestClient send(MqttMessage m) {
        channel.writeAndFlush(m).syncUninterruptibly();
        return this;
    }

    /** Queues {@code m} without waiting for the socket (see {@link #flush()}). */
    TestClient write(MqttMessage m) {
        channel.write(m);
        return this;
    }

    TestClient flush() {
        channel.flush();
        return this;
    }

    /** Sends raw bytes; the client codec decodes answers as {@code version}. */
    TestClient sendRaw(MqttVersion version, byte... bytes) {
        channel.attr(CODEC_VERSION).set(version);
        channel.writeAndFlush(Unpooled.wrappedBuffer(bytes)).syncUninterruptibly();
        return this;
    }

    /** The next packet, or fails after {@link #WAIT_MS}. */
    Packet next() {
        try {
            Packet p = received.poll(WAIT_MS, TimeUnit.MILLISECONDS);
            assertThat(p).as("a packet from the server within " + WAIT_MS + " ms").isNotNull();
            return p;
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    /** The next packet, which must be of {@code type}. */
    Packet expect(MqttMessageType type) {
        Packet p = next();
        assertThat(p.type()).as("packet " + p.message()).isEqualTo(type);
        return p;
    }

    /** Asserts that nothing arrives for {@code millis}. */
    void expectNothing(long millis) {
        try {
            Packet p = received.poll(millis, TimeUnit.MILLISECONDS);
            assertThat(p).as("no packet expected").isNull();
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    /** Waits until the server closed the connection. */
    void expectClosed() {
        assertThat(channel.closeFuture().awaitUninterruptibly(WAIT_MS)).as("connection closed by the server").isTrue();
    }

    boolean isOpen() {
        return channel.isActive();
    }

    // ---- packet helpers

    static MqttMessageBuilders.ConnectBuilder connectBuilder(MqttVersion version, String clientId, boolean clean) {
        return MqttMessageBuilders.connect().protocolVersion(version).clientId(clientId).cleanSession(clean).keepAlive(60);
    }

    /** CONNECT and expect a successful CONNACK. */
    Packet connect(MqttVersion version, String clientId, boolean clean) {
        return connect(connectBuilder(version, clientId, clean).build());
    }

    Packet connect(MqttMessage connect) {
        send(connect);
        Packet ack = expect(MqttMessageType.CONNACK);
        assertThat(ack.reasonCode()).as("CONNACK code").isZero();
        return ack;
    }

    TestClient publish(String topic, int qos, int packetId, String payload) {
        return publish(topic, qos, packetId, payload, false, MqttProperties.NO_PROPERTIES);
    }

    TestClient publish(String topic, int qos, int packetId, String payload, boolean retain, MqttProperties properties) {
        return send(MqttMessageBuilders.publish().topicName(topic).qos(MqttQoS.valueOf(qos)).messageId(packetId)
                .retained(retain).payload(Unpooled.copiedBuffer(payload, StandardCharsets.UTF_8)).properties(properties)
                .build());
    }

    TestClient subscribe(int packetId, String filter, int qos) {
        return send(MqttMessageBuilders.subscribe().messageId(packetId).addSubscription(MqttQoS.valueOf(qos), filter).build());
    }

    TestClient subscribe(int packetId, String filter, MqttSubscriptionOption option, MqttProperties properties) {
        return send(MqttMessageBuilders.subscribe().messageId(packetId).addSubscription(filter, option)
                .properties(properties).build());
    }

    /** PUBACK, PUBREC, PUBREL or PUBCOMP. */
    TestClient reply(MqttMessageType type, int packetId, int code) {
        MqttQoS qos = type == MqttMessageType.PUBREL ? MqttQoS.AT_LEAST_ONCE : MqttQoS.AT_MOST_ONCE;
        return send(new MqttMessage(new MqttFixedHeader(type, false, qos, false, 0),
                new MqttPubReplyMessageVariableHeader(packetId, (byte) code, MqttProperties.NO_PROPERTIES)));
    }

    TestClient disconnect() {
        return send(MqttMessage.DISCONNECT);
    }

    @Override
    public void close() {
        channel.close().syncUninterruptibly();
    }
}
