package io.switchboard.itest.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.switchboard.itest.mqtt.support.Broker;
import io.switchboard.itest.mqtt.support.BrokerExtension;
import io.switchboard.itest.mqtt.support.Names;
import io.switchboard.itest.mqtt.support.Packet;
import io.switchboard.itest.mqtt.support.Packets;
import io.switchboard.itest.mqtt.support.RawClient;
import io.switchboard.itest.mqtt.support.Transport;

/**
 * Keep alive (3.1.2.10): PINGREQ gets PINGRESP; a client silent for one and a half keep alive periods
 * is disconnected, one that keeps talking is not. The server keep alive (MQTT 5) is in {@link LimitsIT}.
 */
@ExtendWith(BrokerExtension.class)
class KeepAliveIT {

    @ParameterizedTest(name = "protocol level {0}")
    @ValueSource(ints = {Packets.V311, Packets.V5})
    void pingreqIsAnsweredWithPingresp(int version, Broker broker) throws Exception {
        // [MQTT-3.12.4-1]
        try (RawClient client = RawClient.open(broker, Transport.WEBSOCKET)) {
            client.connect(version, Names.clientId("ping"));
            client.send(Packets.pingreq());
            assertThat(client.expect(Packet.PINGRESP).body()).isEmpty();
        }
    }

    @ParameterizedTest(name = "protocol level {0}")
    @ValueSource(ints = {Packets.V311, Packets.V5})
    void aSilentClientIsDisconnectedAfterOneAndAHalfKeepAlives(int version, Broker broker) throws Exception {
        // 3.1.1 [MQTT-3.1.2-24] / 5.0 [MQTT-3.1.2-22]: nothing received within 1.5 x keep alive -> disconnect
        try (RawClient client = RawClient.open(broker, Transport.TCP)) {
            long start = System.nanoTime();
            client.connect(Packets.connect(version, Names.clientId("silent")).keepAlive(1));
            java.util.List<Packet> before = client.awaitClosed(Duration.ofSeconds(6));
            long closedAfter = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertThat(closedAfter).as("ms until a client with keep alive 1 s and no traffic was disconnected").isBetween(900L, 3500L);
            if (version == Packets.V5) {
                // 5.0 may say why first: DISCONNECT 0x8D (Keep Alive timeout)
                before.stream().filter(p -> p.type() == Packet.DISCONNECT)
                        .forEach(p -> assertThat(p.reasonCode()).as("DISCONNECT reason code").isEqualTo(0x8D));
            }
        }
    }

    @Test
    void aClientThatKeepsPingingStaysConnected(Broker broker) throws Exception {
        try (RawClient client = RawClient.open(broker, Transport.TCP)) {
            client.connect(Packets.connect(Packets.V311, Names.clientId("pinger")).keepAlive(1));
            for (int i = 0; i < 5; i++) { // 2.5 s, well past 1.5 x keep alive
                client.send(Packets.pingreq());
                assertThat(client.expect(Packet.PINGRESP)).isNotNull();
                Thread.sleep(500); // the client's pace, not an assertion
            }
            String topic = Names.topic("pinger");
            client.subscribe(1, topic, 0);
            client.send(Packets.publish(Packets.V311, topic, 0, false, 0, "still here"));
            assertThat(client.expect(Packet.PUBLISH).payloadText()).isEqualTo("still here");
        }
    }

    @Test
    void keepAliveZeroTurnsTheMechanismOff(Broker broker) throws Exception {
        // [MQTT-3.1.2-...] keep alive 0: the server is not required to disconnect an idle client
        try (RawClient client = RawClient.open(broker, Transport.TCP)) {
            client.connect(Packets.connect(Packets.V311, Names.clientId("nokeepalive")).keepAlive(0));
            client.expectNothing(Duration.ofMillis(2000));
            client.send(Packets.pingreq());
            assertThat(client.expect(Packet.PINGRESP)).isNotNull();
        }
    }
}
