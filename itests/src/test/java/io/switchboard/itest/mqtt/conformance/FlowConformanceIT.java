package io.switchboard.itest.mqtt.conformance;

import static io.switchboard.itest.mqtt.conformance.Conformance.QUIET;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;

import io.switchboard.itest.mqtt.support.Broker;
import io.switchboard.itest.mqtt.support.BrokerExtension;
import io.switchboard.itest.mqtt.support.Hive;
import io.switchboard.itest.mqtt.support.Names;
import io.switchboard.itest.mqtt.support.Packet;
import io.switchboard.itest.mqtt.support.Packets;
import io.switchboard.itest.mqtt.support.Paho5;
import io.switchboard.itest.mqtt.support.Properties5;
import io.switchboard.itest.mqtt.support.RawClient;
import io.switchboard.itest.mqtt.support.Transport;

/**
 * Flow control and per-connection state with the broker's default settings: the server's Receive Maximum
 * (exactly that many unacknowledged PUBLISH packets, one more is 0x93, also in a burst), the client's (QoS 2 counted
 * until PUBCOMP; a HiveMQ client with 1), topic aliases (remapped; never carried to another connection, either
 * way; resolved by a HiveMQ client) and message expiry (a 3.1.1 session, a retained message).
 */
@ExtendWith(BrokerExtension.class)
class FlowConformanceIT {

    private static final Duration CLOSE = Duration.ofSeconds(10);

    @Test
    void theServersReceiveMaximumAdmitsExactlyThatManyUnacknowledgedPublishes(Broker broker) throws Exception {
        // 3.2.2.3.3 / [MQTT-3.3.4-7]: a client may have Receive Maximum QoS 1/2 PUBLISH packets unacknowledged (a QoS 2
        // one until the server's PUBCOMP); one more -> DISCONNECT 0x93 (Receive Maximum exceeded)
        String topic = Names.topic("serverrm");
        try (RawClient client = RawClient.open(broker, Transport.TCP)) {
            Packet connack = client.connect(Packets.V5, Names.clientId("serverrm"));
            Integer announced = connack.properties().integer(Properties5.RECEIVE_MAXIMUM);
            int receiveMaximum = announced == null ? 65535 : announced;
            assertThat(receiveMaximum).as("Receive Maximum in " + connack).isLessThan(1000);
            for (int id = 1; id <= receiveMaximum; id++) { // no PUBREL: each stays unacknowledged
                client.send(Packets.publish(Packets.V5, topic, 2, false, id, "in flight " + id));
                assertThat(client.expect(Packet.PUBREC).packetId()).isEqualTo(id);
            }
            client.sendQuietly(Packets.publish(Packets.V5, topic, 2, false, receiveMaximum + 1, "one too many"));
            List<Packet> before = client.awaitClosed(CLOSE);
            assertThat(before).as("packets before the close").anySatisfy(p -> {
                assertThat(p.type()).isEqualTo(Packet.DISCONNECT);
                assertThat(p.reasonCode()).as("DISCONNECT reason code").isEqualTo(0x93);
            });
        }
        Conformance.roundTrip(broker);
    }

    @Test
    void aBurstBeyondTheServersReceiveMaximumIsStillAnsweredWithDisconnect0x93(Broker broker) throws Exception {
        // 3.2.2.3.3 / 4.13.2: the server tells the client why (DISCONNECT 0x93) before it closes, even while the client
        // is still writing: the client must be able to read it
        String topic = Names.topic("serverrmburst");
        try (RawClient client = RawClient.open(broker, Transport.TCP)) {
            Packet connack = client.connect(Packets.V5, Names.clientId("rmburst"));
            Integer announced = connack.properties().integer(Properties5.RECEIVE_MAXIMUM);
            int receiveMaximum = announced == null ? 65535 : announced;
            assertThat(receiveMaximum).as("Receive Maximum in " + connack).isLessThan(1000);
            ByteArrayOutputStream burst = new ByteArrayOutputStream();
            for (int id = 1; id <= receiveMaximum + 50; id++) {
                burst.writeBytes(Packets.publish(Packets.V5, topic, 2, false, id, "burst " + id));
            }
            client.sendQuietly(burst.toByteArray());
            List<Packet> before = client.awaitClosed(CLOSE);
            assertThat(before).as("packets before the close").anySatisfy(p -> {
                assertThat(p.type()).isEqualTo(Packet.DISCONNECT);
                assertThat(p.reasonCode()).as("DISCONNECT reason code").isEqualTo(0x93);
            });
        }
        Conformance.roundTrip(broker);
    }

