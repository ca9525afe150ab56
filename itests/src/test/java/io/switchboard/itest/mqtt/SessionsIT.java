package io.switchboard.itest.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAck;

import io.switchboard.itest.mqtt.support.Broker;
import io.switchboard.itest.mqtt.support.BrokerExtension;
import io.switchboard.itest.mqtt.support.Hive;
import io.switchboard.itest.mqtt.support.Names;
import io.switchboard.itest.mqtt.support.Packet;
import io.switchboard.itest.mqtt.support.Packets;
import io.switchboard.itest.mqtt.support.Paho3;
import io.switchboard.itest.mqtt.support.Properties5;
import io.switchboard.itest.mqtt.support.RawClient;
import io.switchboard.itest.mqtt.support.Transport;

/**
 * CONNECT and CONNACK: clean session (3.1.1) and clean start with session expiry (5.0), the session
 * present flag, client identifiers assigned for empty ones, and session takeover by a second
 * connection with the same client identifier.
 */
@ExtendWith(BrokerExtension.class)
class SessionsIT {

    private static final Duration CLOSE = Duration.ofSeconds(10);

    @Test
    void v311CleanSessionConnackHasNoSessionPresent(Broker broker) throws Exception {
        // 3.1.1 [MQTT-3.2.2-1]: clean session 1 -> session present 0, return code 0
        try (RawClient client = RawClient.open(broker, Transport.TCP)) {
            Packet connack = client.connect(Packets.connect(Packets.V311, Names.clientId("clean3")).cleanStart(true));
            assertThat(connack.reasonCode()).as("CONNACK return code").isZero();
            assertThat(connack.sessionPresent()).as("session present").isFalse();
            assertThat(connack.body()).as("3.1.1 CONNACK variable header: 2 bytes").hasSize(2);
        }
    }

    @Test
    void v311PersistentSessionKeepsSubscriptionsAndQueuesMessagesWhileOffline(Broker broker) throws Exception {
        // 3.1.1 [MQTT-3.1.2-4], [MQTT-3.1.2-5], [MQTT-3.2.2-2]: clean session 0 resumes the session, keeps its
        // subscriptions and gets the QoS 1/2 messages that arrived meanwhile; [MQTT-3.1.2-6]: clean session 1 discards it
        String topic = Names.topic("persist3");
        String id = Names.clientId("persist3");
        try (Paho3 first = Paho3.create(broker, Transport.TCP, id)) {
            assertThat(first.connect(o -> o.setCleanSession(false)).getSessionPresent()).as("session present on the first connect").isFalse();
            first.subscribe(topic, 1);
            first.disconnect();
        }
        try (Paho3 publisher = Paho3.connect(broker, Transport.TCP, Names.clientId("pub"))) {
            publisher.publish(topic, "while you were away", 1, false);
        }
        try (Paho3 again = Paho3.create(broker, Transport.TCP, id)) {
            assertThat(again.connect(o -> o.setCleanSession(false)).getSessionPresent()).as("session present on resuming").isTrue();
            assertThat(again.inbox().next().text()).isEqualTo("while you were away");
            again.disconnect();
        }
        try (Paho3 fresh = Paho3.create(broker, Transport.TCP, id)) {
            assertThat(fresh.connect(o -> o.setCleanSession(true)).getSessionPresent()).as("session present with clean session 1").isFalse();
            String markers = Names.topic("markers");
            fresh.subscribe(markers, 1);
            try (Paho3 publisher = Paho3.connect(broker, Transport.TCP, Names.clientId("pub"))) {
                publisher.publish(topic, "not for a discarded subscription", 1, false);
                publisher.publish(markers, "marker", 1, false);
            }
            // one publisher's messages are routed in order and one session's deliveries arrive in order: had the
            // first reached the discarded subscription, it would have come before the marker
            assertThat(fresh.inbox().next().text()).isEqualTo("marker");
        }
    }

