package io.switchboard.mqtt.internal.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;

import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttVersion;
import org.junit.jupiter.api.Test;

/** A store that cannot write (a full disk): no publisher is told its message was accepted, and it recovers. */
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
}
