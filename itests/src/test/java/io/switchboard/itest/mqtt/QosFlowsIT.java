package io.switchboard.itest.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.switchboard.itest.mqtt.support.Broker;
import io.switchboard.itest.mqtt.support.BrokerExtension;
import io.switchboard.itest.mqtt.support.Names;
import io.switchboard.itest.mqtt.support.Packet;
import io.switchboard.itest.mqtt.support.Packets;
import io.switchboard.itest.mqtt.support.Paho3;
import io.switchboard.itest.mqtt.support.Properties5;
import io.switchboard.itest.mqtt.support.RawClient;
import io.switchboard.itest.mqtt.support.Transport;

/**
 * PUBLISH at QoS 0, 1 and 2 with the complete acknowledgement flows in both directions (publisher to
 * broker, broker to subscriber), checked on the wire for 3.1.1 (level 4) and 5.0 (level 5): packet
 * identifiers, PUBREL flags, exactly-once for a duplicated QoS 2 PUBLISH, the QoS downgrade to the
 * subscription's, order, and the redelivery of unacknowledged messages (DUP set, same identifier)
 * when a persistent session reconnects.
 */
@ExtendWith(BrokerExtension.class)
class QosFlowsIT {

    private static final Duration QUIET = Duration.ofMillis(300);

    @ParameterizedTest(name = "protocol level {0}")
    @ValueSource(ints = {Packets.V311, Packets.V5})
    void qos0PublishIsNotAcknowledged(int version, Broker broker) throws Exception {
        // [MQTT-4.3.1]: QoS 0 -> no response from the receiver
        String topic = Names.topic("qos0");
        try (RawClient client = RawClient.open(broker, Transport.TCP)) {
            client.connect(version, Names.clientId("qos0"));
            client.subscribe(1, topic, 0);
            client.send(Packets.publish(version, topic, 0, false, 0, "fire and forget"));
            Packet delivered = client.expect(Packet.PUBLISH);
            assertThat(delivered.qos()).isZero();
            assertThat(delivered.payloadText()).isEqualTo("fire and forget");
            client.expectNothing(QUIET);
        }
    }

    @ParameterizedTest(name = "protocol level {0}")
    @ValueSource(ints = {Packets.V311, Packets.V5})
    void qos1PublishIsAcknowledgedWithPubackOfItsPacketIdentifier(int version, Broker broker) throws Exception {
        // 3.1.1 [MQTT-4.3.2-2] / 5.0 [MQTT-4.3.2-4]: PUBACK with the PUBLISH's packet identifier
        String topic = Names.topic("qos1");
        try (RawClient publisher = RawClient.open(broker, Transport.TCP);
                RawClient subscriber = RawClient.open(broker, Transport.TCP)) {
            publisher.connect(version, Names.clientId("pub1"));
            subscriber.connect(version, Names.clientId("sub1"));
            subscriber.subscribe(1, topic, 1);
            publisher.send(Packets.publish(version, topic, 1, false, 4711, "at least once"));
            Packet puback = publisher.expect(Packet.PUBACK);
            assertThat(puback.packetId()).as("PUBACK packet identifier").isEqualTo(4711);
            assertThat(puback.reasonCode()).as("PUBACK reason code").isLessThan(0x80);

            Packet delivered = subscriber.expect(Packet.PUBLISH);
            assertThat(delivered.qos()).isEqualTo(1);
            assertThat(delivered.dup()).as("DUP on a first delivery [MQTT-3.3.1-1]").isFalse();
            assertThat(delivered.packetId()).as("packet identifier of a QoS 1 PUBLISH [MQTT-2.3.1-1]").isNotZero();
            subscriber.send(Packets.ack(Packet.PUBACK, delivered.packetId()));
            subscriber.expectNothing(QUIET);
        }
    }

