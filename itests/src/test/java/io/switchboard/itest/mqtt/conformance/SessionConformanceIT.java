package io.switchboard.itest.mqtt.conformance;

import static io.switchboard.itest.mqtt.conformance.Conformance.QUIET;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import com.hivemq.client.mqtt.mqtt3.Mqtt3BlockingClient;
import com.hivemq.client.mqtt.mqtt3.exceptions.Mqtt3ConnAckException;
import com.hivemq.client.mqtt.mqtt3.message.connect.connack.Mqtt3ConnAckReturnCode;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAck;

import io.switchboard.itest.mqtt.support.Broker;
import io.switchboard.itest.mqtt.support.BrokerExtension;
import io.switchboard.itest.mqtt.support.Hive;
import io.switchboard.itest.mqtt.support.Names;
import io.switchboard.itest.mqtt.support.Packet;
import io.switchboard.itest.mqtt.support.Packets;
import io.switchboard.itest.mqtt.support.Paho3;
import io.switchboard.itest.mqtt.support.Paho5;
import io.switchboard.itest.mqtt.support.Properties5;
import io.switchboard.itest.mqtt.support.RawClient;
import io.switchboard.itest.mqtt.support.Transport;

/**
 * Sessions and connections as SessionsIT, WillsIT and KeepAliveIT leave them open: a Paho 5 session resumed and
 * discarded, an assigned client identifier naming a session that can be resumed, empty client ids from real clients
 * (3.1.1: accepted with clean session, refused without), the will sent at the earlier of its delay and the session's
 * end (both orders, and without session expiry), and real clients with a 1 s keep alive kept connected by their pings.
 */
@ExtendWith(BrokerExtension.class)
class SessionConformanceIT {

    private static final Duration CLOSE = Duration.ofSeconds(10);

    @Test
    void aPaho5SessionIsResumedWithItsQueuedMessagesAndDiscardedByACleanStart(Broker broker) throws Exception {
        // 5.0 [MQTT-3.1.2-4] clean start 1 discards the session, [MQTT-3.1.2-5] clean start 0 resumes it, [MQTT-3.2.2-2]
        // session present 1 when resumed, [MQTT-3.2.2-3] 0 otherwise; queued QoS 1 and 2 messages follow in order
        String topic = Names.topic("paho5resume");
        String id = Names.clientId("paho5resume");
        try (Paho5 first = Paho5.create(broker, Transport.TCP, id)) {
            IMqttToken connack = first.connect(o -> o.setSessionExpiryInterval(60L));
            assertThat(connack.getSessionPresent()).as("session present on a first connect").isFalse();
            first.subscribe(topic, 2);
            first.disconnect();
        }
        try (Paho5 publisher = Paho5.connect(broker, Transport.TCP, Names.clientId("pub"))) {
            publisher.publish(topic, "queued qos 1", 1, false);
            publisher.publish(topic, "queued qos 2", 2, false);
            try (Paho5 back = Paho5.create(broker, Transport.WEBSOCKET, id)) {
                IMqttToken connack = back.connect(o -> {
                    o.setCleanStart(false);
                    o.setSessionExpiryInterval(60L);
                });
                assertThat(connack.getSessionPresent()).as("session present with clean start 0").isTrue();
                assertThat(back.inbox().next(2)).extracting(r -> r.text() + " at " + r.message().getQos())
                        .containsExactly("queued qos 1 at 1", "queued qos 2 at 2");
                back.disconnect();
            }
            try (Paho5 fresh = Paho5.create(broker, Transport.TCP, id)) {
                IMqttToken connack = fresh.connect(o -> o.setSessionExpiryInterval(60L));
                assertThat(connack.getSessionPresent()).as("session present with clean start 1").isFalse();
                fresh.subscribe(topic + "/marker", 1);
                publisher.publish(topic, "for a discarded subscription", 1, false);
                publisher.publish(topic + "/marker", "marker", 1, false);
                assertThat(fresh.inbox().next().text()).as("the first message after a clean start").isEqualTo("marker");
                fresh.inbox().expectNothing(QUIET);
                org.eclipse.paho.mqttv5.common.packet.MqttProperties end = new org.eclipse.paho.mqttv5.common.packet.MqttProperties();
                end.setSessionExpiryInterval(0L); // the session ends with this connection
                fresh.client().disconnect(2000, null, null, 0, end).waitForCompletion(5000);
            }
        }
    }

