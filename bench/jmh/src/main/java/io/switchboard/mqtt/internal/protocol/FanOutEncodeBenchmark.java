package io.switchboard.mqtt.internal.protocol;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.mqtt.MqttEncoder;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttPublishVariableHeader;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttVersion;
import io.netty.util.AttributeKey;
import io.switchboard.api.Message;
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
 * One QoS 0 or 1 message (64-byte payload) written to {@value #SUBSCRIBERS} subscribers of the same form on one event
 * loop, as {@code OutboundPublishFlow.send} prepares each packet: {@code perSubscriber} as before issue 15's fan-out
 * change (MQTT 5 properties, size check, a Netty {@code MqttPublishMessage} through {@code MqttEncoder} for each),
 * {@code encodedOnce} as now ({@link RecentEncodings} finds the message's encoding, made by {@link PublishEncoding}
 * for the first subscriber, and each subscriber gets a pooled copy). The socket writes are not part of it.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
public class FanOutEncodeBenchmark {

    static final int SUBSCRIBERS = 100;
    static final String TOPIC = "bench/run/0";

    @Param({"3.1.1", "5"})
    public String mqtt;

    /** QoS 1: each subscriber's packet has its own packet id (patched into the copy). */
    @Param({"0", "1"})
    public int qos;

    private boolean v5;
    private EmbeddedChannel channel;
    private ChannelPipeline pipeline;
    private ByteBufAllocator allocator;
    private final RecentEncodings recent = new RecentEncodings();
    private final byte[] payload = "p".repeat(64).getBytes(StandardCharsets.US_ASCII);
    private final List<Integer> subscriptionIds = List.of();
    private long nextId = 1;
    private Object written;

    @Setup
    public void setUp() {
        v5 = mqtt.equals("5");
        channel = new EmbeddedChannel();
        channel.attr(AttributeKey.<MqttVersion>valueOf("NETTY_CODEC_MQTT_VERSION"))
                .set(v5 ? MqttVersion.MQTT_5 : MqttVersion.MQTT_3_1_1);
        pipeline = channel.pipeline();
        allocator = channel.alloc();
        pipeline.addLast("capture", new ChannelOutboundHandlerAdapter() {
            @Override
            public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
                written = msg;
            }
        });
        pipeline.addLast("encoder", MqttEncoder.INSTANCE);
    }

    @TearDown
    public void tearDown() {
        channel.finishAndReleaseAll();
    }

    private Message next() {
        return Message.builder(TOPIC).id(nextId++).qos(qos).payload(payload).build();
    }

    /** Subscriber {@code i}'s packet id for the message (0 at QoS 0). */
    private int packetId(int i) {
        return qos == 0 ? 0 : i + 1;
    }

    @Benchmark
    public long perSubscriber() {
        Message m = next();
        long bytes = 0;
        for (int i = 0; i < SUBSCRIBERS; i++) {
            MqttProperties props = v5 ? MessageProperties.forDelivery(m, null, subscriptionIds, null,
                    MessageProperties.remainingExpiry(m, 0)) : MqttProperties.NO_PROPERTIES;
            bytes += PacketSizes.publish(TOPIC, qos, props, v5, m.payloadSize());
            MqttPublishMessage publish = new MqttPublishMessage(
                    new MqttFixedHeader(MqttMessageType.PUBLISH, false, MqttQoS.valueOf(qos), false, 0),
                    new MqttPublishVariableHeader(TOPIC, packetId(i), props), Unpooled.wrappedBuffer(m.payload()));
            pipeline.write(publish, channel.voidPromise());
            ByteBuf out = (ByteBuf) written;
            bytes += out.readableBytes();
            out.release();
        }
        return bytes;
    }

    @Benchmark
    public long encodedOnce() {
        Message m = next();
        long bytes = 0;
        for (int i = 0; i < SUBSCRIBERS; i++) {
            PublishEncoding encoding = recent.find(m, v5, true, 0, subscriptionIds, null, false, 0);
            if (encoding == null) {
                MqttProperties props = v5 ? MessageProperties.forDelivery(m, null, subscriptionIds, null, 0)
                        : MqttProperties.NO_PROPERTIES;
                bytes += PacketSizes.publish(TOPIC, qos, props, v5, m.payloadSize());
                encoding = PublishEncoding.of(v5, false, qos, false, TOPIC, packetId(i), props, m.payload());
                recent.keep(m, v5, true, 0, subscriptionIds, null, false, 0, encoding);
            }
            ByteBuf out = allocator.buffer(encoding.size());
            encoding.copyTo(out, packetId(i), false);
            bytes += out.readableBytes();
            out.release();
        }
        return bytes;
    }
}
