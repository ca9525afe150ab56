package io.switchboard.mqtt.internal.protocol;

import static io.netty.handler.codec.mqtt.MqttMessageType.DISCONNECT;
import static io.netty.handler.codec.mqtt.MqttMessageType.PINGRESP;
import static io.netty.handler.codec.mqtt.MqttMessageType.PUBACK;
import static io.netty.handler.codec.mqtt.MqttMessageType.PUBCOMP;
import static io.netty.handler.codec.mqtt.MqttMessageType.PUBLISH;
import static io.netty.handler.codec.mqtt.MqttMessageType.PUBREC;
import static io.netty.handler.codec.mqtt.MqttMessageType.PUBREL;
import static io.netty.handler.codec.mqtt.MqttMessageType.SUBACK;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttVersion;
import io.switchboard.api.Message;
import org.junit.jupiter.api.Test;

/** Persistent sessions: resume, redelivery with DUP, offline queue, expiry, QoS 2 state across connections. */
class SessionTest extends LoopbackTest {

    private static MqttProperties expiry(int seconds) {
        MqttProperties p = new MqttProperties();
        p.add(new MqttProperties.IntegerProperty(MqttProperties.SESSION_EXPIRY_INTERVAL, seconds));
        return p;
    }

    private TestClient persistent5(String id, int expirySeconds) {
        TestClient c = client();
        c.connect(TestClient.connectBuilder(MqttVersion.MQTT_5, id, false).properties(expiry(expirySeconds)).build());
        return c;
    }

    @Test
    void redeliversUnacknowledgedMessagesWithDupOnResume() {
        TestClient sub = client();
        sub.connect(MqttVersion.MQTT_3_1_1, "sub", false);
        sub.subscribe(1, "t", 2);
        sub.expect(SUBACK);
        TestClient pub = client();
        pub.connect(MqttVersion.MQTT_3_1_1, "pub", true);
        pub.publish("t", 1, 1, "q1");
        pub.expect(PUBACK);
        pub.publish("t", 2, 2, "q2");
        pub.expect(PUBREC);
        pub.reply(PUBREL, 2, 0);
        pub.expect(PUBCOMP);

        TestClient.Packet first = sub.expect(PUBLISH);
        TestClient.Packet second = sub.expect(PUBLISH);
        assertThat(first.publish().fixedHeader().isDup()).isFalse();
        // acknowledge neither: QoS 1 without PUBACK, QoS 2 received (PUBREC) but not completed
        sub.reply(PUBREC, second.publish().variableHeader().packetId(), 0);
        sub.expect(PUBREL);
        sub.close();
        eventually(() -> assertThat(broker.events).contains("detach sub: connection lost"));

        TestClient again = client();
        TestClient.Packet ack = again.connect(MqttVersion.MQTT_3_1_1, "sub", false);
        assertThat(((io.netty.handler.codec.mqtt.MqttConnAckMessage) ack.message()).variableHeader().isSessionPresent())
                .isTrue();
        TestClient.Packet resent = again.expect(PUBLISH);
        assertThat(resent.publish().fixedHeader().isDup()).isTrue();
        assertThat(resent.publish().variableHeader().packetId()).isEqualTo(first.publish().variableHeader().packetId());
        assertThat(resent.text()).isEqualTo("q1");
        TestClient.Packet rel = again.expect(PUBREL);
        assertThat(rel.packetId()).isEqualTo(second.publish().variableHeader().packetId());

        again.reply(PUBACK, resent.publish().variableHeader().packetId(), 0);
        again.reply(PUBCOMP, rel.packetId(), 0);
        eventually(() -> assertThat(broker.outcomesOf("sub")).extracting(o -> o.result.getNow("pending"))
                .containsExactly("delivered", "delivered"));
    }

