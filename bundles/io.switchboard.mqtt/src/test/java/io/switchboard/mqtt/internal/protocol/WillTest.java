package io.switchboard.mqtt.internal.protocol;

import static io.netty.handler.codec.mqtt.MqttMessageType.DISCONNECT;
import static io.netty.handler.codec.mqtt.MqttMessageType.PUBLISH;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import io.netty.handler.codec.mqtt.MqttConnectMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttVersion;
import io.switchboard.api.Message;
import io.switchboard.api.Subscription;
import io.switchboard.api.UserProperty;
import org.junit.jupiter.api.Test;

/** Will messages: when they are published, delayed, or dropped. */
class WillTest extends LoopbackTest {

    private static MqttConnectMessage withWill(MqttVersion version, String id, boolean clean, int sessionExpiry,
            int willDelay) {
        MqttProperties willProps = new MqttProperties();
        if (willDelay > 0) {
            willProps.add(new MqttProperties.IntegerProperty(MqttProperties.WILL_DELAY_INTERVAL, willDelay));
        }
        MqttProperties props = new MqttProperties();
        if (sessionExpiry > 0) {
            props.add(new MqttProperties.IntegerProperty(MqttProperties.SESSION_EXPIRY_INTERVAL, sessionExpiry));
        }
        return TestClient.connectBuilder(version, id, clean).willFlag(true).willTopic("wills/" + id)
                .willMessage(("gone: " + id).getBytes(StandardCharsets.UTF_8)).willQoS(MqttQoS.AT_LEAST_ONCE)
                .willRetain(true).willProperties(willProps).properties(props).build();
    }

    private Message will(String id) {
        for (Message m : broker.published) {
            if (m.topic().equals("wills/" + id)) {
                return m;
            }
        }
        return null;
    }

    @Test
    void aWillDueAtTheStartReachesTheSessionsRecoveredWithIt() {
        // the store as a broker left it when it died: a client connected with a will, a subscriber offline
        SessionJournal journal = new SessionJournal(stateStore);
        Will will = new Will(Message.builder("wills/dead").qos(1).payload("gone: dead").build(), 0, 0);
        journal.save(new SessionJournal.SessionRecord("a-dead", "a-dead", "mqtt-5", 600, 0, will, 0, List.of()));
        journal.save(new SessionJournal.SessionRecord("z-watcher", "z-watcher", "mqtt-5", 600, System.currentTimeMillis(),
                null, 0, List.of(Subscription.of("wills/#", 1))));
        timer = new ManualTimer(true);

        TestClient watcher = client(); // starts the protocol, which recovers both
        eventually(() -> assertThat(will("dead")).as("the will, due at once, is published").isNotNull());
        watcher.connect(TestClient.connectBuilder(MqttVersion.MQTT_5, "z-watcher", false).properties(expiry(600)).build());
        assertThat(watcher.expect(PUBLISH).text()).isEqualTo("gone: dead");
    }

    private static MqttProperties expiry(int seconds) {
        MqttProperties p = new MqttProperties();
        p.add(new MqttProperties.IntegerProperty(MqttProperties.SESSION_EXPIRY_INTERVAL, seconds));
        return p;
    }

    @Test
    void publishedWhenTheConnectionIsLost() {
        TestClient c = client();
        c.connect(withWill(MqttVersion.MQTT_3_1_1, "lost", true, 0, 0));
        c.close();
        eventually(() -> assertThat(will("lost")).isNotNull());
        Message w = will("lost");
        assertThat(w.payloadText()).isEqualTo("gone: lost");
        assertThat(w.qos()).isEqualTo(1);
        assertThat(w.retain()).isTrue();
        assertThat(w.from()).isEqualTo("lost");
    }

    @Test
    void notPublishedOnANormalDisconnect() {
        TestClient c = client();
        c.connect(withWill(MqttVersion.MQTT_5, "polite", true, 0, 0));
        c.disconnect();
        c.expectClosed();
        // the step ending a connection publishes its will, if any, before it closes the session
        eventually(() -> assertThat(broker.events).contains("close polite: client disconnected"));
        assertThat(will("polite")).isNull();
    }

    @Test
    void publishedOnDisconnectWithWillMessage() {
        TestClient c = client();
        c.connect(withWill(MqttVersion.MQTT_5, "asks", true, 0, 0));
        c.send(MqttMessageBuilders.disconnect().reasonCode((byte) 0x04).build());
        c.expectClosed();
        eventually(() -> assertThat(will("asks")).isNotNull());
    }