    @Test
    void theClientsReceiveMaximumCountsAQos2MessageUntilItsPubcomp(Broker broker) throws Exception {
        // [MQTT-3.3.4-9] and 4.9: the send quota grows again at PUBACK or PUBCOMP, not at PUBREC
        String topic = Names.topic("clientrm2");
        try (RawClient client = RawClient.open(broker, Transport.TCP);
                RawClient publisher = RawClient.open(broker, Transport.TCP)) {
            client.connect(Packets.connect(Packets.V5, Names.clientId("rmone"))
                    .properties(Properties5.none().add(Properties5.RECEIVE_MAXIMUM, 1)));
            publisher.connect(Packets.V5, Names.clientId("pub"));
            client.subscribe(1, topic, 2);
            for (int i = 1; i <= 3; i++) {
                Conformance.publish(publisher, Packets.V5, topic, 2, false, i, "m" + i);
            }
            List<String> got = new ArrayList<>();
            for (int i = 1; i <= 3; i++) {
                Packet p = client.expect(Packet.PUBLISH);
                got.add(p.payloadText());
                client.expectNothing(QUIET); // one unacknowledged
                client.send(Packets.ack(Packet.PUBREC, p.packetId()));
                Packet pubrel = client.expect(Packet.PUBREL);
                client.expectNothing(QUIET); // PUBREC does not end it
                client.send(Packets.ack(Packet.PUBCOMP, pubrel.packetId()));
            }
            assertThat(got).containsExactly("m1", "m2", "m3");
        }
    }