    @Test
    void v5CleanStartZeroResumesAndCleanStartOneDiscardsTheSession(Broker broker) throws Exception {
        // 5.0 [MQTT-3.1.2-4], [MQTT-3.1.2-5], [MQTT-3.2.2-2], [MQTT-3.2.2-3]
        String topic = Names.topic("resume5");
        String id = Names.clientId("resume5");
        Mqtt5BlockingClient client = Hive.v5(broker, Transport.TCP, id);
        Mqtt5ConnAck first = client.connectWith().cleanStart(true).sessionExpiryInterval(60).send();
        assertThat(first.isSessionPresent()).as("session present on the first connect").isFalse();
        client.subscribeWith().topicFilter(topic).qos(MqttQos.AT_LEAST_ONCE).send();
        client.disconnect();

        Mqtt5BlockingClient publisher = Hive.v5(broker, Transport.TCP, Names.clientId("pub5"));
        publisher.connect();
        publisher.publishWith().topic(topic).payload("queued".getBytes()).qos(MqttQos.AT_LEAST_ONCE).send();

        try (Mqtt5BlockingClient.Mqtt5Publishes publishes = client.publishes(MqttGlobalPublishFilter.ALL)) {
            Mqtt5ConnAck resumed = client.connectWith().cleanStart(false).sessionExpiryInterval(60).send();
            assertThat(resumed.isSessionPresent()).as("session present with clean start 0 within the expiry").isTrue();
            assertThat(new String(TransportsIT.receive(publishes, "the resumed client").getPayloadAsBytes())).isEqualTo("queued");
            client.disconnect();
        }
        // (the HiveMQ client ends its publish streams when a session is not resumed: a new stream after the CONNACK)
        Mqtt5ConnAck fresh = client.connectWith().cleanStart(true).sessionExpiryInterval(0).send();
        try (Mqtt5BlockingClient.Mqtt5Publishes publishes = client.publishes(MqttGlobalPublishFilter.ALL)) {
            assertThat(fresh.isSessionPresent()).as("session present with clean start 1").isFalse();
            publisher.publishWith().topic(topic).payload("after a clean start".getBytes()).qos(MqttQos.AT_LEAST_ONCE).send();
            assertThat(publishes.receive(300, TimeUnit.MILLISECONDS)).as("a message for the discarded subscription").isEmpty();
        } finally {
            Hive.disconnect(client);
            Hive.disconnect(publisher);
        }
    }

    @Test
    void v5SessionWithoutExpiryEndsWithItsConnection(Broker broker) throws Exception {
        // 5.0 3.1.2.11.2: an absent Session Expiry Interval is 0: the session ends when the connection closes
        String id = Names.clientId("noexpiry");
        try (RawClient client = RawClient.open(broker, Transport.TCP)) {
            client.connect(Packets.connect(Packets.V5, id).cleanStart(false));
            client.subscribe(1, Names.topic("noexpiry"), 1);
            client.send(Packets.disconnect(Packets.V5, 0, null));
            client.awaitClosed(CLOSE);
        }
        try (RawClient again = RawClient.open(broker, Transport.TCP)) {
            Packet connack = again.connect(Packets.connect(Packets.V5, id).cleanStart(false));
            assertThat(connack.reasonCode()).isZero();
            assertThat(connack.sessionPresent()).as("session present after a session expiry interval of 0").isFalse();
        }
    }