    @Test
    void anAssignedClientIdentifierNamesASessionThatCanBeResumed(Broker broker) throws Exception {
        // 5.0 [MQTT-3.1.3-6] an empty client id gets a unique one, [MQTT-3.2.2-16] returned as Assigned Client
        // Identifier; it identifies the session: a later CONNECT with it and clean start 0 resumes the session
        String topic = Names.topic("assigned");
        String assigned;
        try (RawClient client = RawClient.open(broker, Transport.TCP)) {
            Packet connack = client.connect(Packets.connect(Packets.V5, "")
                    .properties(Properties5.none().add(Properties5.SESSION_EXPIRY_INTERVAL, 60)));
            assertThat(connack.reasonCode()).isZero();
            assigned = connack.properties().string(Properties5.ASSIGNED_CLIENT_IDENTIFIER);
            assertThat(assigned).as("Assigned Client Identifier in " + connack).isNotBlank();
            client.subscribe(1, topic, 1);
            client.send(Packets.disconnect(Packets.V5, 0, null));
            client.awaitClosed(CLOSE);
        }
        try (RawClient publisher = RawClient.open(broker, Transport.TCP)) {
            publisher.connect(Packets.V5, Names.clientId("pub"));
            Conformance.publish(publisher, Packets.V5, topic, 1, false, 1, "for the assigned id");
        }
        try (RawClient back = RawClient.open(broker, Transport.TCP)) {
            Packet connack = back.connect(Packets.connect(Packets.V5, assigned).cleanStart(false));
            assertThat(connack.sessionPresent()).as("session present for the assigned id " + assigned).isTrue();
            assertThat(connack.properties().has(Properties5.ASSIGNED_CLIENT_IDENTIFIER)).as("an id assigned again: " + connack).isFalse();
            Packet p = back.expect(Packet.PUBLISH);
            assertThat(p.payloadText()).isEqualTo("for the assigned id");
            back.send(Packets.ack(Packet.PUBACK, p.packetId()));
            back.send(Packets.disconnect(Packets.V5, 0, Properties5.none().add(Properties5.SESSION_EXPIRY_INTERVAL, 0)));
        }
    }

    @Test
    void v5EmptyClientIdWithCleanStartZeroGetsANewSession(Broker broker) throws Exception {
        // 5.0 3.1.3.1: the server may accept an empty client id with clean start 0 (assigning one, [MQTT-3.1.3-6]) or
        // refuse it with 0x85 (Client Identifier not valid) [MQTT-3.1.3-8]; accepted, there is no session to resume
        try (RawClient client = RawClient.open(broker, Transport.TCP)) {
            Packet connack = client.connect(Packets.connect(Packets.V5, "").cleanStart(false));
            assertThat(connack.reasonCode()).as("CONNACK " + connack).isIn(0x00, 0x85);
            assertThat(connack.sessionPresent()).as("session present " + connack).isFalse();
            if (connack.reasonCode() == 0) {
                assertThat(connack.properties().string(Properties5.ASSIGNED_CLIENT_IDENTIFIER)).as("assigned id in " + connack).isNotBlank();
            } else {
                client.awaitClosed(CLOSE);
            }
        }
    }

    @Test
    void realV311ClientsWithAnEmptyClientId(Broker broker) throws Exception {
        // 3.1.1 [MQTT-3.1.3-7]: an empty client id requires clean session 1; [MQTT-3.1.3-8] with clean session 0 the
        // server answers CONNACK 0x02 (identifier rejected) and closes; [MQTT-3.1.3-6] with 1 it is accepted
        Mqtt3BlockingClient persistent = Hive.v3(broker, Transport.TCP, null);
        try {
            assertThatThrownBy(() -> persistent.connectWith().cleanSession(false).send())
                    .as("HiveMQ 3.1.1 client, empty id, clean session 0").isInstanceOfSatisfying(Mqtt3ConnAckException.class,
                            e -> assertThat(e.getMqttMessage().getReturnCode()).isEqualTo(Mqtt3ConnAckReturnCode.IDENTIFIER_REJECTED));
        } finally {
            Hive.disconnect(persistent);
        }
        String topic = Names.topic("anon311");
        Mqtt3BlockingClient clean = Hive.v3(broker, Transport.TCP, null);
        try (Paho3 paho = Paho3.create(broker, Transport.TCP, "")) {
            clean.connectWith().cleanSession(true).send();
            assertThat(clean.getState().isConnected()).isTrue();
            assertThat(paho.connect(o -> o.setCleanSession(true)).getSessionPresent()).isFalse();
            paho.subscribe(topic, 1);
            clean.publishWith().topic(topic).payload("from one anonymous client".getBytes())
                    .qos(com.hivemq.client.mqtt.datatypes.MqttQos.AT_LEAST_ONCE).send();
            assertThat(paho.inbox().next().text()).as("between two clients with empty ids").isEqualTo("from one anonymous client");
        } finally {
            Hive.disconnect(clean);
        }
    }

