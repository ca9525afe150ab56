package io.switchboard.itest.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.switchboard.itest.mqtt.support.Broker;
import io.switchboard.itest.mqtt.support.BrokerExtension;
import io.switchboard.itest.mqtt.support.Names;
import io.switchboard.itest.mqtt.support.Packet;
import io.switchboard.itest.mqtt.support.Packets;
import io.switchboard.itest.mqtt.support.Paho3;
import io.switchboard.itest.mqtt.support.Paho5;
import io.switchboard.itest.mqtt.support.Properties5;
import io.switchboard.itest.mqtt.support.RawClient;
import io.switchboard.itest.mqtt.support.Transport;

/**
 * SUBSCRIBE and UNSUBSCRIBE: the {@code +} and {@code #} wildcards (4.7.1), topics starting with
 * {@code $} (4.7.2), SUBACK return codes in request order, replacing a subscription, overlapping
 * subscriptions, UNSUBACK (with MQTT 5 reason codes), and filters that break the wildcard rules.
 */
@ExtendWith(BrokerExtension.class)
class SubscriptionsIT {

    private static final Duration QUIET = Duration.ofMillis(300);

    @Test
    void singleLevelWildcardMatchesExactlyOneLevel(Broker broker) throws Exception {
        // 4.7.1.3: "sport/+/player1" matches one level; "sport/+" matches "sport/" but not "sport"
        String root = Names.topic("plus");
        try (Paho3 subscriber = Paho3.connect(broker, Transport.TCP, Names.clientId("plus"));
                Paho3 publisher = Paho3.connect(broker, Transport.TCP, Names.clientId("pub"))) {
            subscriber.subscribe(root + "/+/temp", 0);
            subscriber.subscribe(root + "/level/+", 0);
            for (String topic : List.of(root + "/kitchen/temp", root + "/kitchen/oven/temp", root + "/temp", root + "//temp",
                    root + "/level", root + "/level/", root + "/level/x/y", root + "/level/x")) {
                publisher.publish(topic, topic, 0, false);
            }
            publisher.publish(root + "/end/temp", "end", 0, false);
            Set<String> received = receiveUntil(subscriber, "end");
            assertThat(received).containsExactlyInAnyOrder(root + "/kitchen/temp", root + "//temp", root + "/level/",
                    root + "/level/x", root + "/end/temp");
        }
    }

    @Test
    void multiLevelWildcardMatchesTheParentAndEveryDescendant(Broker broker) throws Exception {
        // 4.7.1.2: "sport/tennis/player1/#" matches "sport/tennis/player1" and everything below
        String root = Names.topic("hash");
        try (Paho3 subscriber = Paho3.connect(broker, Transport.TCP, Names.clientId("hash"));
                Paho3 publisher = Paho3.connect(broker, Transport.TCP, Names.clientId("pub"))) {
            subscriber.subscribe(root + "/a/#", 0);
            for (String topic : List.of(root + "/a", root + "/a/b", root + "/a/b/c/d", root + "/ab", root + "/b/a")) {
                publisher.publish(topic, topic, 0, false);
            }
            publisher.publish(root + "/a/end", "end", 0, false);
            assertThat(receiveUntil(subscriber, "end")).containsExactlyInAnyOrder(root + "/a", root + "/a/b", root + "/a/b/c/d",
                    root + "/a/end");
        }
    }

    @Test
    void leadingWildcardsDoNotMatchTopicsStartingWithDollar(Broker broker) throws Exception {
        // [MQTT-4.7.2-1]: "#" and "+/..." must not match topic names beginning with "$"; "$x/#" does
        String level = Names.topic("dollar").replace('/', '-');
        String dollarTopic = "$itest/" + level + "/info";
        try (Paho5 everything = Paho5.connect(broker, Transport.TCP, Names.clientId("all"));
                Paho5 plusFirst = Paho5.connect(broker, Transport.TCP, Names.clientId("plusfirst"));
                Paho5 dollar = Paho5.connect(broker, Transport.TCP, Names.clientId("dollar"));
                Paho5 publisher = Paho5.connect(broker, Transport.TCP, Names.clientId("pub"))) {
            everything.subscribe("#", 0);
            plusFirst.subscribe("+/" + level + "/info", 0);
            dollar.subscribe("$itest/" + level + "/#", 0);
            publisher.publish(dollarTopic, "dollar", 1, false);
            assertThat(dollar.inbox().next().topic()).as("an explicit $ subscription").isEqualTo(dollarTopic);
            String marker = Names.topic("marker");
            publisher.publish(marker, "marker", 1, false);
            List<String> seenByHash = everything.inbox().drain().stream().map(Paho5.Received::topic).collect(Collectors.toList());
            while (!seenByHash.contains(marker)) {
                seenByHash.add(everything.inbox().next().topic());
            }
            assertThat(seenByHash).as("topics '#' received").noneMatch(t -> t.startsWith("$"));
            plusFirst.inbox().expectNothing(QUIET);
        }
    }