    @Test
    void v5SessionEndsWhenItsExpiryIntervalHasPassed(Broker broker) throws Exception {
        // 5.0 3.1.2.11.2 [MQTT-3.1.2-23]: the session is kept for the Session Expiry Interval after the connection closes
        String id = Names.clientId("expiry");
        String willTopic = Names.topic("expirywill");
        long closed;
        try (Paho3 watcher = Paho3.connect(broker, Transport.TCP, Names.clientId("watch"))) {
            watcher.subscribe(willTopic, 1);
            try (RawClient client = RawClient.open(broker, Transport.TCP)) {
                // a will delayed past the expiry is published when the session ends (5.0 3.1.3.2.2): the sign to wait for
                client.connect(Packets.connect(Packets.V5, id).cleanStart(true)
                        .properties(Properties5.none().add(Properties5.SESSION_EXPIRY_INTERVAL, 1))
                        .will(willTopic, "session ended", 1, false)
                        .willProperties(Properties5.none().add(Properties5.WILL_DELAY_INTERVAL, 30)));
                client.subscribe(1, Names.topic("expiry"), 1);
                client.close(); // network connection lost
            }
            closed = System.nanoTime();
            assertThat(watcher.inbox().next().text()).isEqualTo("session ended");
        }
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - closed)).as("ms from the lost connection to the session end")
                .isGreaterThanOrEqualTo(900);
        try (RawClient again = RawClient.open(broker, Transport.TCP)) {
            Packet connack = again.connect(Packets.connect(Packets.V5, id).cleanStart(false)
                    .properties(Properties5.none().add(Properties5.SESSION_EXPIRY_INTERVAL, 1)));
            assertThat(connack.sessionPresent()).as("session present "
                    + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - closed) + " ms after the connection closed (expiry 1 s)").isFalse();
        }
    }

    @Test
    void v5SessionWithinItsExpiryIsResumed(Broker broker) throws Exception {
        String id = Names.clientId("withinexp");
        try (RawClient client = RawClient.open(broker, Transport.TCP)) {
            client.connect(Packets.connect(Packets.V5, id).cleanStart(true)
                    .properties(Properties5.none().add(Properties5.SESSION_EXPIRY_INTERVAL, 30)));
            client.close();
        }
        try (RawClient again = RawClient.open(broker, Transport.TCP)) {
            Packet connack = again.connect(Packets.connect(Packets.V5, id).cleanStart(false)
                    .properties(Properties5.none().add(Properties5.SESSION_EXPIRY_INTERVAL, 0)));
            assertThat(connack.sessionPresent()).as("session present within its 30 s expiry").isTrue();
        }
    }

    @Test
    void v5SessionExpiryCanBeSetToZeroAtDisconnect(Broker broker) throws Exception {
        // 5.0 3.14.2.2.2: the DISCONNECT's Session Expiry Interval replaces the CONNECT's; 0 ends the session now
        String id = Names.clientId("shorten");
        try (RawClient client = RawClient.open(broker, Transport.TCP)) {
            client.connect(Packets.connect(Packets.V5, id)
                    .properties(Properties5.none().add(Properties5.SESSION_EXPIRY_INTERVAL, 60)));
            client.subscribe(1, Names.topic("shorten"), 1);
            client.send(Packets.disconnect(Packets.V5, 0, Properties5.none().add(Properties5.SESSION_EXPIRY_INTERVAL, 0)));
            client.awaitClosed(CLOSE);
        }
        try (RawClient again = RawClient.open(broker, Transport.TCP)) {
            Packet connack = again.connect(Packets.connect(Packets.V5, id).cleanStart(false));
            assertThat(connack.sessionPresent()).as("session present after DISCONNECT with Session Expiry Interval 0").isFalse();
        }
    }

    @Test
    void v5AnExpiryAtDisconnectAfterConnectingWithZeroIsAProtocolError(Broker broker) throws Exception {
        // 5.0 3.14.2.2.2 [MQTT-3.14.2-2]: CONNECT with 0 and DISCONNECT with non-zero -> the server sends DISCONNECT 0x82
        try (RawClient client = RawClient.open(broker, Transport.TCP)) {
            client.connect(Packets.connect(Packets.V5, Names.clientId("lengthen")));
            client.sendQuietly(Packets.disconnect(Packets.V5, 0, Properties5.none().add(Properties5.SESSION_EXPIRY_INTERVAL, 60)));
            List<Packet> before = client.awaitClosed(CLOSE);
            assertThat(before).as("packets before the close").anySatisfy(p -> {
                assertThat(p.type()).isEqualTo(Packet.DISCONNECT);
                assertThat(p.reasonCode()).as("DISCONNECT reason code").isEqualTo(0x82);
            });
        }
    }

    @Test
    void v311EmptyClientIdWithCleanSessionIsAccepted(Broker broker) throws Exception {
        // 3.1.1 [MQTT-3.1.3-6], [MQTT-3.1.3-7]: a zero-byte client id with clean session 1 is accepted
        String topic = Names.topic("anon3");
        try (RawClient client = RawClient.open(broker, Transport.TCP)) {
            Packet connack = client.connect(Packets.connect(Packets.V311, "").cleanStart(true));
            assertThat(connack.reasonCode()).as("CONNACK return code for an empty client id, clean session 1").isZero();
            assertThat(client.subscribe(1, topic, 0).reasonCodes()).containsExactly(0);
            client.send(Packets.publish(Packets.V311, topic, 0, false, 0, "anonymous"));
            assertThat(client.expect(Packet.PUBLISH).payloadText()).isEqualTo("anonymous");
        }
    }

    @Test
    void v311EmptyClientIdWithPersistentSessionIsRejected(Broker broker) throws Exception {
        // 3.1.1 [MQTT-3.1.3-8]: zero-byte client id with clean session 0 -> CONNACK 0x02 (identifier rejected), then close
        try (RawClient client = RawClient.open(broker, Transport.TCP)) {
            Packet connack = client.connect(Packets.connect(Packets.V311, "").cleanStart(false));
            assertThat(connack.reasonCode()).as("CONNACK return code").isEqualTo(0x02);
            assertThat(connack.sessionPresent()).as("session present with a non-zero return code [MQTT-3.2.2-4]").isFalse();
            client.awaitClosed(CLOSE);
        }
    }

    @Test
    void v5EmptyClientIdGetsAnAssignedClientIdentifier(Broker broker) throws Exception {
        // 5.0 3.1.3.1 [MQTT-3.1.3-6], 3.2.2.3.7 [MQTT-3.2.2-16]: the server assigns an id and returns it in CONNACK
        Mqtt5BlockingClient first = Hive.v5(broker, Transport.TCP, null);
        Mqtt5BlockingClient second = Hive.v5(broker, Transport.TCP, null);
        try {
            Mqtt5ConnAck a = first.connect();
            Mqtt5ConnAck b = second.connect();
            assertThat(a.getAssignedClientIdentifier()).as("Assigned Client Identifier").isPresent();
            assertThat(b.getAssignedClientIdentifier()).as("Assigned Client Identifier").isPresent();
            assertThat(a.getAssignedClientIdentifier().get().toString()).isNotEmpty()
                    .isNotEqualTo(b.getAssignedClientIdentifier().get().toString());
        } finally {
            Hive.disconnect(first);
            Hive.disconnect(second);
        }
        try (RawClient raw = RawClient.open(broker, Transport.TCP)) {
            Packet connack = raw.connect(Packets.connect(Packets.V5, ""));
            assertThat(connack.reasonCode()).isZero();
            assertThat(connack.properties().string(Properties5.ASSIGNED_CLIENT_IDENTIFIER)).as("property 0x12 in " + connack).isNotBlank();
        }
    }

    @Test
    void v311SecondConnectionWithTheSameClientIdTakesOver(Broker broker) throws Exception {
        // 3.1.1 [MQTT-3.1.4-2]: the server disconnects the existing client with that id
        String id = Names.clientId("takeover3");
        String topic = Names.topic("takeover3");
        try (Paho3 first = Paho3.connect(broker, Transport.TCP, id);
                Paho3 second = Paho3.create(broker, Transport.WEBSOCKET, id)) {
            second.connect(o -> { });
            Throwable lost = first.connectionLost().get(10, TimeUnit.SECONDS);
            assertThat(lost).as("the first connection was closed").isNotNull();
            second.subscribe(topic, 1);
            second.publish(topic, "the new connection works", 1, false);
            assertThat(second.inbox().next().text()).isEqualTo("the new connection works");
        }
    }

    @Test
    void v5TakeoverSendsDisconnectSessionTakenOverAndKeepsTheSession(Broker broker) throws Exception {
        // 5.0 [MQTT-3.1.4-3]: the existing connection gets DISCONNECT 0x8E (Session taken over) and is closed;
        // a new connection with clean start 0 continues the session
        String id = Names.clientId("takeover5");
        String topic = Names.topic("takeover5");
        try (RawClient first = RawClient.open(broker, Transport.TCP);
                RawClient second = RawClient.open(broker, Transport.TLS)) {
            first.connect(Packets.connect(Packets.V5, id).cleanStart(true)
                    .properties(Properties5.none().add(Properties5.SESSION_EXPIRY_INTERVAL, 60)));
            first.subscribe(1, topic, 1);

            Packet connack = second.connect(Packets.connect(Packets.V5, id).cleanStart(false)
                    .properties(Properties5.none().add(Properties5.SESSION_EXPIRY_INTERVAL, 0)));
            assertThat(connack.reasonCode()).isZero();
            assertThat(connack.sessionPresent()).as("session present for the connection taking over").isTrue();

            List<Packet> beforeClose = first.awaitClosed(CLOSE);
            assertThat(beforeClose).as("packets the first connection received before it was closed")
                    .anySatisfy(p -> {
                        assertThat(p.type()).isEqualTo(Packet.DISCONNECT);
                        assertThat(p.reasonCode()).as("DISCONNECT reason code").isEqualTo(0x8E);
                    });

            second.send(Packets.publish(Packets.V5, topic, 1, false, 5, "kept subscription"));
            List<Packet> got = List.of(second.next(RawClient.WAIT), second.next(RawClient.WAIT));
            assertThat(got).extracting(Packet::type).containsExactlyInAnyOrder(Packet.PUBACK, Packet.PUBLISH);
        }
    }

    @Test
    void v5ConnackReportsTheServersCapabilities(Broker broker) throws Exception {
        // 5.0 3.2.2.3: Maximum Packet Size (the listener's max.packet.size), Receive Maximum, wildcard, shared
        // and subscription identifier availability (features this broker supports)
        Mqtt5BlockingClient client = Hive.v5(broker, Transport.TCP, Names.clientId("caps"));
        try {
            Mqtt5ConnAck connack = client.connect();
            assertThat(connack.getRestrictions().isWildcardSubscriptionAvailable()).as("wildcard subscriptions").isTrue();
            assertThat(connack.getRestrictions().isSharedSubscriptionAvailable()).as("shared subscriptions").isTrue();
            assertThat(connack.getRestrictions().areSubscriptionIdentifiersAvailable()).as("subscription identifiers").isTrue();
            assertThat(connack.getRestrictions().isRetainAvailable()).as("retain").isTrue();
            assertThat(connack.getRestrictions().getMaximumQos()).as("maximum QoS").isEqualTo(MqttQos.EXACTLY_ONCE);
            if (broker.isDistribution()) {
                assertThat(connack.getRestrictions().getMaximumPacketSize()).as("Maximum Packet Size = the listener's max.packet.size")
                        .isEqualTo(Broker.DEFAULT_MAX_PACKET_SIZE);
                assertThat(connack.getRestrictions().getTopicAliasMaximum()).as("Topic Alias Maximum (default topic.alias.maximum)")
                        .isEqualTo(10);
                assertThat(connack.getRestrictions().getReceiveMaximum()).as("Receive Maximum (default max.inflight)").isEqualTo(100);
            }
        } finally {
            Hive.disconnect(client);
        }
    }

    @Test
    void v5AnUnsupportedAuthenticationMethodIsRefused(Broker broker) throws Exception {
        // 5.0 4.12: a server not supporting the Authentication Method may answer CONNACK 0x8C (Bad authentication
        // method) and closes the connection [MQTT-3.2.2-7]; without enhanced authentication it must not accept silently
        try (RawClient client = RawClient.open(broker, Transport.TCP)) {
            Packet connack = client.connect(Packets.connect(Packets.V5, Names.clientId("auth"))
                    .properties(Properties5.none().add(Properties5.AUTHENTICATION_METHOD, "SCRAM-SHA-1")));
            assertThat(connack.reasonCode()).as("CONNACK reason code " + connack).isEqualTo(0x8C);
            client.awaitClosed(CLOSE);
        }
    }

    @Test
    void v311RefusedConnectionGetsNoSession(Broker broker) throws Exception {
        // a CONNECT with a user name flag but a bad password flag combination: 3.1.1 [MQTT-3.1.2-22] password
        // without user name is a protocol violation -> the server closes the connection
        try (RawClient client = RawClient.open(broker, Transport.TCP)) {
            client.version(Packets.V311);
            client.sendQuietly(Packets.connect(Packets.V311, Names.clientId("pwnouser")).password("secret").encode());
            List<Packet> before = client.awaitClosed(CLOSE);
            assertThat(before).as("no accepting CONNACK").noneSatisfy(p -> {
                assertThat(p.type()).isEqualTo(Packet.CONNACK);
                assertThat(p.reasonCode()).isZero();
            });
        }
        TransportsIT.roundTripStillWorks(broker);
    }

}
