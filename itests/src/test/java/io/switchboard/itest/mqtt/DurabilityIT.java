package io.switchboard.itest.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import io.switchboard.itest.mqtt.support.Broker;
import io.switchboard.itest.mqtt.support.BrokerExtension;
import io.switchboard.itest.mqtt.support.Names;
import io.switchboard.itest.mqtt.support.Packet;
import io.switchboard.itest.mqtt.support.Packets;
import io.switchboard.itest.mqtt.support.Paho3;
import io.switchboard.itest.mqtt.support.Properties5;
import io.switchboard.itest.mqtt.support.RawClient;
import io.switchboard.itest.mqtt.support.Transport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Durable state across a crash (SIGKILL) and a clean stop of the real distribution: every message a
 * publisher got a PUBACK for reaches its persistent subscriber, subscriptions and retained messages are
 * back, QoS 2 flows complete exactly once, and expiry counts the time the broker was down.
 */
@ExtendWith(BrokerExtension.class)
@BrokerExtension.Dedicated
class DurabilityIT {

    private static final int MESSAGES = 200;
    private static final Duration WAIT = Duration.ofSeconds(20);

    /** A persistent 3.1.1 subscriber that subscribes to {@code topic} and goes offline. */
    private static void subscribeAndLeave(Broker broker, String clientId, String topic) throws Exception {
        try (Paho3 subscriber = Paho3.create(broker, Transport.TCP, clientId)) {
            subscriber.connect(o -> o.setCleanSession(false));
            subscriber.subscribe(topic, 1);
            subscriber.disconnect();
        }
    }

    /** Publishes {@code count} QoS 1 messages; each publish returns once its PUBACK came. */
    private static List<String> publishAcknowledged(Broker broker, String topic, String prefix, int count) throws Exception {
        List<String> acknowledged = new ArrayList<>();
        try (Paho3 publisher = Paho3.connect(broker, Transport.TCP, Names.clientId("pub"))) {
            for (int i = 0; i < count; i++) {
                String payload = prefix + i;
                publisher.publish(topic, payload, 1, false);
                acknowledged.add(payload);
            }
            publisher.disconnect();
        }
        return acknowledged;
    }

    /** Resumes the persistent session and collects what arrives until {@code expected} all came. */
    private static Set<String> resumeAndReceive(Broker broker, String clientId, List<String> expected) throws Exception {
        Set<String> received = new TreeSet<>();
        try (Paho3 subscriber = Paho3.create(broker, Transport.TCP, clientId)) {
            assertThat(subscriber.connect(o -> o.setCleanSession(false)).getSessionPresent()).as("session present").isTrue();
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (!received.containsAll(expected) && System.nanoTime() < deadline) {
                Paho3.Received r = subscriber.inbox().next(WAIT);
                received.add(r.text());
            }
            subscriber.disconnect();
        }
        return received;
    }

    @Test
    void everyAcknowledgedMessageReachesItsPersistentSubscriberAfterSigkill(Broker broker) throws Exception {
        String topic = Names.topic("durable/kill");
        String clientId = Names.clientId("durable-kill");
        subscribeAndLeave(broker, clientId, topic);
        List<String> acknowledged = publishAcknowledged(broker, topic, "k", MESSAGES);

        broker.kill();
        broker.restart();

        assertThat(resumeAndReceive(broker, clientId, acknowledged)).containsAll(acknowledged);
        assertThat(broker.log()).contains("recovered");
    }

    @Test
    void queuedMessagesSurviveACleanStop(Broker broker) throws Exception {
        String topic = Names.topic("durable/stop");
        String clientId = Names.clientId("durable-stop");
        subscribeAndLeave(broker, clientId, topic);
        List<String> acknowledged = publishAcknowledged(broker, topic, "s", MESSAGES);

        assertThat(broker.stop()).as("exit status of a clean stop").isZero();
        broker.restart();

        assertThat(resumeAndReceive(broker, clientId, acknowledged)).containsAll(acknowledged);
    }

    @Test
    void aPersistentSessionSurvivesARestartOfTheMqttBundleAlone(Broker broker) throws Exception {
        String topic = Names.topic("durable/update");
        String clientId = Names.clientId("durable-update");
        subscribeAndLeave(broker, clientId, topic);
        List<String> expected = new ArrayList<>(publishAcknowledged(broker, topic, "before", 20));

        // an update of the MQTT bundle under a running core: its sessions leave the broker and come back from the store
        String id = broker.shell("lb -s io.switchboard.mqtt").out().lines().filter(l -> l.contains("|io.switchboard.mqtt "))
                .map(l -> l.substring(0, l.indexOf('|')).trim()).findFirst().orElseThrow();
        assertThat(broker.shell("stop " + id).exit()).isZero();
        assertThat(broker.shell("start " + id).exit()).isZero();

        expected.addAll(publishAcknowledged(broker, topic, "after", 20));
        assertThat(resumeAndReceive(broker, clientId, expected)).containsAll(expected);
        assertThat(broker.log()).doesNotContain("exists already").containsPattern("MQTT protocol stopped: .* [1-9][0-9]* kept in the store");
    }