    @Test
    void aTakeoverResumesTheStateTheBrokerSessionHoldsAndResendsWhatWasInFlight() {
        TestClient first = persistent5("moving", 60);
        first.subscribe(1, "t", 1);
        first.expect(SUBACK);
        MqttSession state = broker.stateOf("moving");
        broker.deliverTo("moving", Message.builder("t").qos(1).payload("unacknowledged").build());
        TestClient.Packet sent = first.expect(PUBLISH);

        TestClient second = persistent5("moving", 60);
        assertThat(first.expect(DISCONNECT).reasonCode()).as("taken over").isEqualTo(0x8E);
        TestClient.Packet resent = second.expect(PUBLISH);
        assertThat(resent.publish().fixedHeader().isDup()).isTrue();
        assertThat(resent.publish().variableHeader().packetId()).isEqualTo(sent.publish().variableHeader().packetId());
        assertThat(broker.stateOf("moving")).as("one state per broker session").isSameAs(state);
        second.reply(PUBACK, resent.publish().variableHeader().packetId(), 0);
        eventually(() -> assertThat(broker.outcomesOf("moving")).extracting(o -> o.result.getNow("pending"))
                .containsExactly("delivered"));
        first.expectClosed();
        // the old connection's end comes after the takeover: it must not detach the session from the new one
        eventually(() -> assertThat(broker.events).contains("connection closed: session taken over by a new connection"));
        assertThat(broker.events).noneMatch(e -> e.startsWith("detach moving"));
    }

    @Test
    void queuesWhileOfflineAndSendsOnResume() {
        TestClient sub = persistent5("offline", 60);
        sub.subscribe(1, "news/#", 1);
        sub.expect(SUBACK);
        sub.disconnect();
        sub.expectClosed();
        eventually(() -> assertThat(broker.events).contains("detach offline: client disconnected"));

        TestClient pub = client();
        pub.connect(MqttVersion.MQTT_5, "pub", true);
        for (int i = 1; i <= 3; i++) {
            pub.publish("news/" + i, 1, i, "n" + i);
            pub.expect(PUBACK);
        }
        MqttSession state = broker.stateOf("offline");
        eventually(() -> assertThat(state.queuedCount()).isEqualTo(3));

        TestClient back = client();
        back.connect(TestClient.connectBuilder(MqttVersion.MQTT_5, "offline", false).properties(expiry(60)).build());
        for (int i = 1; i <= 3; i++) {
            TestClient.Packet p = back.expect(PUBLISH);
            assertThat(p.text()).isEqualTo("n" + i);
            assertThat(p.publish().fixedHeader().isDup()).isFalse();
            back.reply(PUBACK, p.publish().variableHeader().packetId(), 0);
        }
    }

    @Test
    void theQueueLimitDropsQos0FirstThenRefuses() {
        settings = settings.withMaxQueuedMessages(2);
        TestClient sub = persistent5("full", 60);
        sub.subscribe(1, "t", 1);
        sub.expect(SUBACK);
        sub.disconnect();
        sub.expectClosed();
        eventually(() -> assertThat(broker.events).contains("detach full: client disconnected"));

        TestClient pub = client();
        pub.connect(MqttVersion.MQTT_5, "pub", true);
        pub.publish("t", 0, 0, "zero");
        pub.publish("t", 1, 1, "one");
        pub.expect(PUBACK);
        pub.publish("t", 1, 2, "two"); // pushes out the queued QoS 0 message
        pub.expect(PUBACK);
        pub.publish("t", 1, 3, "three"); // nothing to push out: refused
        pub.expect(PUBACK);
        pub.publish("t", 0, 0, "zero again"); // dropped
        eventually(() -> assertThat(broker.outcomesOf("full")).extracting(o -> o.message.payloadText() + " "
                + o.result.getNow("pending")).containsExactly("zero failed: queue full", "one pending", "two pending",
                        "three failed: queue full", "zero again failed: queue full"));
    }

    @Test
    void expiredQueuedMessagesAreDropped() {
        TestClient sub = persistent5("late", 60);
        sub.subscribe(1, "t", 1);
        sub.expect(SUBACK);
        sub.disconnect();
        sub.expectClosed();
        eventually(() -> assertThat(broker.events).contains("detach late: client disconnected"));
        // expiry is checked when the queue is sent, not when it is filled: an expiry already past stands for
        // one that passed while the client was away
        broker.deliverTo("late", Message.builder("t").qos(1).payload("gone")
                .expiresAt(System.currentTimeMillis() - 1).build());
        broker.deliverTo("late", Message.builder("t").qos(1).payload("lasting")
                .expiresAt(System.currentTimeMillis() + 60_000).build());
        eventually(() -> assertThat(broker.stateOf("late").queuedCount()).isEqualTo(2));

        TestClient back = client();
        back.connect(TestClient.connectBuilder(MqttVersion.MQTT_5, "late", false).properties(expiry(60)).build());
        TestClient.Packet p = back.expect(PUBLISH);
        assertThat(p.text()).isEqualTo("lasting");
        assertThat((Integer) p.property(MqttProperties.PUBLICATION_EXPIRY_INTERVAL)).isBetween(58, 60);
        eventually(() -> assertThat(broker.outcomesOf("late").get(0).result.getNow(""))
                .isEqualTo("failed: expired while queued for the client"));
    }

