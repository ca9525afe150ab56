package io.switchboard.mqtt.internal.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A PUBLISH encoded once for many subscribers is byte for byte what Netty's encoder wrote for each subscriber
 * before: both protocol versions, every QoS, retain and DUP, topic aliases, subscription identifiers, the message id
 * user property, expiry, and Remaining Lengths of 1 to 3 bytes; and a copy with another packet id and DUP flag is
 * that packet's encoding.
 */
class PublishEncodingTest {

    private static byte[] nettys(MqttVersion version, boolean dup, int qos, boolean retain, String topic, int packetId,
            MqttProperties props, byte[] payload) {
        EmbeddedChannel channel = new EmbeddedChannel(MqttEncoder.INSTANCE);
        channel.attr(AttributeKey.<MqttVersion>valueOf("NETTY_CODEC_MQTT_VERSION")).set(version);
        channel.writeOutbound(new MqttPublishMessage(new MqttFixedHeader(MqttMessageType.PUBLISH, dup, MqttQoS.valueOf(qos),
                retain, 0), new MqttPublishVariableHeader(topic, packetId, props), Unpooled.wrappedBuffer(payload)));
        ByteBuf all = Unpooled.buffer();
        ByteBuf b;
        while ((b = channel.readOutbound()) != null) {
            all.writeBytes(b);
            b.release();
        }
        channel.finishAndReleaseAll();
        return ByteBufUtil.getBytes(all);
    }

    private static byte[] ours(PublishEncoding encoding, int packetId, boolean dup) {
        ByteBuf out = Unpooled.buffer();
        encoding.copyTo(out, packetId, dup);
        return ByteBufUtil.getBytes(out);
    }

    /** A message with every property a delivery can carry. */
    private static Message everything(int qos, byte[] payload) {
        return Message.builder("a/b/ü").qos(qos).retain(true).payload(payload).payloadUtf8(true)
                .expiresAt(System.currentTimeMillis() + 90_000).contentType("application/json").responseTopic("réponse/1")
                .correlationData(new byte[] {1, 2, 3, 4}).userProperty("k", "v").userProperty("sb-message-id", "forged")
                .userProperty("k", "second").id(123_456_789L).build();
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 64, 100, 127, 128, 16_383, 16_384, 70_000})
    void mqtt311IsNettysEncoding(int payloadSize) {
        byte[] payload = new byte[payloadSize];
        for (int i = 0; i < payload.length; i++) {
            payload[i] = (byte) i;
        }
        for (int qos = 0; qos <= 2; qos++) {
            for (boolean retain : new boolean[] {false, true}) {
                Message m = Message.builder("t/ä/1").qos(qos).retain(retain).payload(payload).build();
                int packetId = qos > 0 ? 513 : 0;
                PublishEncoding e = PublishEncoding.of(false, false, qos, retain, m.topic(), packetId,
                        MqttProperties.NO_PROPERTIES, m.payload());
                assertThat(ours(e, packetId, false)).as("qos %d retain %s", qos, retain)
                        .isEqualTo(nettys(MqttVersion.MQTT_3_1_1, false, qos, retain, m.topic(), packetId,
                                MqttProperties.NO_PROPERTIES, payload));
                assertThat(e.size()).isEqualTo(PacketSizes.publish(m.topic(), qos, MqttProperties.NO_PROPERTIES, false,
                        payloadSize));
            }
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 64, 128, 16_384, 70_000})
    void mqtt5IsNettysEncodingWithEveryDeliveryProperty(int payloadSize) {
        byte[] payload = "x".repeat(payloadSize).getBytes(StandardCharsets.UTF_8);
        long now = System.currentTimeMillis();
        MessageIdProperty withIds = MessageIdProperty.requestedIn(requesting("sb-message-id"), "sb-message-id");
        for (int qos = 0; qos <= 2; qos++) {
            Message m = everything(qos, payload);
            for (List<Integer> subscriptionIds : List.of(List.<Integer>of(), List.of(5), List.of(1, 300, 268_435_455))) {
                for (Integer alias : new Integer[] {null, 1, 65_535}) {
                    for (boolean topicSent : new boolean[] {true, false}) {
                        String topic = topicSent || alias == null ? m.topic() : "";
                        for (MessageIdProperty ids : List.of(MessageIdProperty.NOT_REQUESTED, withIds)) {
                            MqttProperties props = MessageProperties.forDelivery(m, ids.userPropertiesOf(m, ids.carriedBy(m)),
                                    subscriptionIds, alias, MessageProperties.remainingExpiry(m, now));
                            int packetId = qos > 0 ? 65_535 : 0;
                            PublishEncoding e = PublishEncoding.of(true, false, qos, true, topic, packetId, props, m.payload());
                            assertThat(ours(e, packetId, false))
                                    .as("qos %d ids %s alias %s topic '%s'", qos, subscriptionIds, alias, topic)
                                    .isEqualTo(nettys(MqttVersion.MQTT_5, false, qos, true, topic, packetId, props, payload));
                            assertThat(e.size()).isEqualTo(PacketSizes.publish(topic, qos, props, true, payloadSize));
                            ByteBuf direct = Unpooled.buffer();
                            PublishEncoding.write(direct, true, false, qos, true, topic, packetId, props, m.payload());
                            assertThat(ByteBufUtil.getBytes(direct)).as("written straight into a buffer")
                                    .isEqualTo(ours(e, packetId, false));
                        }
                    }
                }
            }
        }
    }

    @Test
    void aCopyTakesItsOwnPacketIdAndDupFlag() {
        for (MqttVersion version : new MqttVersion[] {MqttVersion.MQTT_3_1_1, MqttVersion.MQTT_5}) {
            boolean v5 = version == MqttVersion.MQTT_5;
            for (int qos = 0; qos <= 2; qos++) {
                Message m = everything(qos, "payload".getBytes(StandardCharsets.UTF_8));
                MqttProperties props = v5 ? MessageProperties.forDelivery(m, null, List.of(7), 3, 90)
                        : MqttProperties.NO_PROPERTIES;
                PublishEncoding once = PublishEncoding.of(v5, false, qos, true, m.topic(), qos > 0 ? 1 : 0, props, m.payload());
                for (int packetId : new int[] {1, 2, 255, 256, 40_000, 65_535}) {
                    for (boolean dup : new boolean[] {false, true}) {
                        int id = qos > 0 ? packetId : 0;
                        assertThat(ours(once, id, dup)).as("%s qos %d id %d dup %s", version, qos, id, dup)
                                .isEqualTo(nettys(version, dup, qos, true, m.topic(), id, props, m.payloadBytes()));
                    }
                }
            }
        }
    }

    private static MqttProperties requesting(String name) {
        MqttProperties p = new MqttProperties();
        MqttProperties.UserProperties user = new MqttProperties.UserProperties();
        user.add(name, MessageIdProperty.REQUEST);
        p.add(user);
        return p;
    }
}
