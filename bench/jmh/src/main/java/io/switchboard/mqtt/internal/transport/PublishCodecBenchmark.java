package io.switchboard.mqtt.internal.transport;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.mqtt.MqttDecoder;
import io.netty.handler.codec.mqtt.MqttEncoder;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttPublishVariableHeader;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttVersion;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Encoding and decoding one QoS 1 PUBLISH with a 64-byte payload, in MQTT 3.1.1 and 5.0, through the
 * codec handlers the broker puts in each connection's pipeline ({@code MqttProtocol.addProtocolHandlers}:
 * {@code new MqttDecoder(maxPacketSize, 65535, true)} and {@code MqttEncoder.INSTANCE}), with the
 * channel's default (pooled) allocator as on a server channel. The pipeline's other handlers (flush
 * consolidation, protocol sniffer, idle timer, connection handler) are not part of this measurement.
 *
 * <p>The handlers sit in an {@link EmbeddedChannel} between two capturing handlers, and the benchmark
 * fires events into the pipeline directly: that is the path a socket read and a handler's write take
 * through the codec, without the embedded channel's own message queues, whose cost a server channel does
 * not have. The protocol version is set the broker's way: by decoding the client's CONNECT.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
public class PublishCodecBenchmark {

    static final String TOPIC = "site/7/device/42/temp";
    static final int PAYLOAD_SIZE = 64;
    /**
     * The user property carrying the broker's message id (ProtocolSettings' message id property), on the MQTT 5
     * deliveries to a client that asked for it: the benchmark encodes that, the larger case.
     */
    static final String MESSAGE_ID_PROPERTY = "sb-message-id";

    @Param({"3.1.1", "5"})
    public String mqtt;

    private EmbeddedChannel channel;
    private ChannelPipeline pipeline;
    private ByteBufAllocator allocator;
    private final Captured captured = new Captured();
    private final byte[] payload = "p".repeat(PAYLOAD_SIZE).getBytes(StandardCharsets.US_ASCII);
    private MqttProperties deliveryProperties;
    /** The PUBLISH on the wire, as a client sends it (what decode reads). */
    private byte[] wirePublish;

    @Setup
    public void setUp() {
        MqttVersion version = switch (mqtt) {
            case "3.1.1" -> MqttVersion.MQTT_3_1_1;
            case "5" -> MqttVersion.MQTT_5;
            default -> throw new IllegalArgumentException("mqtt must be 3.1.1 or 5, was " + mqtt);
        };
        channel = new EmbeddedChannel();
        pipeline = channel.pipeline();
        allocator = channel.alloc();
        // outbound events go tail to head: the encoder's output reaches the capture; inbound the other way
        pipeline.addLast("capture-out", captured.outbound);
        pipeline.addLast("decoder", new MqttDecoder(ListenerSettings.DEFAULT_MAX_PACKET_SIZE, 65535, true));
        pipeline.addLast("encoder", MqttEncoder.INSTANCE);
        pipeline.addLast("capture-in", captured.inbound);

        MqttMessage connect = MqttMessageBuilders.connect().clientId("bench").protocolVersion(version).cleanSession(true)
                .keepAlive(60).build();
        EmbeddedChannel client = new EmbeddedChannel(MqttEncoder.INSTANCE);
        client.writeOutbound(connect);
        ByteBuf connectBytes = client.readOutbound();
        client.finishAndReleaseAll();
        MqttMessage decodedConnect = read(connectBytes);
        if (decodedConnect.decoderResult().isFailure()) {
            throw new IllegalStateException("CONNECT not decoded", decodedConnect.decoderResult().cause());
        }

        if (version == MqttVersion.MQTT_5) {
            // MessageProperties.forDelivery for a plain message to a client that asked for message ids
            MqttProperties.UserProperties user = new MqttProperties.UserProperties();
            user.add(MESSAGE_ID_PROPERTY, Long.toString(1_234_567_890_123L));
            deliveryProperties = new MqttProperties();
            deliveryProperties.add(user);
        } else {
            deliveryProperties = MqttProperties.NO_PROPERTIES;
        }
        ByteBuf encoded = encode();
        wirePublish = ByteBufUtil.getBytes(encoded);
        encoded.release();
        MqttPublishMessage decoded = (MqttPublishMessage) read(allocator.ioBuffer(wirePublish.length).writeBytes(wirePublish));
        boolean same = decoded.decoderResult().isSuccess() && decoded.variableHeader().topicName().equals(TOPIC)
                && decoded.payload().readableBytes() == PAYLOAD_SIZE;
        decoded.release();
        if (!same) {
            throw new IllegalStateException("PUBLISH did not survive encode and decode: " + decoded);
        }
    }

    @TearDown
    public void tearDown() {
        channel.finishAndReleaseAll();
    }

    /** A delivery as OutboundPublishFlow.send builds and writes it; the caller releases the bytes. */
    private ByteBuf encode() {
        MqttPublishMessage publish = new MqttPublishMessage(
                new MqttFixedHeader(MqttMessageType.PUBLISH, false, MqttQoS.AT_LEAST_ONCE, false, 0),
                new MqttPublishVariableHeader(TOPIC, 1, deliveryProperties), Unpooled.wrappedBuffer(payload));
        pipeline.write(publish, channel.voidPromise()); // the encoder releases the message
        ByteBuf out = (ByteBuf) captured.written;
        captured.written = null;
        return out;
    }

    /** One read as the event loop does it: the bytes, then the read-complete; returns the decoded packet. */
    private MqttMessage read(ByteBuf bytes) {
        pipeline.fireChannelRead(bytes);
        pipeline.fireChannelReadComplete();
        MqttMessage in = (MqttMessage) captured.read;
        captured.read = null;
        return in;
    }

    @Benchmark
    public int encodePublish() {
        ByteBuf out = encode();
        int size = out.readableBytes();
        out.release();
        return size;
    }

    @Benchmark
    public int decodePublish() {
        // a socket read lands in a pooled I/O buffer of the channel's allocator
        MqttPublishMessage in = (MqttPublishMessage) read(allocator.ioBuffer(wirePublish.length).writeBytes(wirePublish));
        int size = in.payload().readableBytes() + in.variableHeader().topicName().length();
        in.release();
        return size;
    }

    /** The two ends of the pipeline, keeping what reaches them instead of passing it on. */
    private static final class Captured {
        Object written;
        Object read;

        final ChannelOutboundHandlerAdapter outbound = new ChannelOutboundHandlerAdapter() {
            @Override
            public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
                written = msg;
            }
        };

        final ChannelInboundHandlerAdapter inbound = new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                read = msg;
            }

            @Override
            public void channelReadComplete(ChannelHandlerContext ctx) {
                // the end of the line: nothing after the protocol handler
            }
        };
    }
}