    @Test
    void theWillIsSentWhenTheSessionEndsBeforeItsDelay(Broker broker) throws Exception {
        // 5.0 [MQTT-3.1.2-8] and 3.1.3.2.2: the will is published when the Will Delay Interval has passed or the
        // session ends, whichever comes first: session expiry 2 s, will delay 60 s -> after about 2 s
        String topic = Names.topic("willsessionfirst");
        try (Paho5 watcher = Paho5.connect(broker, Transport.TCP, Names.clientId("watch"))) {
            watcher.subscribe(topic, 1);
            RawClient vanishing = RawClient.open(broker, Transport.TCP);
            vanishing.connect(Packets.connect(Packets.V5, Names.clientId("sessionfirst"))
                    .properties(Properties5.none().add(Properties5.SESSION_EXPIRY_INTERVAL, 2))
                    .will(topic, "session over", 1, false)
                    .willProperties(Properties5.none().add(Properties5.WILL_DELAY_INTERVAL, 60)));
            long lost = System.nanoTime();
            vanishing.close();
            watcher.inbox().expectNothing(Duration.ofMillis(1400)); // the session lasts 2 s
            Paho5.Received will = watcher.inbox().next(Duration.ofSeconds(8));
            long after = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - lost);
            assertThat(will.text()).isEqualTo("session over");
            assertThat(after).as("ms from the lost connection to the will (session expiry 2 s, will delay 60 s)").isBetween(1500L, 9000L);
        }
    }

    @Test
    void theWillIsSentAfterItsDelayAndTheSessionOutlivesIt(Broker broker) throws Exception {
        // 5.0 [MQTT-3.1.2-8]: will delay 1 s, session expiry 60 s -> the will after about 1 s; the session is still
        // there afterwards (session present on resuming)
        String topic = Names.topic("willdelayfirst");
        String id = Names.clientId("delayfirst");
        try (Paho5 watcher = Paho5.connect(broker, Transport.TCP, Names.clientId("watch"))) {
            watcher.subscribe(topic, 1);
            RawClient vanishing = RawClient.open(broker, Transport.TCP);
            vanishing.connect(Packets.connect(Packets.V5, id)
                    .properties(Properties5.none().add(Properties5.SESSION_EXPIRY_INTERVAL, 60))
                    .will(topic, "delay over", 1, false)
                    .willProperties(Properties5.none().add(Properties5.WILL_DELAY_INTERVAL, 1)));
            long lost = System.nanoTime();
            vanishing.close();
            Paho5.Received will = watcher.inbox().next(Duration.ofSeconds(8));
            long after = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - lost);
            assertThat(will.text()).isEqualTo("delay over");
            assertThat(after).as("ms from the lost connection to the will (will delay 1 s)").isBetween(700L, 6000L);
            try (RawClient back = RawClient.open(broker, Transport.TCP)) {
                assertThat(back.connect(Packets.connect(Packets.V5, id).cleanStart(false)).sessionPresent())
                        .as("session present after its will was sent").isTrue();
                back.send(Packets.disconnect(Packets.V5, 0, Properties5.none().add(Properties5.SESSION_EXPIRY_INTERVAL, 0)));
            }
            watcher.inbox().expectNothing(QUIET); // once only
        }
    }

    @Test
    void withoutSessionExpiryADelayedWillIsSentAtOnce(Broker broker) throws Exception {
        // 5.0 [MQTT-3.1.2-8]: Session Expiry Interval 0 ends the session with the connection, before a 60 s delay
        String topic = Names.topic("willnoexpiry");
        try (Paho5 watcher = Paho5.connect(broker, Transport.TCP, Names.clientId("watch"))) {
            watcher.subscribe(topic, 1);
            RawClient vanishing = RawClient.open(broker, Transport.TCP);
            vanishing.connect(Packets.connect(Packets.V5, Names.clientId("noexpiry"))
                    .will(topic, "at once", 1, false)
                    .willProperties(Properties5.none().add(Properties5.WILL_DELAY_INTERVAL, 60)));
            long lost = System.nanoTime();
            vanishing.close();
            assertThat(watcher.inbox().next().text()).isEqualTo("at once");
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - lost)).as("ms until the will").isLessThan(5000L);
        }
    }

    @Test
    void aV311PersistentSessionsWillIsSentWhenTheConnectionIsLost(Broker broker) throws Exception {
        // 3.1.1 [MQTT-3.1.2-8]: no will delay in 3.1.1: the will is published when the connection closes without a
        // DISCONNECT, though the session (clean session 0) lives on
        String topic = Names.topic("will311persistent");
        String id = Names.clientId("will311");
        try (Paho3 watcher = Paho3.connect(broker, Transport.TCP, Names.clientId("watch"))) {
            watcher.subscribe(topic, 1);
            RawClient vanishing = RawClient.open(broker, Transport.TCP);
            vanishing.connect(Packets.connect(Packets.V311, id).cleanStart(false).will(topic, "gone", 1, false));
            vanishing.close();
            assertThat(watcher.inbox().next().text()).isEqualTo("gone");
        }
        try (RawClient cleanup = RawClient.open(broker, Transport.TCP)) {
            assertThat(cleanup.connect(Packets.connect(Packets.V311, id).cleanStart(true)).sessionPresent()).isFalse();
        }
    }

    @Test
    void realClientsWithAOneSecondKeepAliveStayConnectedByTheirPings(Broker broker) throws Exception {
        // 3.1.1 [MQTT-3.1.2-23] / 5.0 [MQTT-3.1.2-20]: a client sends PINGREQ when idle, [MQTT-3.12.4-1] the server
        // answers PINGRESP, and it disconnects only after 1.5 x keep alive WITHOUT packets ([MQTT-3.1.2-24] /
        // [MQTT-3.1.2-22]); 5.0 [MQTT-3.2.2-22]: without a Server Keep Alive the client's own is the one used
        String root = Names.topic("keepalive1");
        Mqtt5BlockingClient hive5 = Hive.v5(broker, Transport.TCP, Names.clientId("hive5ka"));
        Mqtt3BlockingClient hive3 = Hive.v3(broker, Transport.TCP, Names.clientId("hive3ka"));
        try (Paho3 paho3 = Paho3.create(broker, Transport.TCP, Names.clientId("paho3ka"));
                Paho5 paho5 = Paho5.create(broker, Transport.WEBSOCKET, Names.clientId("paho5ka"))) {
            Mqtt5ConnAck connack = hive5.connectWith().keepAlive(1).send();
            assertThat(connack.getServerKeepAlive().orElse(1)).as("Server Keep Alive, if any, for a keep alive of 1 s").isEqualTo(1);
            hive3.connectWith().keepAlive(1).send();
            paho3.connect(o -> o.setKeepAliveInterval(1));
            paho5.connect(o -> o.setKeepAliveInterval(1));
            Thread.sleep(3500); // the behaviour under test is the passing of time: 3.5 s idle, past 1.5 x keep alive
            assertThat(hive5.getState().isConnected()).as("HiveMQ 5 client connected").isTrue();
            assertThat(hive3.getState().isConnected()).as("HiveMQ 3.1.1 client connected").isTrue();
            assertThat(paho3.connectionLost()).as("Paho 3.1.1 connection lost").isNotDone();
            assertThat(paho5.disconnected()).as("Paho 5 disconnected").isNotDone();
            paho3.subscribe(root + "/3", 1);
            paho5.subscribe(root + "/5", 1);
            hive5.publishWith().topic(root + "/3").payload("to paho 3".getBytes()).qos(com.hivemq.client.mqtt.datatypes.MqttQos.AT_LEAST_ONCE).send();
            hive3.publishWith().topic(root + "/5").payload("to paho 5".getBytes()).qos(com.hivemq.client.mqtt.datatypes.MqttQos.AT_LEAST_ONCE).send();
            assertThat(paho3.inbox().next().text()).isEqualTo("to paho 3");
            assertThat(paho5.inbox().next().text()).isEqualTo("to paho 5");
        } finally {
            Hive.disconnect(hive5);
            Hive.disconnect(hive3);
        }
    }

    @Test
    void v5KeepAliveZeroTurnsTheMechanismOff(Broker broker) throws Exception {
        // 5.0 3.1.2.10: keep alive 0 -> the server is not required to disconnect an idle client (KeepAliveIT: 3.1.1)
        try (RawClient client = RawClient.open(broker, Transport.TCP)) {
            Packet connack = client.connect(Packets.connect(Packets.V5, Names.clientId("ka0")).keepAlive(0));
            Integer serverKeepAlive = connack.properties().integer(Properties5.SERVER_KEEP_ALIVE);
            client.expectNothing(Duration.ofMillis(serverKeepAlive == null || serverKeepAlive > 2 ? 2000 : 0));
            client.send(Packets.pingreq());
            assertThat(client.expect(Packet.PINGRESP)).isNotNull();
        }
    }
}