    @Test
    void aHiveMqSubscriberWithReceiveMaximumOneGetsEveryMessageInOrder(Broker broker) throws Exception {
        // [MQTT-3.3.4-9] as a HiveMQ client sees it (it disconnects a server that sends more than it allows)
        String topic = Names.topic("hiverm");
        Mqtt5BlockingClient hive = Hive.v5(broker, Transport.TCP, Names.clientId("hiverm"));
        hive.connectWith().restrictions().receiveMaximum(1).applyRestrictions().send();
        try (Paho5 publisher = Paho5.connect(broker, Transport.TCP, Names.clientId("pub"));
                Mqtt5BlockingClient.Mqtt5Publishes publishes = hive.publishes(MqttGlobalPublishFilter.ALL)) {
            hive.subscribeWith().topicFilter(topic).qos(MqttQos.EXACTLY_ONCE).send();
            for (int i = 0; i < 20; i++) {
                publisher.publish(topic, "m" + i, 1 + i % 2, false);
            }
            List<String> got = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                Mqtt5Publish p = Conformance.receive(publishes, "the HiveMQ client with Receive Maximum 1 (after " + got + ")");
                got.add(new String(p.getPayloadAsBytes(), StandardCharsets.UTF_8));
            }
            assertThat(got).containsExactlyElementsOf(java.util.stream.IntStream.range(0, 20).mapToObj(i -> "m" + i).toList());
            assertThat(hive.getState().isConnected()).as("the HiveMQ client is still connected").isTrue();
        } finally {
            Hive.disconnect(hive);
        }
    }

    @Test
    void aClientMayRemapATopicAlias(Broker broker) throws Exception {
        // 3.3.2.3.4: a PUBLISH with the same Topic Alias and another topic name changes the mapping
        String topic = Names.topic("remap");
        try (Paho5 subscriber = Paho5.connect(broker, Transport.TCP, Names.clientId("sub"));
                RawClient publisher = RawClient.open(broker, Transport.TCP)) {
            subscriber.subscribe(topic + "/#", 1);
            publisher.connect(Packets.V5, Names.clientId("remapper"));
            Properties5 alias1 = Properties5.none().add(Properties5.TOPIC_ALIAS, 1);
            publisher.send(Packets.publish(Packets.V5, topic + "/a", 1, false, false, 1, "a1".getBytes(), alias1));
            publisher.send(Packets.publish(Packets.V5, topic + "/b", 1, false, false, 2, "b1".getBytes(), alias1));
            publisher.send(Packets.publish(Packets.V5, "", 1, false, false, 3, "b2".getBytes(), alias1));
            for (int i = 0; i < 3; i++) {
                assertThat(publisher.expect(Packet.PUBACK).reasonCode()).isLessThan(0x80);
            }
            assertThat(subscriber.inbox().next(3)).extracting(r -> r.topic() + " " + r.text())
                    .containsExactly(topic + "/a a1", topic + "/b b1", topic + "/b b2");
        }
    }

    @Test
    void theClientsTopicAliasesDoNotOutliveItsConnection(Broker broker) throws Exception {
        // [MQTT-3.3.2-7]: Topic Alias mappings are not carried from one network connection to another: an empty topic
        // name with an alias set on the previous connection is unknown -> DISCONNECT 0x82 (Protocol Error)
        String topic = Names.topic("aliasgone");
        String id = Names.clientId("aliasgone");
        try (RawClient first = RawClient.open(broker, Transport.TCP)) {
            first.connect(Packets.connect(Packets.V5, id).properties(Properties5.none().add(Properties5.SESSION_EXPIRY_INTERVAL, 30)));
            first.send(Packets.publish(Packets.V5, topic, 1, false, false, 1, "set".getBytes(),
                    Properties5.none().add(Properties5.TOPIC_ALIAS, 1)));
            first.expect(Packet.PUBACK);
        }
        try (RawClient second = RawClient.open(broker, Transport.TCP)) {
            second.connect(Packets.connect(Packets.V5, id).cleanStart(false));
            second.sendQuietly(Packets.publish(Packets.V5, "", 1, false, false, 2, "by an old alias".getBytes(),
                    Properties5.none().add(Properties5.TOPIC_ALIAS, 1)));
            List<Packet> before = second.awaitClosed(CLOSE);
            assertThat(before).as("packets before the close").anySatisfy(p -> {
                assertThat(p.type()).isEqualTo(Packet.DISCONNECT);
                assertThat(p.reasonCode()).as("DISCONNECT reason code").isEqualTo(0x82);
            });
            assertThat(before).as("no PUBACK for a PUBLISH by an old alias").noneMatch(p -> p.type() == Packet.PUBACK);
        }
    }

    @Test
    void theServersTopicAliasesStartAfreshOnANewConnection(Broker broker) throws Exception {
        // [MQTT-3.3.2-7]: the server does not use a mapping of a previous connection: the first PUBLISH of a topic on
        // the resumed session's new connection carries the topic name
        String topic = Names.topic("serveraliasfresh");
        String id = Names.clientId("aliasfresh");
        Properties5 connectProps = Properties5.none().add(Properties5.SESSION_EXPIRY_INTERVAL, 30).add(Properties5.TOPIC_ALIAS_MAXIMUM, 5);
        try (RawClient publisher = RawClient.open(broker, Transport.TCP)) {
            publisher.connect(Packets.V5, Names.clientId("pub"));
            try (RawClient first = RawClient.open(broker, Transport.TCP)) {
                first.connect(Packets.connect(Packets.V5, id).properties(connectProps));
                first.subscribe(1, topic, 0);
                for (int i = 1; i <= 2; i++) {
                    Conformance.publish(publisher, Packets.V5, topic, 0, false, 0, "before " + i);
                }
                Packet one = first.expect(Packet.PUBLISH);
                Packet two = first.expect(Packet.PUBLISH);
                assertThat(one.properties().has(Properties5.TOPIC_ALIAS)).as("an alias to a client allowing 5: " + one).isTrue();
                assertThat(two.topic()).as("the second PUBLISH uses the alias alone: " + two).isEmpty();
                first.send(Packets.disconnect(Packets.V5, 0, null));
                first.awaitClosed(CLOSE);
            }
            try (RawClient second = RawClient.open(broker, Transport.TCP)) {
                assertThat(second.connect(Packets.connect(Packets.V5, id).cleanStart(false).properties(connectProps)).sessionPresent()).isTrue();
                Conformance.publish(publisher, Packets.V5, topic, 0, false, 0, "after");
                Packet after = second.expect(Packet.PUBLISH);
                assertThat(after.topic()).as("topic name of the first PUBLISH on the new connection: " + after).isEqualTo(topic);
                second.send(Packets.disconnect(Packets.V5, 0, Properties5.none().add(Properties5.SESSION_EXPIRY_INTERVAL, 0)));
            }
        }
    }

    @Test
    void aHiveMqSubscriberResolvesTheServersTopicAliases(Broker broker) throws Exception {
        // 3.3.2.3.4 as a HiveMQ client sees it with Topic Alias Maximum 1: every message under its own topic
        String topic = Names.topic("hivealias");
        Mqtt5BlockingClient hive = Hive.v5(broker, Transport.TCP, Names.clientId("hivealias"));
        hive.connectWith().restrictions().topicAliasMaximum(1).applyRestrictions().send();
        try (Paho5 publisher = Paho5.connect(broker, Transport.TCP, Names.clientId("pub"));
                Mqtt5BlockingClient.Mqtt5Publishes publishes = hive.publishes(MqttGlobalPublishFilter.ALL)) {
            hive.subscribeWith().topicFilter(topic + "/+").qos(MqttQos.AT_LEAST_ONCE).send();
            List<String> sent = List.of("a", "a", "b", "a", "b", "b", "c", "a");
            for (String t : sent) {
                publisher.publish(topic + "/" + t, t, 1, false);
            }
            List<String> got = new ArrayList<>();
            for (int i = 0; i < sent.size(); i++) {
                Mqtt5Publish p = Conformance.receive(publishes, "the HiveMQ client");
                got.add(p.getTopic() + "=" + new String(p.getPayloadAsBytes(), StandardCharsets.UTF_8));
            }
            assertThat(got).containsExactlyElementsOf(sent.stream().map(t -> topic + "/" + t + "=" + t).toList());
        } finally {
            Hive.disconnect(hive);
        }
    }

    @Test
    void messagesExpireWhileWaitingForAn311SessionAndRetainedOnesCountDown(Broker broker) throws Exception {
        // [MQTT-3.3.2-5]: a message whose expiry passed is not delivered, whatever the subscriber's protocol version;
        // [MQTT-3.3.2-6]: a retained message sent later carries its expiry minus the time it was kept
        String topic = Names.topic("expiry311");
        String id = Names.clientId("expiry311");
        try (RawClient offline = RawClient.open(broker, Transport.TCP)) {
            offline.connect(Packets.connect(Packets.V311, id).cleanStart(false));
            offline.subscribe(1, topic, 1);
            offline.send(Packets.disconnect(Packets.V311, 0, null));
            offline.awaitClosed(CLOSE);
        }
        try (RawClient publisher = RawClient.open(broker, Transport.TCP)) {
            publisher.connect(Packets.V5, Names.clientId("pub"));
            publisher.send(Packets.publish(Packets.V5, topic, 1, false, false, 1, "short-lived".getBytes(),
                    Properties5.none().add(Properties5.MESSAGE_EXPIRY_INTERVAL, 1)));
            publisher.expect(Packet.PUBACK);
            publisher.send(Packets.publish(Packets.V5, topic, 1, false, false, 2, "long-lived".getBytes(),
                    Properties5.none().add(Properties5.MESSAGE_EXPIRY_INTERVAL, 60)));
            publisher.expect(Packet.PUBACK);
            publisher.send(Packets.publish(Packets.V5, topic + "/retained", 1, true, false, 3, "retained".getBytes(),
                    Properties5.none().add(Properties5.MESSAGE_EXPIRY_INTERVAL, 10)));
            publisher.expect(Packet.PUBACK);
            Thread.sleep(2100); // the behaviour under test is the passing of time: the 1 s message expires meanwhile
            try (RawClient back = RawClient.open(broker, Transport.TCP)) {
                assertThat(back.connect(Packets.connect(Packets.V311, id).cleanStart(false)).sessionPresent()).isTrue();
                Packet p = back.expect(Packet.PUBLISH);
                assertThat(p.payloadText()).as("the first message after 2 s offline").isEqualTo("long-lived");
                back.send(Packets.ack(Packet.PUBACK, p.packetId()));
                back.expectNothing(QUIET);
                back.send(Packets.disconnect(Packets.V311, 0, null));
            }
            try (RawClient late = RawClient.open(broker, Transport.TCP)) {
                late.connect(Packets.V5, Names.clientId("late"));
                late.subscribe(1, topic + "/retained", 1);
                Packet retained = late.expect(Packet.PUBLISH);
                assertThat(retained.properties().integer(Properties5.MESSAGE_EXPIRY_INTERVAL))
                        .as("Message Expiry Interval of a retained message kept 2 s (sent with 10)").isNotNull().isBetween(1, 8);
                Conformance.acknowledge(late, retained);
            } finally {
                publisher.send(Packets.publish(Packets.V5, topic + "/retained", 1, true, 4, ""));
                publisher.expect(Packet.PUBACK);
            }
        }
        try (RawClient cleanup = RawClient.open(broker, Transport.TCP)) {
            cleanup.connect(Packets.connect(Packets.V311, id).cleanStart(true)); // ends the persistent session
        }
    }
}