    @ParameterizedTest(name = "protocol level {0}")
    @ValueSource(ints = {Packets.V311, Packets.V5})
    void qos2InboundFlowIsPubrecPubrelPubcomp(int version, Broker broker) throws Exception {
        // 3.1.1 4.3.3 [MQTT-4.3.3-2] / 5.0 [MQTT-4.3.3-8..11]: PUBLISH -> PUBREC, PUBREL -> PUBCOMP, same identifier
        String topic = Names.topic("qos2in");
        try (RawClient publisher = RawClient.open(broker, Transport.TCP);
                RawClient subscriber = RawClient.open(broker, Transport.TCP)) {
            publisher.connect(version, Names.clientId("pub2"));
            subscriber.connect(version, Names.clientId("sub2"));
            subscriber.subscribe(1, topic, 2);

            publisher.send(Packets.publish(version, topic, 2, false, 77, "exactly once"));
            Packet pubrec = publisher.expect(Packet.PUBREC);
            assertThat(pubrec.packetId()).as("PUBREC packet identifier").isEqualTo(77);
            assertThat(pubrec.reasonCode()).isLessThan(0x80);
            publisher.send(Packets.ack(Packet.PUBREL, 77));
            Packet pubcomp = publisher.expect(Packet.PUBCOMP);
            assertThat(pubcomp.packetId()).as("PUBCOMP packet identifier").isEqualTo(77);
            assertThat(pubcomp.reasonCode()).isZero();

            Packet delivered = subscriber.expect(Packet.PUBLISH);
            assertThat(delivered.qos()).isEqualTo(2);
            assertThat(delivered.payloadText()).isEqualTo("exactly once");
        }
    }

    @ParameterizedTest(name = "protocol level {0}")
    @ValueSource(ints = {Packets.V311, Packets.V5})
    void qos2PublishRepeatedWithDupBeforePubrelIsDeliveredOnce(int version, Broker broker) throws Exception {
        // 4.3.3: until PUBREL the receiver acknowledges a PUBLISH with the same identifier with PUBREC again and
        // MUST NOT cause duplicate delivery [MQTT-4.3.3-2 (3.1.1)] / [MQTT-4.3.3-9 (5.0)]
        String topic = Names.topic("qos2dup");
        try (RawClient publisher = RawClient.open(broker, Transport.TCP);
                RawClient subscriber = RawClient.open(broker, Transport.TCP)) {
            publisher.connect(version, Names.clientId("pubdup"));
            subscriber.connect(version, Names.clientId("subdup"));
            subscriber.subscribe(1, topic, 2);

            publisher.send(Packets.publish(version, topic, 2, false, 9, "once only"));
            assertThat(publisher.expect(Packet.PUBREC).packetId()).isEqualTo(9);
            publisher.send(Packets.publish(version, topic, 2, false, true, 9, "once only".getBytes(), null));
            assertThat(publisher.expect(Packet.PUBREC).packetId()).as("PUBREC for the repeated PUBLISH").isEqualTo(9);
            publisher.send(Packets.ack(Packet.PUBREL, 9));
            assertThat(publisher.expect(Packet.PUBCOMP).packetId()).isEqualTo(9);

            Packet delivered = subscriber.expect(Packet.PUBLISH);
            assertThat(delivered.payloadText()).isEqualTo("once only");
            subscriber.send(Packets.ack(Packet.PUBREC, delivered.packetId()));
            Packet pubrel = subscriber.expect(Packet.PUBREL);
            subscriber.send(Packets.ack(Packet.PUBCOMP, pubrel.packetId()));
            subscriber.expectNothing(QUIET);
        }
    }

