package io.switchboard.itest.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.eclipse.paho.client.mqttv3.MqttException;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import io.switchboard.itest.mqtt.support.Broker;
import io.switchboard.itest.mqtt.support.BrokerExtension;
import io.switchboard.itest.mqtt.support.BrokerExtension.Dedicated;
import io.switchboard.itest.mqtt.support.Hive;
import io.switchboard.itest.mqtt.support.Names;
import io.switchboard.itest.mqtt.support.Packet;
import io.switchboard.itest.mqtt.support.Packets;
import io.switchboard.itest.mqtt.support.Paho3;
import io.switchboard.itest.mqtt.support.Properties5;
import io.switchboard.itest.mqtt.support.RawClient;
import io.switchboard.itest.mqtt.support.Transport;

/**
 * The maximum keep alive ({@code max.keep.alive = 2} in {@code io.switchboard.mqtt.cfg}, Mosquitto's
 * {@code max_keepalive}): an MQTT 5 client asking for more, or for none, is told the maximum as Server
 * Keep Alive and held to it; a 3.1.1 client asking for more is refused, as it cannot be told.
 */
@ExtendWith(BrokerExtension.class)
@Dedicated(config = "io.switchboard.mqtt.cfg: max.keep.alive = 2")
class MaxKeepAliveIT {

    @Test
    void aSilentMqtt5ClientAskingForMoreIsHeldToTheMaximum(Broker broker) throws Exception {
        broker.assumeDistribution();
        // [MQTT-3.2.2-21] the client must use the Server Keep Alive; the server enforces 1.5 x 2 s, not the 600 s asked
        try (RawClient client = RawClient.open(broker, Transport.TCP)) {
            long start = System.nanoTime();
            Packet connack = client.connect(Packets.connect(Packets.V5, Names.clientId("greedy")).keepAlive(600));
            assertThat(connack.properties().integer(Properties5.SERVER_KEEP_ALIVE))
                    .as("Server Keep Alive in " + connack).isEqualTo(2);
            List<Packet> before = client.awaitClosed(Duration.ofSeconds(10));
            long closedAfter = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertThat(closedAfter).as("ms until the silent client was disconnected").isBetween(2500L, 6000L);
            assertThat(before).filteredOn(p -> p.type() == Packet.DISCONNECT).extracting(Packet::reasonCode)
                    .as("[MQTT-3.1.2-22] keep alive timeout").containsExactly(0x8D);
        }
    }

    @Test
    void aMqtt5ClientAskingForNoKeepAliveIsToldTheMaximum(Broker broker) throws Exception {
        broker.assumeDistribution();
        try (RawClient client = RawClient.open(broker, Transport.TCP)) {
            Packet connack = client.connect(Packets.connect(Packets.V5, Names.clientId("forever")).keepAlive(0));
            assertThat(connack.properties().integer(Properties5.SERVER_KEEP_ALIVE))
                    .as("Server Keep Alive in " + connack).isEqualTo(2);
        }
    }

    @Test
    void aClientFollowingTheServerKeepAliveStaysConnected(Broker broker) throws Exception {
        broker.assumeDistribution();
        // the HiveMQ client pings at the Server Keep Alive (Paho Java 1.2.5 ignores it and is disconnected)
        Mqtt5BlockingClient client = Hive.v5(broker, Transport.TCP, Names.clientId("hive-ska"));
        try {
            Mqtt5ConnAck connack = client.connectWith().keepAlive(600).cleanStart(true).send();
            assertThat(connack.getServerKeepAlive()).hasValue(2);
            String topic = Names.topic("hive-ska");
            client.subscribeWith().topicFilter(topic).qos(MqttQos.AT_LEAST_ONCE).send();
            try (Mqtt5BlockingClient.Mqtt5Publishes publishes = client.publishes(MqttGlobalPublishFilter.ALL)) {
                Thread.sleep(4_000); // past 1.5 x 2 s: the time passing is the behaviour under test
                assertThat(client.getState().isConnected()).as("a client pinging at the Server Keep Alive stays").isTrue();
                client.publishWith().topic(topic).qos(MqttQos.AT_LEAST_ONCE).payload("still here".getBytes(UTF_8)).send();
                assertThat(publishes.receive(10, TimeUnit.SECONDS)).get()
                        .satisfies(p -> assertThat(new String(p.getPayloadAsBytes(), UTF_8)).isEqualTo("still here"));
            }
        } finally {
            Hive.disconnect(client);
        }
    }

    @Test
    void aMqtt311ClientAskingForMoreIsRefused(Broker broker) throws Exception {
        broker.assumeDistribution();
        // 3.1.1 has no Server Keep Alive: CONNACK 0x02 (identifier rejected), as Mosquitto answers
        Paho3 greedy = Paho3.create(broker, Transport.TCP, Names.clientId("greedy3"));
        try {
            assertThatThrownBy(() -> greedy.connect(o -> o.setKeepAliveInterval(60)))
                    .isInstanceOfSatisfying(MqttException.class, e -> assertThat(e.getReasonCode()).isEqualTo(2));
        } finally {
            greedy.close();
        }
        Paho3 modest = Paho3.create(broker, Transport.TCP, Names.clientId("modest3"));
        try {
            modest.connect(o -> o.setKeepAliveInterval(2));
            assertThat(modest.client().isConnected()).isTrue();
        } finally {
            modest.close();
        }
    }
}