    @Test
    void retainedMessagesAndSubscriptionsAreBackAfterSigkill(Broker broker) throws Exception {
        String topic = Names.topic("durable/retained");
        String clientId = Names.clientId("durable-subs");
        subscribeAndLeave(broker, clientId, topic + "/#");
        try (Paho3 publisher = Paho3.connect(broker, Transport.TCP, Names.clientId("pub"))) {
            publisher.publish(topic + "/r", "kept", 1, true);
            publisher.disconnect();
        }

        broker.kill();
        broker.restart();

        try (Paho3 late = Paho3.connect(broker, Transport.TCP, Names.clientId("late"))) {
            late.subscribe(topic + "/r", 1);
            Paho3.Received retained = late.inbox().next(WAIT);
            assertThat(retained.text()).isEqualTo("kept");
            assertThat(retained.message().isRetained()).isTrue();
        }
        // the subscription is in place without subscribing again: a message published now arrives
        List<String> after = publishAcknowledged(broker, topic + "/x", "after", 1);
        Set<String> received = resumeAndReceive(broker, clientId, after);
        assertThat(received).contains("after0");
    }

    @Test
    void anInboundQos2FlowCompletesExactlyOnceAcrossSigkill(Broker broker) throws Exception {
        String topic = Names.topic("durable/qos2in");
        String publisherId = Names.clientId("qos2-pub");
        String watcherId = Names.clientId("qos2-watch");
        try (RawClient watcher = RawClient.open(broker, Transport.TCP)) {
            watcher.connect(Packets.connect(Packets.V5, watcherId).cleanStart(false)
                    .properties(Properties5.none().add(Properties5.SESSION_EXPIRY_INTERVAL, 600)));
            assertThat(watcher.subscribe(1, topic, 1).reasonCodes()).containsExactly(1);
            watcher.send(Packets.disconnect(Packets.V5, 0, null));
        }
        try (RawClient publisher = RawClient.open(broker, Transport.TCP)) {
            publisher.connect(Packets.connect(Packets.V5, publisherId).cleanStart(true)
                    .properties(Properties5.none().add(Properties5.SESSION_EXPIRY_INTERVAL, 600)));
            publisher.send(Packets.publish(Packets.V5, topic, 2, false, 7, "once"));
            assertThat(publisher.expect(Packet.PUBREC).packetId()).isEqualTo(7);
        }

        broker.kill();
        broker.restart();

        try (RawClient publisher = RawClient.open(broker, Transport.TCP)) {
            Packet connack = publisher.connect(Packets.connect(Packets.V5, publisherId).cleanStart(false)
                    .properties(Properties5.none().add(Properties5.SESSION_EXPIRY_INTERVAL, 600)));
            assertThat(connack.sessionPresent()).as("session present").isTrue();
            // the client did not see the PUBREC: it sends the PUBLISH again (DUP), then PUBREL
            publisher.send(Packets.publish(Packets.V5, topic, 2, false, true, 7, "once".getBytes(), null));
            assertThat(publisher.expect(Packet.PUBREC).packetId()).isEqualTo(7);
            publisher.send(Packets.ack(Packet.PUBREL, 7));
            Packet pubcomp = publisher.expect(Packet.PUBCOMP);
            assertThat(pubcomp.reasonCode()).as("PUBCOMP reason: the packet id was known").isZero();
        }
        try (RawClient watcher = RawClient.open(broker, Transport.TCP)) {
            watcher.connect(Packets.connect(Packets.V5, watcherId).cleanStart(false)
                    .properties(Properties5.none().add(Properties5.SESSION_EXPIRY_INTERVAL, 600)));
            Packet first = watcher.expect(Packet.PUBLISH);
            assertThat(first.payloadText()).isEqualTo("once");
            watcher.send(Packets.ack(Packet.PUBACK, first.packetId()));
            watcher.expectNothing(Duration.ofSeconds(1));
        }
    }