    @ParameterizedTest(name = "protocol level {0}")
    @ValueSource(ints = {Packets.V311, Packets.V5})
    void qos2OutboundFlowToTheSubscriber(int version, Broker broker) throws Exception {
        // 4.3.3 sender side: PUBLISH (QoS 2) -> PUBREC from the client -> PUBREL (flags 0010 [MQTT-3.6.1-1]) -> PUBCOMP
        String topic = Names.topic("qos2out");
        try (RawClient client = RawClient.open(broker, Transport.TCP);
                Paho3 publisher = Paho3.connect(broker, Transport.TCP, Names.clientId("p"))) {
            client.connect(version, Names.clientId("out2"));
            client.subscribe(1, topic, 2);
            publisher.publish(topic, "to you, exactly once", 2, false);
            Packet delivered = client.expect(Packet.PUBLISH);
            assertThat(delivered.qos()).isEqualTo(2);
            int id = delivered.packetId();
            client.send(Packets.ack(Packet.PUBREC, id));
            Packet pubrel = client.expect(Packet.PUBREL);
            assertThat(pubrel.packetId()).as("PUBREL packet identifier").isEqualTo(id);
            assertThat(pubrel.flags()).as("PUBREL fixed header flags").isEqualTo(0x2);
            client.send(Packets.ack(Packet.PUBCOMP, id));
            client.expectNothing(QUIET);
        }
    }

    @Test
    void deliveryQosIsTheLowerOfPublicationAndSubscription(Broker broker) throws Exception {
        // 3.1.1 [MQTT-3.8.4-6] / 5.0 3.8.4: delivered QoS = min(published QoS, granted QoS)
        String topic = Names.topic("downgrade");
        try (RawClient sub0 = RawClient.open(broker, Transport.TCP);
                RawClient sub1 = RawClient.open(broker, Transport.TCP);
                Paho3 publisher = Paho3.connect(broker, Transport.TCP, Names.clientId("p"))) {
            sub0.connect(Packets.V311, Names.clientId("sub0"));
            sub1.connect(Packets.V5, Names.clientId("sub1"));
            sub0.subscribe(1, topic, 0);
            sub1.subscribe(1, topic, 1);
            publisher.publish(topic, "sent at QoS 2", 2, false);
            assertThat(sub0.expect(Packet.PUBLISH).qos()).as("QoS for a QoS 0 subscription").isZero();
            Packet atOne = sub1.expect(Packet.PUBLISH);
            assertThat(atOne.qos()).as("QoS for a QoS 1 subscription").isEqualTo(1);
            sub1.send(Packets.ack(Packet.PUBACK, atOne.packetId()));
            publisher.publish(topic, "sent at QoS 0", 0, false);
            assertThat(sub1.expect(Packet.PUBLISH).qos()).as("QoS of a QoS 0 message for a QoS 1 subscription").isZero();
        }
    }

