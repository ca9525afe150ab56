package io.switchboard.mqtt.internal.protocol;

import static io.netty.handler.codec.mqtt.MqttMessageType.CONNACK;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttVersion;
import io.switchboard.api.ReasonCode;
import io.switchboard.api.broker.RefusedException;
import org.junit.jupiter.api.Test;

/** max.connections of the listener and of the broker, and max.connection.rate per source address. */
class ConnectionLimitsTest extends LoopbackTest {

    private static ProtocolLimits limits(int maxConnections, int maxConnectionRate) {
        return new ProtocolLimits(maxConnections, maxConnectionRate, ProtocolLimits.DEFAULT_MAX_TOPIC_LENGTH,
                ProtocolLimits.DEFAULT_MAX_SUBSCRIPTIONS);
    }

    private TestClient connected(String id) {
        TestClient c = client();
        c.connect(MqttVersion.MQTT_5, id, true);
        return c;
    }

    private TestClient.Packet refused(MqttVersion version, String id) {
        TestClient c = client();
        c.send(TestClient.connectBuilder(version, id, true).build());
        TestClient.Packet ack = c.expect(CONNACK);
        c.expectClosed();
        return ack;
    }

    private void noPlacesHeld() {
        eventually(() -> {
            assertThat(listener.connections().open()).as("places on the listener").isZero();
            assertThat(protocol.mqttConnections().open()).as("places in the broker's total").isZero();
        });
    }

    @Test
    void beyondTheListenersMaximumAConnectIsRefusedWithQuotaExceeded() {
        listenerMaxConnections = 2;
        TestClient first = connected("first");
        connected("second");

        TestClient.Packet v5 = refused(MqttVersion.MQTT_5, "third");
        assertThat(v5.reasonCode()).as("CONNACK 0x97 Quota exceeded").isEqualTo(0x97);
        assertThat((String) v5.property(MqttProperties.REASON_STRING)).contains("listener 'test'", "max.connections");
        assertThat(refused(MqttVersion.MQTT_3_1_1, "third311").reasonCode()).as("3.1.1: 3 Server unavailable").isEqualTo(3);
        assertThat(broker.logins).as("refused before the login").hasSize(2);

        first.close();
        eventually(() -> assertThat(listener.connections().open()).isEqualTo(1));
        connected("after");
    }

    @Test
    void beyondTheBrokersMaximumAConnectIsRefusedOnAnyListener() {
        settings = settings.withLimits(limits(2, 0));
        connected("one");
        TestClient two = connected("two");

        TestClient.Packet ack = refused(MqttVersion.MQTT_5, "three");
        assertThat(ack.reasonCode()).isEqualTo(0x97);
        assertThat((String) ack.property(MqttProperties.REASON_STRING)).contains("the broker has its maximum of 2");

        two.disconnect();
        two.expectClosed();
        eventually(() -> assertThat(protocol.mqttConnections().open()).isEqualTo(1));
        connected("four");
    }

    @Test
    void everyConnectionGivesItsPlaceBackHoweverItEnds() {
        listenerMaxConnections = 1;
        broker.loginPolicy = r -> r.clientId().equals("intruder")
                ? new RefusedException(ReasonCode.NOT_AUTHORIZED, "no") : null;

        TestClient intruder = client();
        intruder.send(TestClient.connectBuilder(MqttVersion.MQTT_5, "intruder", true).build());
        assertThat(intruder.expect(CONNACK).reasonCode()).isEqualTo(0x87);
        intruder.expectClosed();
        noPlacesHeld();

        TestClient silent = client(); // never sends CONNECT
        silent.close();
        TestClient badWill = client(); // refused after it took its place
        badWill.send(TestClient.connectBuilder(MqttVersion.MQTT_5, "bad-will", true).willFlag(true)
                .willTopic("a" + "/a".repeat(ProtocolSettings.DEFAULT_MAX_TOPIC_LEVELS)).willMessage(new byte[0]).build());
        assertThat(badWill.expect(CONNACK).reasonCode()).as("a will topic of too many levels").isEqualTo(0x90);
        badWill.expectClosed();
        noPlacesHeld();

        TestClient lost = connected("lost");
        lost.close();
        noPlacesHeld();
        TestClient gone = connected("gone");
        gone.disconnect();
        gone.expectClosed();
        noPlacesHeld();
    }

    @Test
    void aClientReconnectingWhileItsOldConnectionIsOpenWaitsForItsPlace() {
        // as Mosquitto's max_connections: the old connection holds its place until it is closed
        listenerMaxConnections = 1;
        TestClient old = connected("same");
        assertThat(refused(MqttVersion.MQTT_5, "same").reasonCode()).isEqualTo(0x97);
        assertThat(old.isOpen()).as("the connection holding the place stays").isTrue();
        old.close();
        noPlacesHeld();
        connected("same");
    }

    @Test
    void newConnectionsBeyondTheRatePerSourceAreClosedAtAccept() {
        settings = settings.withLimits(limits(0, 2));
        connected("a");
        connected("b");

        TestClient third = client();
        third.expectClosed();
        assertThat(third.received).as("closed before anything is read or sent").isEmpty();
        assertThat(broker.events).as("the broker never hears of it").filteredOn(e -> e.startsWith("accept")).hasSize(2);
    }
}
