package io.switchboard.mqtt.internal.protocol;

import static io.netty.handler.codec.mqtt.MqttMessageType.PUBACK;
import static io.netty.handler.codec.mqtt.MqttMessageType.PUBREC;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttVersion;
import io.switchboard.api.broker.ForwardingException;
import org.junit.jupiter.api.Test;

/**
 * A publish another node of the broker did not confirm: the publisher gets no acknowledgement, its connection is
 * closed, and its resend after reconnecting is published again, QoS 2 included.
 */
class ForwardingFailureTest extends LoopbackTest {

    @Test
    void aQos2PublishNoNodeConfirmedIsPublishedAgainWhenResentAfterTheReconnect() {
        TestClient pub = client();
        pub.connect(MqttVersion.MQTT_3_1_1, "pub", false);
        broker.publishFailure = m -> new ForwardingException("node 'b' did not confirm within 5000 ms");
        pub.publish("t", 2, 7, "exactly once");
        pub.expectClosed();
        assertThat(pub.received).noneMatch(p -> p.type() == PUBREC);
        assertThat(broker.published).hasSize(1);

        broker.publishFailure = m -> null;
        TestClient again = client();
        TestClient.Packet ack = again.connect(MqttVersion.MQTT_3_1_1, "pub", false);
        assertThat(((MqttConnAckMessage) ack.message()).variableHeader().isSessionPresent()).isTrue();
        resend(again, 7, "exactly once");
        assertThat(again.expect(PUBREC).packetId()).isEqualTo(7);
        assertThat(broker.published).as("published again, not taken for a duplicate").hasSize(2);
    }

    @Test
    void aQos2PublishTheBrokerKeptIsForwardedAgainWhenResentNotPublishedAgain() {
        TestClient pub = client();
        pub.connect(persistentV5("pub2"));
        long kept = 42;
        broker.keptToForwardAgain.add(kept);
        broker.publishFailure = m -> new ForwardingException("node 'c' left the cluster before confirming it", kept);
        pub.publish("t", 2, 9, "exactly once");
        pub.expectClosed();

        broker.publishFailure = m -> null;
        TestClient again = client();
        again.connect(persistentV5("pub2"));
        resend(again, 9, "exactly once");
        TestClient.Packet pubrec = again.expect(PUBREC);
        assertThat(pubrec.packetId()).isEqualTo(9);
        assertThat(pubrec.reasonCode()).as("a plain success: its recipients were counted the first time")
                .isZero();
        assertThat(broker.forwardedAgain).containsExactly(kept);
        assertThat(broker.published).as("not published again: the nodes that had it do not get it twice").hasSize(1);

        resend(again, 9, "exactly once"); // its PUBREC lost: a duplicate of a known packet id, nothing more
        again.expect(PUBREC);
        assertThat(broker.published).hasSize(1);
        assertThat(broker.forwardedAgain).hasSize(1);
    }

    @Test
    void aQos2ResendTheBrokerNoLongerKeepsIsPublishedAgain() {
        TestClient pub = client();
        pub.connect(MqttVersion.MQTT_3_1_1, "pub3", false);
        broker.publishFailure = m -> new ForwardingException("node 'c' left", m.id()); // kept, then forgotten
        pub.publish("t", 2, 4, "at least once");
        pub.expectClosed();

        broker.publishFailure = m -> null;
        TestClient again = client();
        again.connect(MqttVersion.MQTT_3_1_1, "pub3", false);
        resend(again, 4, "at least once");
        again.expect(PUBREC);
        assertThat(broker.published).hasSize(2);
    }

    @Test
    void aQos1PublishNoNodeConfirmedIsNotAcknowledged() {
        TestClient pub = client();
        pub.connect(MqttVersion.MQTT_5, "pub1", true);
        broker.publishFailure = m -> new ForwardingException("node 'c' left");
        pub.publish("t", 1, 3, "at least once");
        pub.expectClosed();
        assertThat(pub.received).noneMatch(p -> p.type() == PUBACK);
    }

    private static io.netty.handler.codec.mqtt.MqttMessage persistentV5(String clientId) {
        io.netty.handler.codec.mqtt.MqttProperties expiry = new io.netty.handler.codec.mqtt.MqttProperties();
        expiry.add(new io.netty.handler.codec.mqtt.MqttProperties.IntegerProperty(
                io.netty.handler.codec.mqtt.MqttProperties.SESSION_EXPIRY_INTERVAL, 60));
        return TestClient.connectBuilder(MqttVersion.MQTT_5, clientId, false).properties(expiry).build();
    }

    private static void resend(TestClient client, int packetId, String payload) {
        client.send(MqttMessageBuilders.publish().topicName("t").qos(MqttQoS.EXACTLY_ONCE).messageId(packetId)
                .payload(Unpooled.copiedBuffer(payload, StandardCharsets.UTF_8)).build());
    }
}