    @Test
    void messagesOfOnePublisherArriveInOrder(Broker broker) throws Exception {
        // 3.1.1 / 5.0 4.6 [MQTT-4.6.0-5 / -6]: a topic's messages from one client keep their order (ordered topic)
        String topic = Names.topic("order");
        try (Paho3 subscriber = Paho3.connect(broker, Transport.WEBSOCKET, Names.clientId("s"));
                Paho3 publisher = Paho3.connect(broker, Transport.TCP, Names.clientId("p"))) {
            subscriber.subscribe(topic, 1);
            for (int i = 0; i < 100; i++) {
                publisher.client().publish(topic, ("#" + i).getBytes(), 1, false);
            }
            List<String> got = new ArrayList<>();
            for (Paho3.Received r : subscriber.inbox().next(100)) {
                got.add(r.text());
            }
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                expected.add("#" + i);
            }
            assertThat(got).containsExactlyElementsOf(expected);
        }
    }

    @ParameterizedTest(name = "protocol level {0}")
    @ValueSource(ints = {Packets.V311, Packets.V5})
    void unacknowledgedQos1IsRedeliveredWithDupOnReconnect(int version, Broker broker) throws Exception {
        // 3.1.1 [MQTT-4.4.0-1] / 5.0 [MQTT-4.4.0-1]: a resumed session re-sends unacknowledged PUBLISH packets with
        // their original packet identifiers and DUP = 1 [MQTT-3.3.1-1]
        String topic = Names.topic("redeliver");
        String id = Names.clientId("redeliver" + version);
        Packets.Connect persistent = Packets.connect(version, id).cleanStart(false);
        if (version == Packets.V5) {
            persistent.properties(Properties5.none().add(Properties5.SESSION_EXPIRY_INTERVAL, 60));
        }
        int firstId;
        try (RawClient client = RawClient.open(broker, Transport.TCP);
                Paho3 publisher = Paho3.connect(broker, Transport.TCP, Names.clientId("p"))) {
            // 3.1.1: clean session 0 from the start (1 would end the session with the connection); 5.0: expiry 60 s
            client.connect(Packets.connect(version, id).cleanStart(version == Packets.V5)
                    .properties(version == Packets.V5 ? Properties5.none().add(Properties5.SESSION_EXPIRY_INTERVAL, 60) : Properties5.none()));
            client.subscribe(1, topic, 1);
            publisher.publish(topic, "please acknowledge", 1, false);
            Packet first = client.expect(Packet.PUBLISH);
            assertThat(first.dup()).isFalse();
            firstId = first.packetId();
            // no PUBACK: the connection is lost
        }
        try (RawClient again = RawClient.open(broker, Transport.TCP)) {
            Packet connack = again.connect(persistent);
            assertThat(connack.sessionPresent()).as("session present").isTrue();
            Packet redelivered = again.expect(Packet.PUBLISH);
            assertThat(redelivered.payloadText()).isEqualTo("please acknowledge");
            assertThat(redelivered.dup()).as("DUP flag of the redelivery").isTrue();
            assertThat(redelivered.packetId()).as("packet identifier of the redelivery").isEqualTo(firstId);
            again.send(Packets.ack(Packet.PUBACK, firstId));
            again.expectNothing(QUIET);
            again.send(Packets.disconnect(version, 0, null));
        }
        try (RawClient cleanup = RawClient.open(broker, Transport.TCP)) {
            cleanup.connect(Packets.connect(version, id).cleanStart(true));
        }
    }

    @ParameterizedTest(name = "protocol level {0}")
    @ValueSource(ints = {Packets.V311, Packets.V5})
    void unacknowledgedPubrelIsResentOnReconnect(int version, Broker broker) throws Exception {
        // 3.1.1 / 5.0 [MQTT-4.4.0-1]: unacknowledged PUBREL packets are re-sent on a resumed session (not the PUBLISH)
        String topic = Names.topic("rerel");
        String id = Names.clientId("rerel" + version);
        Properties5 expiry = version == Packets.V5 ? Properties5.none().add(Properties5.SESSION_EXPIRY_INTERVAL, 60) : Properties5.none();
        int packetId;
        try (RawClient client = RawClient.open(broker, Transport.TCP);
                Paho3 publisher = Paho3.connect(broker, Transport.TCP, Names.clientId("p"))) {
            client.connect(Packets.connect(version, id).cleanStart(version == Packets.V5).properties(expiry));
            client.subscribe(1, topic, 2);
            publisher.publish(topic, "qos 2", 2, false);
            Packet delivered = client.expect(Packet.PUBLISH);
            packetId = delivered.packetId();
            client.send(Packets.ack(Packet.PUBREC, packetId));
            assertThat(client.expect(Packet.PUBREL).packetId()).isEqualTo(packetId);
            // no PUBCOMP: the connection is lost
        }
        try (RawClient again = RawClient.open(broker, Transport.TCP)) {
            Packet connack = again.connect(Packets.connect(version, id).cleanStart(false).properties(expiry));
            assertThat(connack.sessionPresent()).isTrue();
            Packet resent = again.expect(Packet.PUBREL);
            assertThat(resent.packetId()).as("packet identifier of the re-sent PUBREL").isEqualTo(packetId);
            again.send(Packets.ack(Packet.PUBCOMP, packetId));
            again.expectNothing(QUIET);
            again.send(Packets.disconnect(version, 0, null));
        }
        try (RawClient cleanup = RawClient.open(broker, Transport.TCP)) {
            cleanup.connect(Packets.connect(version, id).cleanStart(true));
        }
    }

    @ParameterizedTest(name = "protocol level {0}")
    @ValueSource(ints = {Packets.V311, Packets.V5})
    void aQos2PublishResentAfterReconnectIsStillDeliveredExactlyOnce(int version, Broker broker) throws Exception {
        // [MQTT-4.4.0-1]: the client re-sends its unacknowledged PUBLISH (DUP, same identifier) on a resumed session;
        // the session kept the identifier (4.3.3), so the message is not delivered a second time
        String topic = Names.topic("qos2resume");
        String id = Names.clientId("q2resume" + version);
        Properties5 expiry = version == Packets.V5 ? Properties5.none().add(Properties5.SESSION_EXPIRY_INTERVAL, 60) : Properties5.none();
        try (RawClient subscriber = RawClient.open(broker, Transport.TCP)) {
            subscriber.connect(version, Names.clientId("q2sub"));
            subscriber.subscribe(1, topic, 0);
            try (RawClient publisher = RawClient.open(broker, Transport.TCP)) {
                publisher.connect(Packets.connect(version, id).cleanStart(version == Packets.V5).properties(expiry));
                publisher.send(Packets.publish(version, topic, 2, false, 21, "exactly once, across a reconnect"));
                assertThat(publisher.expect(Packet.PUBREC).packetId()).isEqualTo(21);
                // the connection is lost before the PUBREL
            }
            try (RawClient again = RawClient.open(broker, Transport.TCP)) {
                assertThat(again.connect(Packets.connect(version, id).cleanStart(false).properties(expiry)).sessionPresent()).isTrue();
                again.send(Packets.publish(version, topic, 2, false, true, 21, "exactly once, across a reconnect".getBytes(), null));
                assertThat(again.expect(Packet.PUBREC).packetId()).as("PUBREC for the re-sent PUBLISH").isEqualTo(21);
                again.send(Packets.ack(Packet.PUBREL, 21));
                assertThat(again.expect(Packet.PUBCOMP).packetId()).isEqualTo(21);
                again.send(Packets.disconnect(version, 0, version == Packets.V5
                        ? Properties5.none().add(Properties5.SESSION_EXPIRY_INTERVAL, 0) : null));
            }
            assertThat(subscriber.expect(Packet.PUBLISH).payloadText()).isEqualTo("exactly once, across a reconnect");
            subscriber.expectNothing(QUIET);
        }
        if (version == Packets.V311) {
            try (RawClient cleanup = RawClient.open(broker, Transport.TCP)) {
                cleanup.connect(Packets.connect(version, id).cleanStart(true));
            }
        }
    }

    @Test
    void pahoSubscriberThatDidNotAcknowledgeGetsTheMessageAgainMarkedDuplicate(Broker broker) throws Exception {
        // the same redelivery as a Paho user sees it: manual acknowledgements, the app crashes before acknowledging
        String topic = Names.topic("pahodup");
        String id = Names.clientId("pahodup");
        try (Paho3 publisher = Paho3.connect(broker, Transport.TCP, Names.clientId("p"))) {
            Paho3 crashing = Paho3.create(broker, Transport.TCP, id, new MemoryPersistence());
            crashing.client().setManualAcks(true);
            crashing.connect(o -> o.setCleanSession(false));
            crashing.subscribe(topic, 1);
            publisher.publish(topic, "process me", 1, false);
            Paho3.Received first = crashing.inbox().next();
            assertThat(first.message().isDuplicate()).isFalse();
            crashing.close(); // never called messageArrivedComplete: no PUBACK went out

            try (Paho3 restarted = Paho3.create(broker, Transport.TCP, id)) {
                assertThat(restarted.connect(o -> o.setCleanSession(false)).getSessionPresent()).isTrue();
                Paho3.Received again = restarted.inbox().next();
                assertThat(again.text()).isEqualTo("process me");
                assertThat(again.message().isDuplicate()).as("MqttMessage.isDuplicate() of the redelivery").isTrue();
                restarted.disconnect();
            }
            try (Paho3 cleanup = Paho3.create(broker, Transport.TCP, id)) {
                cleanup.connect(o -> o.setCleanSession(true));
            }
        }
    }
}