    @ParameterizedTest(name = "protocol level {0}")
    @ValueSource(ints = {Packets.V311, Packets.V5})
    void subackGrantsEachFilterInRequestOrder(int version, Broker broker) throws Exception {
        // 3.1.1 [MQTT-3.8.4-1], [MQTT-3.8.4-5], [MQTT-3.9.3-1] / 5.0 [MQTT-3.8.4-1], [MQTT-3.9.3-1]: SUBACK with the
        // SUBSCRIBE's packet identifier and one code per filter, in order
        String root = Names.topic("suback");
        try (RawClient client = RawClient.open(broker, Transport.TCP)) {
            client.connect(version, Names.clientId("suback"));
            client.send(Packets.subscribe(version, 321, Properties5.none(), new String[] {root + "/two", root + "/zero", root + "/one"},
                    new int[] {2, 0, 1}));
            Packet suback = client.expect(Packet.SUBACK);
            assertThat(suback.packetId()).as("SUBACK packet identifier").isEqualTo(321);
            assertThat(suback.reasonCodes()).as("SUBACK codes").containsExactly(2, 0, 1);
        }
    }

    @Test
    void subscribingAgainReplacesTheSubscription(Broker broker) throws Exception {
        // 3.1.1 [MQTT-3.8.4-3] / 5.0 [MQTT-3.8.4-3]: a SUBSCRIBE for an existing filter replaces it (one copy, new QoS)
        String topic = Names.topic("replace");
        try (RawClient client = RawClient.open(broker, Transport.TCP);
                Paho3 publisher = Paho3.connect(broker, Transport.TCP, Names.clientId("pub"))) {
            client.connect(Packets.V311, Names.clientId("replace"));
            client.subscribe(1, topic, 0);
            client.subscribe(2, topic, 2);
            publisher.publish(topic, "once", 2, false);
            Packet delivered = client.expect(Packet.PUBLISH);
            assertThat(delivered.qos()).as("QoS of the replacing subscription").isEqualTo(2);
            client.send(Packets.ack(Packet.PUBREC, delivered.packetId()));
            client.send(Packets.ack(Packet.PUBCOMP, client.expect(Packet.PUBREL).packetId()));
            client.expectNothing(QUIET);
        }
    }

    @Test
    void overlappingSubscriptionsDeliverAtTheHighestQos(Broker broker) throws Exception {
        // 3.1.1 [MQTT-3.3.5-1] / 5.0 4.7.1 + 3.3.4: with overlapping filters the message is delivered respecting the
        // maximum QoS of the matching subscriptions (further copies allowed)
        String root = Names.topic("overlap");
        try (RawClient client = RawClient.open(broker, Transport.TCP);
                Paho3 publisher = Paho3.connect(broker, Transport.TCP, Names.clientId("pub"))) {
            client.connect(Packets.V311, Names.clientId("overlap"));
            client.subscribe(1, root + "/#", 0);
            client.subscribe(2, root + "/+/x", 1);
            publisher.publish(root + "/a/x", "overlapping", 1, false);
            Packet first = client.expect(Packet.PUBLISH);
            int maxQos = first.qos();
            if (first.qos() > 0) {
                client.send(Packets.ack(Packet.PUBACK, first.packetId()));
            }
            Packet second = client.next(QUIET);
            if (second != null && second.type() == Packet.PUBLISH) {
                maxQos = Math.max(maxQos, second.qos());
                if (second.qos() > 0) {
                    client.send(Packets.ack(Packet.PUBACK, second.packetId()));
                }
            }
            assertThat(maxQos).as("highest QoS among the copies delivered").isEqualTo(1);
        }
    }