    @Test
    void publishedAfterAProtocolViolation() {
        TestClient c = client();
        c.connect(withWill(MqttVersion.MQTT_5, "rude", true, 0, 0));
        c.send(TestClient.connectBuilder(MqttVersion.MQTT_5, "rude", true).build());
        assertThat(c.expect(DISCONNECT).reasonCode()).isEqualTo(0x82);
        eventually(() -> assertThat(will("rude")).isNotNull());
    }

    @Test
    void carriesItsMqtt5Properties() {
        MqttProperties willProps = new MqttProperties();
        willProps.add(new MqttProperties.StringProperty(MqttProperties.CONTENT_TYPE, "text/plain"));
        willProps.add(new MqttProperties.IntegerProperty(MqttProperties.PUBLICATION_EXPIRY_INTERVAL, 30));
        willProps.add(new MqttProperties.UserProperties(java.util.List.of(new MqttProperties.StringPair("why", "crash"))));
        TestClient c = client();
        c.connect(TestClient.connectBuilder(MqttVersion.MQTT_5, "props", true).willFlag(true).willTopic("wills/props")
                .willMessage("bye".getBytes(StandardCharsets.UTF_8)).willProperties(willProps).build());
        long closedAt = System.currentTimeMillis();
        c.close();
        eventually(() -> assertThat(will("props")).isNotNull());
        Message w = will("props");
        assertThat(w.contentType()).isEqualTo("text/plain");
        assertThat(w.userProperties()).containsExactly(new UserProperty("why", "crash"));
        assertThat(w.expiresAt()).isBetween(closedAt + 29_000, System.currentTimeMillis() + 30_000);
    }

    @Test
    void delayedWillIsPublishedAfterItsDelay() {
        TestClient c = client();
        c.connect(withWill(MqttVersion.MQTT_5, "slow", false, 60, 1));
        long lostAt = System.currentTimeMillis();
        c.close();
        eventually(() -> assertThat(broker.events).contains("detach slow: connection lost"));
        assertThat(will("slow")).isNull();
        eventually(() -> assertThat(will("slow")).isNotNull());
        assertThat(System.currentTimeMillis() - lostAt).isGreaterThanOrEqualTo(900);
    }

    @Test
    void delayedWillIsDroppedWhenTheClientComesBackInTime() {
        ManualTimer time = new ManualTimer();
        timer = time;
        TestClient c = client();
        c.connect(withWill(MqttVersion.MQTT_5, "quick", false, 60, 1));
        c.close();
        eventually(() -> assertThat(broker.events).contains("detach quick: connection lost"));
        TestClient back = client();
        MqttProperties p = new MqttProperties();
        p.add(new MqttProperties.IntegerProperty(MqttProperties.SESSION_EXPIRY_INTERVAL, 60));
        back.connect(TestClient.connectBuilder(MqttVersion.MQTT_5, "quick", false).properties(p).build());

        time.advance(Duration.ofSeconds(2)); // past the will delay
        // steps of one client id run in order: once this disconnection is handled, a will step before it was too
        back.disconnect();
        back.expectClosed();
        eventually(() -> assertThat(broker.events).contains("detach quick: client disconnected"));
        assertThat(will("quick")).isNull();
    }

    @Test
    void delayedWillIsPublishedWhenTheSessionEndsFirst() {
        TestClient c = client();
        c.connect(withWill(MqttVersion.MQTT_5, "ends", false, 1, 30));
        c.close();
        eventually(() -> assertThat(will("ends")).isNotNull());
        eventually(() -> assertThat(broker.events).contains("close ends: session expired"));
    }

    @Test
    void takeoverPublishesTheOldWillUnlessTheSessionContinuesWithinTheDelay() {
        TestClient first = client();
        first.connect(withWill(MqttVersion.MQTT_5, "twin", true, 0, 0));
        TestClient second = client();
        second.connect(MqttVersion.MQTT_5, "twin", true);
        assertThat(first.expect(DISCONNECT).reasonCode()).isEqualTo(0x8E);
        eventually(() -> assertThat(will("twin")).isNotNull());

        TestClient third = client();
        third.connect(withWill(MqttVersion.MQTT_5, "delayed", false, 60, 30));
        TestClient fourth = client();
        MqttProperties p = new MqttProperties();
        p.add(new MqttProperties.IntegerProperty(MqttProperties.SESSION_EXPIRY_INTERVAL, 60));
        fourth.connect(TestClient.connectBuilder(MqttVersion.MQTT_5, "delayed", false).properties(p).build());
        assertThat(third.expect(DISCONNECT).reasonCode()).isEqualTo(0x8E);
        // the login that took over decided about the old will before its CONNACK; the old connection's end
        // and this disconnection follow it in the client id's steps
        fourth.disconnect();
        fourth.expectClosed();
        eventually(() -> assertThat(broker.events).contains("detach delayed: client disconnected"));
        assertThat(will("delayed")).isNull();
    }
}
