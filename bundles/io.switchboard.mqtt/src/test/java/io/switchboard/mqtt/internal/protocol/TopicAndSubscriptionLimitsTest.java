package io.switchboard.mqtt.internal.protocol;

import static io.netty.handler.codec.mqtt.MqttMessageType.CONNACK;
import static io.netty.handler.codec.mqtt.MqttMessageType.PUBACK;
import static io.netty.handler.codec.mqtt.MqttMessageType.SUBACK;
import static io.netty.handler.codec.mqtt.MqttMessageType.UNSUBACK;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttSubAckMessage;
import io.netty.handler.codec.mqtt.MqttVersion;
import io.switchboard.api.Subscription;
import org.junit.jupiter.api.Test;

/** max.topic.length for topics, filters and wills, max.topic.levels for wills, and max.subscriptions per session. */
class TopicAndSubscriptionLimitsTest extends LoopbackTest {

    private static final int MAX_LENGTH = 64;

    private void limits(int maxTopicLength, int maxSubscriptions) {
        settings = settings.withLimits(new ProtocolLimits(0, 0, maxTopicLength, maxSubscriptions));
    }

    private TestClient connected(MqttVersion version, String id) {
        TestClient c = client();
        c.connect(version, id, true);
        return c;
    }

    private static List<Integer> subscribe(TestClient c, int packetId, String... filters) {
        MqttMessageBuilders.SubscribeBuilder b = MqttMessageBuilders.subscribe().messageId(packetId);
        for (String f : filters) {
            b.addSubscription(MqttQoS.AT_LEAST_ONCE, f);
        }
        c.send(b.build());
        return ((MqttSubAckMessage) c.expect(SUBACK).message()).payload().reasonCodes();
    }

    private static void unsubscribe(TestClient c, int packetId, String filter) {
        c.send(MqttMessageBuilders.unsubscribe().messageId(packetId).addTopicFilter(filter).build());
        c.expect(UNSUBACK);
    }

    /** A topic of exactly {@code bytes} bytes in UTF-8. */
    private static String topicOf(int bytes) {
        return "t/" + "x".repeat(bytes - 2);
    }

    @Test
    void aPublishToATopicLongerThanTheMaximumIsRefusedWithTopicNameInvalid() {
        limits(MAX_LENGTH, 0);
        TestClient c = connected(MqttVersion.MQTT_5, "pub");
        c.publish(topicOf(MAX_LENGTH), 1, 1, "at the limit");
        assertThat(c.expect(PUBACK).reasonCode()).as("no subscribers, accepted").isEqualTo(0x10);

        // 63 ASCII bytes and a two-byte character: 63 characters, 65 bytes
        c.publish(topicOf(MAX_LENGTH - 1) + "é", 1, 2, "one byte too long");
        TestClient.Packet ack = c.expect(PUBACK);
        assertThat(ack.reasonCode()).isEqualTo(0x90);
        assertThat((String) ack.property(MqttProperties.REASON_STRING)).contains("max.topic.length");
        assertThat(broker.published).as("never reaches the broker").hasSize(1);
    }

    @Test
    void aFilterLongerThanTheMaximumIsRefusedWithTopicFilterInvalid() {
        limits(MAX_LENGTH, 0);
        TestClient c5 = connected(MqttVersion.MQTT_5, "sub5");
        assertThat(subscribe(c5, 1, topicOf(MAX_LENGTH), topicOf(MAX_LENGTH + 1), "$share/g/" + topicOf(MAX_LENGTH - 8)))
                .containsExactly(1, 0x8F, 0x8F);
        TestClient c3 = connected(MqttVersion.MQTT_3_1_1, "sub3");
        assertThat(subscribe(c3, 1, topicOf(MAX_LENGTH + 1))).as("3.1.1: failure").containsExactly(0x80);
    }

    @Test
    void aWillTopicBeyondTheLengthOrTheLevelsIsRefusedAtConnect() {
        limits(1024, 0); // above the 257 bytes of the topic of 129 levels below
        assertThat(connectWithWill(MqttVersion.MQTT_5, "long5", topicOf(1025))).isEqualTo(0x90);
        assertThat(connectWithWill(MqttVersion.MQTT_3_1_1, "long3", topicOf(1025)))
                .as("3.1.1: 5, as for any will topic the broker does not accept").isEqualTo(5);
        assertThat(connectWithWill(MqttVersion.MQTT_5, "deep5", "a" + "/a".repeat(ProtocolSettings.DEFAULT_MAX_TOPIC_LEVELS)))
                .as("129 levels").isEqualTo(0x90);
        assertThat(broker.logins).isEmpty();
        assertThat(connectWithWill(MqttVersion.MQTT_5, "fine", topicOf(1024))).isZero();
    }

    private int connectWithWill(MqttVersion version, String id, String willTopic) {
        TestClient c = client();
        c.send(TestClient.connectBuilder(version, id, true).willFlag(true).willTopic(willTopic)
                .willMessage("gone".getBytes()).build());
        int code = c.expect(CONNACK).reasonCode();
        if (code != 0) {
            c.expectClosed();
        }
        return code;
    }

    @Test
    void beyondTheMaximumSubscriptionsAFilterIsRefusedWithQuotaExceeded() {
        limits(MAX_LENGTH, 2);
        TestClient c = connected(MqttVersion.MQTT_5, "many");
        assertThat(subscribe(c, 1, "a", "b", "c")).containsExactly(1, 1, 0x97);
        assertThat(subscribe(c, 2, "a")).as("re-subscribing a filter takes no second place").containsExactly(1);
        unsubscribe(c, 3, "b");
        assertThat(subscribe(c, 4, "c")).as("an unsubscribe frees a place").containsExactly(1);
        assertThat(subscribe(c, 5, "d")).containsExactly(0x97);

        TestClient c3 = connected(MqttVersion.MQTT_3_1_1, "many3");
        assertThat(subscribe(c3, 1, "a", "b", "c")).as("3.1.1: failure").containsExactly(1, 1, 0x80);
    }

    @Test
    void aResumedSessionCountsTheSubscriptionsItHas() {
        limits(MAX_LENGTH, 2);
        TestClient first = client();
        first.connect(MqttVersion.MQTT_3_1_1, "persistent", false);
        assertThat(subscribe(first, 1, "a", "b")).containsExactly(1, 1);
        first.disconnect();
        first.expectClosed();

        TestClient again = client();
        again.connect(MqttVersion.MQTT_3_1_1, "persistent", false);
        assertThat(subscribe(again, 1, "c")).containsExactly(0x80);
        assertThat(subscribe(again, 2, "b")).containsExactly(1);
    }

    @Test
    void aSessionRecoveredFromTheStoreCountsItsSubscriptions() {
        limits(MAX_LENGTH, 2);
        new SessionJournal(stateStore).save(new SessionJournal.SessionRecord("kept", "kept", "mqtt-5", 600,
                System.currentTimeMillis(), null, 0, List.of(Subscription.of("a", 1), Subscription.of("b", 1))));
        TestClient c = client(); // starts the protocol, which recovers the session
        MqttProperties expiry = new MqttProperties();
        expiry.add(new MqttProperties.IntegerProperty(MqttProperties.SESSION_EXPIRY_INTERVAL, 600));
        c.connect(TestClient.connectBuilder(MqttVersion.MQTT_5, "kept", false).properties(expiry).build());

        assertThat(subscribe(c, 1, "c")).containsExactly(0x97);
        assertThat(subscribe(c, 2, "a")).containsExactly(1);
    }
}