    @ParameterizedTest(name = "protocol level {0}")
    @ValueSource(ints = {Packets.V311, Packets.V5})
    void unsubscribeStopsDelivery(int version, Broker broker) throws Exception {
        // 3.1.1 [MQTT-3.10.4-1..5] / 5.0 [MQTT-3.10.4-1..5]: UNSUBACK with the same identifier; no new messages after
        String topic = Names.topic("unsub");
        try (RawClient client = RawClient.open(broker, Transport.TCP);
                Paho3 publisher = Paho3.connect(broker, Transport.TCP, Names.clientId("pub"))) {
            client.connect(version, Names.clientId("unsub"));
            client.subscribe(1, topic, 0);
            publisher.publish(topic, "before", 0, false);
            assertThat(client.expect(Packet.PUBLISH).payloadText()).isEqualTo("before");
            client.send(Packets.unsubscribe(version, 99, topic));
            Packet unsuback = client.expect(Packet.UNSUBACK);
            assertThat(unsuback.packetId()).as("UNSUBACK packet identifier").isEqualTo(99);
            if (version == Packets.V5) {
                assertThat(unsuback.reasonCodes()).as("UNSUBACK reason codes").containsExactly(0x00);
            }
            publisher.publish(topic, "after", 0, false);
            client.expectNothing(QUIET);
        }
    }

    @Test
    void v5UnsubscribeOfAnUnknownFilterReportsNoSubscriptionExisted(Broker broker) throws Exception {
        // 5.0 3.11.3: UNSUBACK reason code 0x11 (No subscription existed) per filter, in order
        String root = Names.topic("unsub5");
        try (RawClient client = RawClient.open(broker, Transport.TCP)) {
            client.connect(Packets.V5, Names.clientId("unsub5"));
            client.subscribe(1, root + "/a", 1);
            client.send(Packets.unsubscribe(Packets.V5, 2, root + "/a", root + "/never"));
            assertThat(client.expect(Packet.UNSUBACK).reasonCodes()).containsExactly(0x00, 0x11);
        }
    }

    @ParameterizedTest(name = "filter <topic>/{0}")
    @ValueSource(strings = {"a/#/b", "a/b#", "a+/b", "#/a"})
    void filtersBreakingTheWildcardRulesAreRefused(String badSuffix, Broker broker) throws Exception {
        // [MQTT-4.7.1-1], [MQTT-4.7.1-2]: '#' last and alone in its level, '+' alone in its level. A server refuses
        // such a filter: SUBACK failure (0x80 / 5.0: 0x8F Topic Filter invalid) or, as a malformed packet, it closes
        // the connection (5.0: DISCONNECT 0x81 / 0x82 / 0x8F first). Either way other filters and clients go on.
        for (int version : new int[] {Packets.V311, Packets.V5}) {
            String bad = Names.topic("badfilter") + "/" + badSuffix;
            try (RawClient client = RawClient.open(broker, Transport.TCP)) {
                client.connect(version, Names.clientId("badfilter"));
                client.send(Packets.subscribe(version, 5, bad, 1));
                Packet answer = client.next(RawClient.WAIT);
                if (answer == null) {
                    throw new AssertionError("neither SUBACK nor a closed connection for filter " + bad);
                }
                if (answer.type() == Packet.SUBACK) {
                    assertThat(answer.reasonCodes()).as("SUBACK for " + bad + " (level " + version + ")")
                            .singleElement().satisfies(code -> assertThat(code).isIn(0x80, 0x8F));
                } else {
                    assertThat(answer.type()).as("answer to " + bad + " (level " + version + ")").isEqualTo(Packet.DISCONNECT);
                    assertThat(version).isEqualTo(Packets.V5);
                    assertThat(answer.reasonCode()).isIn(0x81, 0x82, 0x8F);
                    client.awaitClosed(Duration.ofSeconds(5));
                }
            } catch (AssertionError e) {
                if (e.getMessage() == null || !e.getMessage().contains("closed the connection")) {
                    throw e;
                }
                // 3.1.1: closing the connection is the answer to a malformed packet
            }
        }
        TransportsIT.roundTripStillWorks(broker);
    }

    /** Collects received topics until the message with payload {@code end} arrives. */
    private static Set<String> receiveUntil(Paho3 subscriber, String end) {
        Set<String> topics = new java.util.HashSet<>();
        while (true) {
            Paho3.Received r = subscriber.inbox().next();
            topics.add(r.topic());
            if (r.text().equals(end)) {
                return topics;
            }
        }
    }
}
