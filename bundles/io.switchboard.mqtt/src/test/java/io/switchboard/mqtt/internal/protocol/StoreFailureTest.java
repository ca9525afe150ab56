package io.switchboard.mqtt.internal.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;

import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttVersion;
import org.junit.jupiter.api.Test;

/**
 * A store that cannot write (a full disk): no publisher is told its message was accepted, no client a session
 * kept for it, and it recovers.
 */
class StoreFailureTest extends LoopbackTest {

    @Test
    void anMqtt5PublisherGetsAnErrorReasonCodeAndNoSuccessWhileTheStoreCannotWrite() {
        TestClient pub = client();
        pub.connect(MqttVersion.MQTT_5, "pub5", true);
        stateStore.failWrites(new IOException("No space left on device"));
        pub.publish("t", 1, 1, "not stored");
        TestClient.Packet refused = pub.expect(MqttMessageType.PUBACK);
        assertThat(refused.reasonCode()).isEqualTo(0x80);
        assertThat(refused.properties().getProperty(MqttProperties.REASON_STRING).value().toString())
                .contains("could not store").contains("No space left on device");

        stateStore.failWrites(null); // space came back: the broker goes on without a restart
        pub.publish("t", 1, 2, "stored");
        assertThat(pub.expect(MqttMessageType.PUBACK).reasonCode()).isLessThan(0x80);
    }

    @Test
    void anMqtt311PublisherIsDisconnectedRatherThanAcknowledged() {
        TestClient pub = client();
        pub.connect(MqttVersion.MQTT_3_1_1, "pub3", true);
        stateStore.failWrites(new IOException("No space left on device"));
        pub.publish("t", 1, 1, "not stored");
        pub.expectClosed();
        assertThat(pub.received).noneMatch(p -> p.message().fixedHeader().messageType() == MqttMessageType.PUBACK);
    }

    @Test
    void aPersistentSessionIsRefusedWhileTheStoreCannotWriteItsRecord() {
        stateStore.failWrites(new IOException("No space left on device"));
        TestClient v5 = client();
        v5.send(persistentConnect(MqttVersion.MQTT_5, "persistent5"));
        TestClient.Packet refused = v5.expect(MqttMessageType.CONNACK);
        assertThat(refused.reasonCode()).isEqualTo(0x88); // server unavailable
        assertThat(refused.properties().getProperty(MqttProperties.REASON_STRING).value().toString())
                .contains("could not store the session").contains("No space left on device");
        v5.expectClosed();

        TestClient v3 = client();
        v3.send(TestClient.connectBuilder(MqttVersion.MQTT_3_1_1, "persistent3", false).build());
        assertThat(v3.expect(MqttMessageType.CONNACK).reasonCode()).isEqualTo(3); // server unavailable
        v3.expectClosed();

        // a session that ends with its connection needs nothing stored: it is let in
        client().connect(MqttVersion.MQTT_3_1_1, "clean", true);

        stateStore.failWrites(null);
        // the refused login's new session ended with it: nothing to resume, nothing kept but the new one
        TestClient.Packet ack = client().connect(persistentConnect(MqttVersion.MQTT_5, "persistent5"));
        assertThat(((MqttConnAckMessage) ack.message()).variableHeader().isSessionPresent()).isFalse();
        assertThat(stateStore.size(SessionJournal.SESSIONS)).isEqualTo(1);
    }

    private static MqttMessage persistentConnect(MqttVersion version, String clientId) {
        MqttProperties p = new MqttProperties();
        p.add(new MqttProperties.IntegerProperty(MqttProperties.SESSION_EXPIRY_INTERVAL, 3600));
        return TestClient.connectBuilder(version, clientId, false).properties(p).build();
    }
}