    @Test
    void aSessionExpiresAfterItsInterval() {
        TestClient c = persistent5("brief", 1);
        c.disconnect();
        c.expectClosed();
        eventually(() -> assertThat(broker.events).contains("detach brief: client disconnected"));
        assertThat(broker.events).noneMatch(e -> e.startsWith("close brief"));
        eventually(() -> assertThat(broker.events).contains("close brief: session expired"));
        assertThat(broker.stateOf("brief")).isNull();
    }

    @Test
    void resumingCancelsTheExpiry() {
        ManualTimer time = new ManualTimer();
        timer = time;
        TestClient c = persistent5("back", 1);
        c.close();
        eventually(() -> assertThat(broker.events).contains("detach back: connection lost"));
        TestClient again = persistent5("back", 1);

        time.advance(Duration.ofSeconds(2)); // past the expiry of the first connection's end
        // steps of one client id run in order: once this disconnection is handled, an expiry step before it was too
        again.disconnect();
        again.expectClosed();
        eventually(() -> assertThat(broker.events).contains("detach back: client disconnected"));
        assertThat(broker.events).noneMatch(e -> e.startsWith("close back"));
    }

    @Test
    void expiryZeroClosesTheSessionWithTheConnection() {
        TestClient c = client();
        c.connect(MqttVersion.MQTT_5, "gone", false);
        c.disconnect();
        c.expectClosed();
        eventually(() -> assertThat(broker.events).contains("close gone: client disconnected",
                "connection closed: client disconnected"));
        assertThat(broker.stateOf("gone")).isNull();
    }

    @Test
    void disconnectCanChangeTheSessionExpiry() {
        TestClient c = persistent5("changer", 60);
        c.send(MqttMessageBuilders.disconnect().properties(expiry(0)).build());
        c.expectClosed();
        eventually(() -> assertThat(broker.events).contains("close changer: client disconnected"));
    }

    @Test
    void disconnectMayNotSetAnExpiryAfterZero() {
        TestClient c = client();
        c.connect(MqttVersion.MQTT_5, "cheater", true);
        c.send(MqttMessageBuilders.disconnect().properties(expiry(100)).build());
        assertThat(c.expect(DISCONNECT).reasonCode()).isEqualTo(0x82);
        c.expectClosed();
        eventually(() -> assertThat(broker.events).contains("close cheater: DISCONNECT sets a session expiry after 0 at "
                + "CONNECT"));
    }

    @Test
    void inboundQos2StateSurvivesAReconnect() {
        TestClient c = persistent5("q2", 60);
        c.publish("t", 2, 5, "once");
        c.expect(PUBREC);
        c.close();
        eventually(() -> assertThat(broker.events).contains("detach q2: connection lost"));

        TestClient again = persistent5("q2", 60);
        // the client did not see the PUBREC: it resends the PUBLISH with DUP, then releases it
        again.publish("t", 2, 5, "once");
        again.expect(PUBREC);
        again.reply(PUBREL, 5, 0);
        assertThat(again.expect(PUBCOMP).reasonCode()).isZero();
        assertThat(broker.published).hasSize(1);
    }

    @Test
    void aCleanStartDiscardsTheOldSession() {
        TestClient sub = persistent5("fresh", 60);
        sub.subscribe(1, "t", 1);
        sub.expect(SUBACK);
        sub.disconnect();
        sub.expectClosed();
        eventually(() -> assertThat(broker.events).contains("detach fresh: client disconnected"));
        broker.deliverTo("fresh", Message.builder("t").qos(1).payload("stale").build());
        eventually(() -> assertThat(broker.stateOf("fresh").queuedCount()).isEqualTo(1));

        TestClient clean = client();
        clean.connect(MqttVersion.MQTT_5, "fresh", true);
        eventually(() -> assertThat(broker.outcomesOf("fresh").get(0).result.getNow(""))
                .isEqualTo("failed: session taken over by a new connection of the same client id"));
        // a resumed queue is written right after the CONNACK: it would come before the answer to a later packet
        clean.send(MqttMessage.PINGREQ);
        clean.expect(PINGRESP);
    }
}
