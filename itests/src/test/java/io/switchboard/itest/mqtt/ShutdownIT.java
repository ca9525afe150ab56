package io.switchboard.itest.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import io.switchboard.itest.mqtt.support.Broker;
import io.switchboard.itest.mqtt.support.BrokerExtension;
import io.switchboard.itest.mqtt.support.BrokerExtension.Dedicated;
import io.switchboard.itest.mqtt.support.Names;
import io.switchboard.itest.mqtt.support.Packet;
import io.switchboard.itest.mqtt.support.Packets;
import io.switchboard.itest.mqtt.support.Paho3;
import io.switchboard.itest.mqtt.support.RawClient;
import io.switchboard.itest.mqtt.support.Transport;

/**
 * A server-sent DISCONNECT on shutdown, on a distribution of its own: stopping the broker (SIGTERM)
 * sends MQTT 5 clients DISCONNECT 0x8B (Server shutting down, 5.0 3.14.2.1) and closes every
 * connection; the process exits with status 0.
 */
@ExtendWith(BrokerExtension.class)
@Dedicated
class ShutdownIT {

    @Test
    void stoppingTheBrokerDisconnectsEveryClientSayingWhy(Broker broker) throws Exception {
        broker.assumeDistribution();
        try (RawClient v5 = RawClient.open(broker, Transport.TCP);
                RawClient v5ws = RawClient.open(broker, Transport.WEBSOCKET);
                RawClient v311 = RawClient.open(broker, Transport.TLS);
                Paho3 paho = Paho3.connect(broker, Transport.TCP, Names.clientId("paho"))) {
            v5.connect(Packets.V5, Names.clientId("v5"));
            v5ws.connect(Packets.V5, Names.clientId("v5ws"));
            v311.connect(Packets.V311, Names.clientId("v311"));

            assertThat(broker.stop()).as("exit status after SIGTERM\n" + broker.console()).isZero();

            for (RawClient client : List.of(v5, v5ws)) {
                List<Packet> before = client.awaitClosed(Duration.ofSeconds(10));
                assertThat(before).as("what an MQTT 5 client received before the close").anySatisfy(p -> {
                    assertThat(p.type()).isEqualTo(Packet.DISCONNECT);
                    assertThat(p.reasonCode()).as("DISCONNECT reason code").isEqualTo(0x8B);
                });
            }
            assertThat(v311.awaitClosed(Duration.ofSeconds(10))).as("3.1.1 has no server DISCONNECT").isEmpty();
            assertThat(paho.connectionLost().get(10, java.util.concurrent.TimeUnit.SECONDS)).isNotNull();
        }
    }
}
