package io.switchboard.mqtt.internal.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttVersion;
import io.switchboard.api.admin.ListenerStats;
import io.switchboard.api.admin.TrafficStats;
import org.junit.jupiter.api.Test;

/** What the front door counts per listener: packets and PUBLISH both ways, accepted and refused CONNECTs, held messages. */
class TrafficCountingTest extends LoopbackTest {

    @Test
    void countsPacketsPublishesAndConnects() {
        TestClient sub = client();
        sub.connect(MqttVersion.MQTT_5, "sub", true);
        sub.subscribe(1, "t/#", 1);
        sub.expect(MqttMessageType.SUBACK);
        TestClient pub = client();
        pub.connect(MqttVersion.MQTT_5, "pub", true);
        pub.publish("t/a", 1, 1, "one");
        pub.expect(MqttMessageType.PUBACK);
        pub.publish("t/a", 0, 0, "two");
        TestClient.Packet first = sub.expect(MqttMessageType.PUBLISH);
        sub.expect(MqttMessageType.PUBLISH);
        sub.reply(MqttMessageType.PUBACK, ((MqttPublishMessage) first.message()).variableHeader()
                .packetId(), 0);

        eventually(() -> {
            ListenerStats l = only(protocol.traffic());
            assertThat(l.name()).isEqualTo("test");
            assertThat(l.accepted()).isEqualTo(2);
            assertThat(l.refused()).isZero();
            assertThat(l.connections()).isEqualTo(2);
            assertThat(l.messagesReceived()).as("PUBLISH in").isEqualTo(2);
            assertThat(l.messagesSent()).as("PUBLISH out").isEqualTo(2);
            // in: 2 CONNECT, SUBSCRIBE, 2 PUBLISH, PUBACK; out: 2 CONNACK, SUBACK, PUBACK, 2 PUBLISH
            assertThat(l.packetsReceived()).isEqualTo(6);
            assertThat(l.packetsSent()).isEqualTo(6);
            assertThat(protocol.traffic().inFlightMessages()).isZero();
        });
    }

    @Test
    void countsRefusedConnectsAndTheMessagesHeldForAnOfflineSession() {
        missingModules = "listener 'test' requires module auth, not active in the broker";
        TestClient refused = client();
        refused.send(TestClient.connectBuilder(MqttVersion.MQTT_5, "refused", true).build());
        refused.expect(MqttMessageType.CONNACK);
        eventually(() -> assertThat(only(protocol.traffic()).refused()).isEqualTo(1));
        missingModules = null;

        TestClient offline = client();
        MqttProperties expiry = new MqttProperties();
        expiry.add(new MqttProperties.IntegerProperty(MqttProperties.SESSION_EXPIRY_INTERVAL, 600));
        offline.connect(TestClient.connectBuilder(MqttVersion.MQTT_5, "offline", true).properties(expiry).build());
        offline.subscribe(1, "held/#", 1);
        offline.expect(MqttMessageType.SUBACK);
        offline.disconnect();
        eventually(() -> assertThat(protocol.traffic().offlineSessions()).isEqualTo(1));

        TestClient pub = client();
        pub.connect(MqttVersion.MQTT_5, "pub", true);
        for (int i = 1; i <= 3; i++) {
            pub.publish("held/x", 1, i, "m" + i);
            pub.expect(MqttMessageType.PUBACK);
        }
        eventually(() -> {
            TrafficStats t = protocol.traffic();
            assertThat(t.queuedMessages()).isEqualTo(3);
            assertThat(t.inFlightMessages()).isZero();
            assertThat(t.offlineSessions()).isEqualTo(1);
            assertThat(t.dropped()).containsOnlyKeys(TrafficStats.QUEUE_FULL, TrafficStats.TOO_LARGE, TrafficStats.EXPIRED);
        });
    }

    private static ListenerStats only(TrafficStats stats) {
        assertThat(stats.listeners()).hasSize(1);
        return stats.listeners().get(0);
    }
}
