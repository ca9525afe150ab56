package io.switchboard.mqtt.internal.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The computed sizes equal what Netty's encoder writes. */
class PacketSizesTest {

    private static long encoded(MqttVersion version, MqttPublishMessage publish) {
        EmbeddedChannel channel = new EmbeddedChannel(MqttEncoder.INSTANCE);
        channel.attr(AttributeKey.<MqttVersion>valueOf("NETTY_CODEC_MQTT_VERSION")).set(version);
        channel.writeOutbound(publish);
        long size = 0;
        ByteBuf b;
        while ((b = channel.readOutbound()) != null) {
            size += b.readableBytes();
            b.release();
        }
        channel.finishAndReleaseAll();
        return size;
    }

    private static MqttPublishMessage publish(String topic, int qos, MqttProperties props, int payload) {
        return new MqttPublishMessage(new MqttFixedHeader(MqttMessageType.PUBLISH, false, MqttQoS.valueOf(qos), false, 0),
                new MqttPublishVariableHeader(topic, qos > 0 ? 1 : 0, props), Unpooled.wrappedBuffer(new byte[payload]));
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 100, 126, 127, 128, 16_383, 16_384, 70_000})
    void publishSizesMatchTheEncoder(int payload) {
        MqttProperties p = new MqttProperties();
        p.add(new MqttProperties.IntegerProperty(MqttProperties.PAYLOAD_FORMAT_INDICATOR, 1));
        p.add(new MqttProperties.IntegerProperty(MqttProperties.PUBLICATION_EXPIRY_INTERVAL, 100));
        p.add(new MqttProperties.StringProperty(MqttProperties.CONTENT_TYPE, "application/json"));
        p.add(new MqttProperties.StringProperty(MqttProperties.RESPONSE_TOPIC, "réponse/1"));
        p.add(new MqttProperties.BinaryProperty(MqttProperties.CORRELATION_DATA, new byte[] {1, 2, 3, 4}));
        MqttProperties.UserProperties user = new MqttProperties.UserProperties();
        user.add("k", "v");
        user.add("sb-message-id", "123456789");
        p.add(user);
        p.add(new MqttProperties.IntegerProperty(MqttProperties.SUBSCRIPTION_IDENTIFIER, 5));
        p.add(new MqttProperties.IntegerProperty(MqttProperties.SUBSCRIPTION_IDENTIFIER, 300));
        p.add(new MqttProperties.IntegerProperty(MqttProperties.TOPIC_ALIAS, 2));
        for (int qos = 0; qos <= 2; qos++) {
            assertThat(PacketSizes.publish("a/b/ü", qos, p, true, payload))
                    .isEqualTo(encoded(MqttVersion.MQTT_5, publish("a/b/ü", qos, p, payload)));
            assertThat(PacketSizes.publish("a/b", qos, MqttProperties.NO_PROPERTIES, false, payload))
                    .isEqualTo(encoded(MqttVersion.MQTT_3_1_1, publish("a/b", qos, MqttProperties.NO_PROPERTIES, payload)));
        }
    }
}