    @Test
    void anOutboundQos2FlowResumesWithPubrelAfterSigkill(Broker broker) throws Exception {
        String topic = Names.topic("durable/qos2out");
        String subscriberId = Names.clientId("qos2-sub");
        Properties5 persistent = Properties5.none().add(Properties5.SESSION_EXPIRY_INTERVAL, 600);
        int packetId;
        try (RawClient subscriber = RawClient.open(broker, Transport.TCP)) {
            subscriber.connect(Packets.connect(Packets.V5, subscriberId).cleanStart(true).properties(persistent));
            assertThat(subscriber.subscribe(1, topic, 2).reasonCodes()).containsExactly(2);
            publishAcknowledgedQos2(broker, topic, "exactly");
            Packet publish = subscriber.expect(Packet.PUBLISH);
            packetId = publish.packetId();
            subscriber.send(Packets.ack(Packet.PUBREC, packetId));
            assertThat(subscriber.expect(Packet.PUBREL).packetId()).isEqualTo(packetId);
            // no PUBCOMP: the broker dies with the flow half done
            broker.kill();
        }
        broker.restart();

        try (RawClient subscriber = RawClient.open(broker, Transport.TCP)) {
            Packet connack = subscriber.connect(Packets.connect(Packets.V5, subscriberId).cleanStart(false).properties(persistent));
            assertThat(connack.sessionPresent()).isTrue();
            Packet pubrel = subscriber.expect(Packet.PUBREL);
            assertThat(pubrel.packetId()).as("the PUBREL of the same packet id, not the PUBLISH again").isEqualTo(packetId);
            subscriber.send(Packets.ack(Packet.PUBCOMP, packetId));
            subscriber.expectNothing(Duration.ofSeconds(1));
        }
    }

    private static void publishAcknowledgedQos2(Broker broker, String topic, String payload) throws Exception {
        try (Paho3 publisher = Paho3.connect(broker, Transport.TCP, Names.clientId("pub2"))) {
            publisher.publish(topic, payload, 2, false);
            publisher.disconnect();
        }
    }

    @Test
    void sessionAndMessageExpiryCountTheDowntime(Broker broker) throws Exception {
        String shortId = Names.clientId("durable-expiry");
        String longId = Names.clientId("durable-keeps");
        String topic = Names.topic("durable/expiry");
        Properties5 shortLived = Properties5.none().add(Properties5.SESSION_EXPIRY_INTERVAL, 2);
        Properties5 longLived = Properties5.none().add(Properties5.SESSION_EXPIRY_INTERVAL, 600);
        try (RawClient client = RawClient.open(broker, Transport.TCP)) {
            client.connect(Packets.connect(Packets.V5, shortId).cleanStart(true).properties(shortLived));
            client.subscribe(1, topic, 1);
            client.send(Packets.disconnect(Packets.V5, 0, null));
        }
        try (RawClient client = RawClient.open(broker, Transport.TCP)) {
            client.connect(Packets.connect(Packets.V5, longId).cleanStart(true).properties(longLived));
            client.subscribe(1, topic, 1);
            client.send(Packets.disconnect(Packets.V5, 0, null));
        }
        try (RawClient publisher = RawClient.open(broker, Transport.TCP)) {
            publisher.connect(Packets.connect(Packets.V5, Names.clientId("pub")).cleanStart(true));
            publisher.send(Packets.publish(Packets.V5, topic, 1, false, false, 1, "expires".getBytes(),
                    Properties5.none().add(Properties5.MESSAGE_EXPIRY_INTERVAL, 2)));
            publisher.expect(Packet.PUBACK);
            publisher.send(Packets.publish(Packets.V5, topic, 1, false, 2, "stays"));
            publisher.expect(Packet.PUBACK);
        }
        broker.kill();
        Thread.sleep(2500); // the downtime is the behaviour under test
        broker.restart();
        try (RawClient client = RawClient.open(broker, Transport.TCP)) {
            Packet connack = client.connect(Packets.connect(Packets.V5, shortId).cleanStart(false).properties(shortLived));
            assertThat(connack.sessionPresent()).as("the 2 s session expired while the broker was down").isFalse();
        }
        try (RawClient client = RawClient.open(broker, Transport.TCP)) {
            Packet connack = client.connect(Packets.connect(Packets.V5, longId).cleanStart(false).properties(longLived));
            assertThat(connack.sessionPresent()).isTrue();
            Packet only = client.expect(Packet.PUBLISH);
            assertThat(only.payloadText()).as("the message whose 2 s expiry passed while the broker was down is gone")
                    .isEqualTo("stays");
            client.send(Packets.ack(Packet.PUBACK, only.packetId()));
        }
    }

    @Test
    void theWillOfAClientConnectedWhenTheBrokerDiedIsPublishedAtTheNextStart(Broker broker) throws Exception {
        String willTopic = Names.topic("durable/will");
        String watcherId = Names.clientId("will-watch");
        subscribeAndLeave(broker, watcherId, willTopic);
        RawClient dying = RawClient.open(broker, Transport.TCP);
        dying.connect(Packets.connect(Packets.V5, Names.clientId("will-owner")).cleanStart(true)
                .properties(Properties5.none().add(Properties5.SESSION_EXPIRY_INTERVAL, 600))
                .will(willTopic, "gone", 1, false));
        broker.kill();
        dying.close();
        broker.restart();
        Set<String> received = resumeAndReceive(broker, watcherId, List.of("gone"));
        assertThat(received).containsExactly("gone");
    }
}
