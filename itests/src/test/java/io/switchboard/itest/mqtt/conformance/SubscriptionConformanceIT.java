package io.switchboard.itest.mqtt.conformance;

import static io.switchboard.itest.mqtt.conformance.Conformance.QUIET;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.eclipse.paho.mqttv5.common.MqttSubscription;
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
 * Subscriptions, strictly: overlapping subscriptions get ONE copy at the highest QoS (3.1.1 and 5.0) carrying
 * every matching subscription identifier (5.0); identifiers replaced and removed by a new SUBSCRIBE; a SUBSCRIBE
 * followed at once by the UNSUBSCRIBE of its filter leaves nothing; {@code $} topics and leading wildcards, live and
 * retained, for both versions; retain handling 1 in a resumed session; no local and retain as published as a Paho 5
 * user sets them; shared subscriptions (QoS per member, identifiers, leaving).
 */
@ExtendWith(BrokerExtension.class)
class SubscriptionConformanceIT {

    @ParameterizedTest(name = "protocol level {0}")
    @ValueSource(ints = {Packets.V311, Packets.V5})
    void overlappingSubscriptionsGetOneCopyAtTheHighestQos(int version, Broker broker) throws Exception {
        // 3.1.1 [MQTT-3.3.5-1] / 5.0 [MQTT-3.3.4-2]: the message is delivered respecting the maximum QoS of all the
        // matching subscriptions; this server sends a single copy (as it announces: one copy per client)
        String root = Names.topic("onecopy");
        try (RawClient client = RawClient.open(broker, Transport.TCP);
                RawClient publisher = RawClient.open(broker, Transport.TCP)) {
            client.connect(version, Names.clientId("onecopy"));
            publisher.connect(version, Names.clientId("pub"));
            client.subscribe(1, root + "/#", 0);
            client.subscribe(2, root + "/+/x", 2);
            client.subscribe(3, root + "/a/x", 1);
            for (int qos : new int[] {2, 1, 0}) {
                Conformance.publish(publisher, version, root + "/a/x", qos, false, 10 + qos, "at qos " + qos);
                Packet got = client.expect(Packet.PUBLISH);
                assertThat(got.payloadText()).isEqualTo("at qos " + qos);
                assertThat(got.qos()).as("QoS of the copy of a QoS " + qos + " message (subscriptions at 0, 2, 1)").isEqualTo(qos);
                Conformance.acknowledge(client, got);
                client.expectNothing(QUIET); // one copy only
            }
        }
    }

    @Test
    void aPaho311SubscriberWithOverlappingFiltersGetsOneCopy(Broker broker) throws Exception {
        // 3.1.1 [MQTT-3.3.5-1] as a Paho user sees it: one message, at the highest granted QoS
        String root = Names.topic("onecopypaho");
        try (Paho3 subscriber = Paho3.connect(broker, Transport.TCP, Names.clientId("paho3"));
                Paho3 publisher = Paho3.connect(broker, Transport.WEBSOCKET, Names.clientId("pub"))) {
            subscriber.subscribe(root + "/+", 1);
            subscriber.subscribe(root + "/#", 2);
            subscriber.subscribe(root + "/m", 0);
            publisher.publish(root + "/m", "once", 2, false);
            Paho3.Received got = subscriber.inbox().next();
            assertThat(got.text()).isEqualTo("once");
            assertThat(got.message().getQos()).as("QoS of the delivered copy").isEqualTo(2);
            subscriber.inbox().expectNothing(QUIET);
        }
    }

    @Test
    void oneCopyCarriesEveryMatchingSubscriptionIdentifier(Broker broker) throws Exception {
        // 5.0 [MQTT-3.3.4-3]: the identifiers of the matching subscriptions are sent; [MQTT-3.3.4-4] a single copy
        // carries all of them (order not significant); a subscription without one adds none; another client's
        // identifiers are never sent to this one
        String root = Names.topic("subids");
        try (RawClient client = RawClient.open(broker, Transport.TCP);
                RawClient other = RawClient.open(broker, Transport.TCP);
                RawClient publisher = RawClient.open(broker, Transport.TCP)) {
            client.connect(Packets.V5, Names.clientId("subids"));
            other.connect(Packets.V5, Names.clientId("otherids"));
            publisher.connect(Packets.V5, Names.clientId("pub"));
            subscribe(client, 1, root + "/+/temp", 1, 7);
            subscribe(client, 2, root + "/kitchen/#", 2, 268435455); // the largest identifier
            subscribe(client, 3, root + "/kitchen/temp", 0, 0);
            subscribe(other, 1, root + "/#", 1, 0);

            Conformance.publish(publisher, Packets.V5, root + "/kitchen/temp", 2, false, 1, "three matching");
            Packet got = client.expect(Packet.PUBLISH);
            assertThat(got.properties().integers(Properties5.SUBSCRIPTION_IDENTIFIER)).as("identifiers in " + got)
                    .containsExactlyInAnyOrder(7, 268435455);
            assertThat(got.qos()).as("QoS: the highest of the matching subscriptions").isEqualTo(2);
            Conformance.acknowledge(client, got);
            client.expectNothing(QUIET);
            Packet theirs = other.expect(Packet.PUBLISH);
            assertThat(theirs.properties().has(Properties5.SUBSCRIPTION_IDENTIFIER)).as("identifiers sent to another client " + theirs)
                    .isFalse();
            Conformance.acknowledge(other, theirs);

            Conformance.publish(publisher, Packets.V5, root + "/hall/temp", 1, false, 2, "one matching");
            Packet one = client.expect(Packet.PUBLISH);
            assertThat(one.properties().integers(Properties5.SUBSCRIPTION_IDENTIFIER)).containsExactly(7);
            Conformance.acknowledge(client, one);
        }
    }

    @Test
    void aNewSubscribeReplacesOrRemovesTheSubscriptionIdentifier(Broker broker) throws Exception {
        // 5.0 3.8.2.1.2: the Subscription Identifier is associated with the subscription created or modified by the
        // SUBSCRIBE [MQTT-3.8.4-3]: a SUBSCRIBE replacing one with another identifier, or none, changes what is sent
        String topic = Names.topic("idreplace");
        try (RawClient client = RawClient.open(broker, Transport.TCP);
                RawClient publisher = RawClient.open(broker, Transport.TCP)) {
            client.connect(Packets.V5, Names.clientId("idreplace"));
            publisher.connect(Packets.V5, Names.clientId("pub"));
            int[][] steps = {{5}, {6}, {}};
            int packetId = 1;
            for (int[] ids : steps) {
                subscribe(client, packetId++, topic, 1, ids.length == 0 ? 0 : ids[0]);
                publisher.send(Packets.publish(Packets.V5, topic, 0, false, 0, "after subscribing with " + java.util.Arrays.toString(ids)));
                Packet got = client.expect(Packet.PUBLISH);
                assertThat(got.properties().integers(Properties5.SUBSCRIPTION_IDENTIFIER)).as(got.toString())
                        .containsExactly(java.util.Arrays.stream(ids).boxed().toArray(Integer[]::new));
            }
        }
    }

    @ParameterizedTest(name = "protocol level {0}")
    @ValueSource(ints = {Packets.V311, Packets.V5})
    void aSubscribeFollowedAtOnceByItsUnsubscribeLeavesNoSubscription(int version, Broker broker) throws Exception {
        // 3.1.1 / 5.0 [MQTT-3.10.4-1], [MQTT-3.10.4-2]: an UNSUBSCRIBE deletes the subscription its filter matches
        // exactly and stops new messages; packets of one connection take effect in order, so an UNSUBSCRIBE sent right
        // behind the SUBSCRIBE of the same filter finds it (5.0 UNSUBACK 0x00 Success, not 0x11) and removes it
        String root = Names.topic("subunsub");
        int pairs = 20;
        try (RawClient client = RawClient.open(broker, Transport.TCP);
                RawClient publisher = RawClient.open(broker, Transport.TCP)) {
            client.connect(version, Names.clientId("subunsub"));
            publisher.connect(version, Names.clientId("pub"));
            ByteArrayOutputStream burst = new ByteArrayOutputStream();
            for (int i = 0; i < pairs; i++) {
                burst.writeBytes(Packets.subscribe(version, 100 + i, root + "/" + i, 1));
                burst.writeBytes(Packets.unsubscribe(version, 200 + i, root + "/" + i));
            }
            client.send(burst.toByteArray());
            List<String> answers = new ArrayList<>();
            for (int i = 0; i < 2 * pairs; i++) {
                Packet p = client.next(RawClient.WAIT);
                assertThat(p).as("answer " + (i + 1) + " of " + 2 * pairs + " after " + answers).isNotNull();
                answers.add(p.type() == Packet.SUBACK ? "SUBACK " + p.packetId() + " " + Packet.hex(p.reasonCodes())
                        : p.type() == Packet.UNSUBACK ? "UNSUBACK " + p.packetId() + (version == Packets.V5 ? " " + Packet.hex(p.reasonCodes()) : "")
                        : p.toString());
            }
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < pairs; i++) {
                expected.add("SUBACK " + (100 + i) + " [0x01]");
                expected.add("UNSUBACK " + (200 + i) + (version == Packets.V5 ? " [0x00]" : ""));
            }
            assertThat(answers).as("answers to SUBSCRIBE/UNSUBSCRIBE pairs").containsExactlyElementsOf(expected);

            client.subscribe(300, root + "/marker", 1);
            for (int i = 0; i < pairs; i++) {
                publisher.send(Packets.publish(version, root + "/" + i, 0, false, 0, "unsubscribed " + i));
            }
            publisher.send(Packets.publish(version, root + "/marker", 0, false, 0, "marker"));
            Packet first = client.expect(Packet.PUBLISH);
            assertThat(first.topic() + ": " + first.payloadText()).as("the first message after the pairs: only the marker is subscribed")
                    .isEqualTo(root + "/marker: marker");
        }
    }

    @ParameterizedTest(name = "protocol level {0}")
    @ValueSource(ints = {Packets.V311, Packets.V5})
    void leadingWildcardsMatchNoDollarTopicLiveOrRetained(int version, Broker broker) throws Exception {
        // [MQTT-4.7.2-1]: topic filters starting with '#' or '+' do not match topic names starting with '$', for
        // live messages and for the retained messages sent on subscribe; an explicit '$' filter does
        String level = Names.topic("dollar").replace('/', '-');
        String dollar = "$itest/" + level + "/r";
        String plain = "itest/" + level + "/r";
        try (RawClient publisher = RawClient.open(broker, Transport.TCP)) {
            publisher.connect(version, Names.clientId("pub"));
            publisher.send(Packets.publish(version, dollar, 1, true, 1, "retained dollar"));
            publisher.expect(Packet.PUBACK);
            publisher.send(Packets.publish(version, plain, 1, true, 2, "retained plain"));
            publisher.expect(Packet.PUBACK);
            try (RawClient wildcard = RawClient.open(broker, Transport.TCP);
                    RawClient explicit = RawClient.open(broker, Transport.TCP)) {
                wildcard.connect(version, Names.clientId("plusfirst"));
                explicit.connect(version, Names.clientId("explicit"));
                wildcard.subscribe(1, "+/" + level + "/#", 0);
                Packet retained = wildcard.expect(Packet.PUBLISH);
                assertThat(retained.topic()).as("the retained message '+/" + level + "/#' gets").isEqualTo(plain);
                explicit.subscribe(1, "$itest/" + level + "/#", 0);
                assertThat(explicit.expect(Packet.PUBLISH).topic()).as("an explicit '$' filter").isEqualTo(dollar);

                publisher.send(Packets.publish(version, dollar, 0, false, 0, "live dollar"));
                publisher.send(Packets.publish(version, plain, 0, false, 0, "live plain"));
                assertThat(explicit.expect(Packet.PUBLISH).payloadText()).isEqualTo("live dollar");
                Packet live = wildcard.expect(Packet.PUBLISH);
                assertThat(live.topic() + ": " + live.payloadText()).as("the next message '+/" + level + "/#' gets")
                        .isEqualTo(plain + ": live plain");
                wildcard.expectNothing(QUIET);
            } finally {
                publisher.send(Packets.publish(version, dollar, 1, true, 3, ""));
                publisher.expect(Packet.PUBACK);
                publisher.send(Packets.publish(version, plain, 1, true, 4, ""));
                publisher.expect(Packet.PUBACK);
            }
        }
    }

    @Test
    void retainHandlingOneSeesTheSubscriptionOfAResumedSession(Broker broker) throws Exception {
        // 5.0 [MQTT-3.3.1-10]: retain handling 1 sends retained messages only if the subscription did not exist;
        // one kept in the resumed session exists
        String topic = Names.topic("rhresumed");
        String id = Names.clientId("rhresumed");
        try (RawClient publisher = RawClient.open(broker, Transport.TCP)) {
            publisher.connect(Packets.V5, Names.clientId("pub"));
            publisher.send(Packets.publish(Packets.V5, topic, 1, true, 1, "retained"));
            publisher.expect(Packet.PUBACK);
            try {
                try (RawClient first = RawClient.open(broker, Transport.TCP)) {
                    first.connect(Packets.connect(Packets.V5, id).properties(Properties5.none().add(Properties5.SESSION_EXPIRY_INTERVAL, 60)));
                    first.subscribe(1, topic, 0x10);
                    assertThat(first.expect(Packet.PUBLISH).retain()).as("retain handling 1, new subscription").isTrue();
                    first.send(Packets.disconnect(Packets.V5, 0, null));
                    first.awaitClosed(Duration.ofSeconds(5));
                }
                try (RawClient back = RawClient.open(broker, Transport.TCP)) {
                    assertThat(back.connect(Packets.connect(Packets.V5, id).cleanStart(false)).sessionPresent()).isTrue();
                    back.subscribe(2, topic, 0x10);
                    back.expectNothing(QUIET); // the subscription existed in the session
                    back.subscribe(3, topic, 0x00);
                    assertThat(back.expect(Packet.PUBLISH).payloadText()).as("retain handling 0 sends it again").isEqualTo("retained");
                }
            } finally {
                publisher.send(Packets.publish(Packets.V5, topic, 1, true, 2, ""));
                publisher.expect(Packet.PUBACK);
            }
        }
    }

    @Test
    void noLocalAndRetainAsPublishedAsAPaho5UserSetsThem(Broker broker) throws Exception {
        // 5.0 [MQTT-3.8.3-3] no local: not its own messages; [MQTT-3.3.1-13] retain as published: RETAIN kept on a
        // live delivery, [MQTT-3.3.1-12] without it RETAIN 0
        String topic = Names.topic("pahooptions");
        try (Paho5 client = Paho5.connect(broker, Transport.TCP, Names.clientId("options"));
                Paho5 other = Paho5.connect(broker, Transport.TCP, Names.clientId("other"))) {
            MqttSubscription noLocal = new MqttSubscription(topic + "/nolocal", 1);
            noLocal.setNoLocal(true);
            MqttSubscription rap = new MqttSubscription(topic + "/rap", 1);
            rap.setRetainAsPublished(true);
            rap.setRetainHandling(2);
            MqttSubscription plain = new MqttSubscription(topic + "/plain", 1);
            assertThat(client.subscribe(noLocal, rap, plain)).containsExactly(1, 1, 1);
            client.publish(topic + "/nolocal", "mine", 1, false);
            other.publish(topic + "/nolocal", "theirs", 1, false);
            assertThat(client.inbox().next().text()).as("no local: only the other client's").isEqualTo("theirs");
            other.publish(topic + "/rap", "kept flag", 1, true);
            Paho5.Received withRap = client.inbox().next();
            assertThat(withRap.message().isRetained()).as("RETAIN with retain as published: " + withRap).isTrue();
            other.publish(topic + "/plain", "cleared flag", 1, true);
            Paho5.Received without = client.inbox().next();
            assertThat(without.message().isRetained()).as("RETAIN without retain as published: " + without).isFalse();
            client.inbox().expectNothing(QUIET);
            other.publish(topic + "/rap", "", 1, true);
            other.publish(topic + "/plain", "", 1, true);
        }
    }

    @Test
    void sharedSubscriptionMembersGetTheirOwnQosAndIdentifiersAndMayLeave(Broker broker) throws Exception {
        // 5.0 4.8.2: each message to one member of the group, at most at the QoS that member was granted
        // [MQTT-3.8.4-8 (min of published and granted QoS)], with that member's subscription identifier
        // [MQTT-3.3.4-3]; after a member's UNSUBSCRIBE (UNSUBACK 0x00) the others get every message
        String topic = Names.topic("sharedqos");
        String filter = "$share/g" + Math.abs(topic.hashCode()) + "/" + topic;
        int messages = 20;
        try (RawClient low = RawClient.open(broker, Transport.TCP);
                RawClient high = RawClient.open(broker, Transport.TCP);
                RawClient publisher = RawClient.open(broker, Transport.TCP)) {
            low.connect(Packets.V5, Names.clientId("low"));
            high.connect(Packets.V5, Names.clientId("high"));
            publisher.connect(Packets.V5, Names.clientId("pub"));
            subscribe(low, 1, filter, 0, 11);
            subscribe(high, 1, filter, 2, 0);
            for (int i = 0; i < messages; i++) {
                Conformance.publish(publisher, Packets.V5, topic, 2, false, i + 1, "m" + i);
            }
            Set<String> got = new HashSet<>();
            int copies = 0;
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (copies < messages && System.nanoTime() < deadline) {
                for (RawClient member : List.of(low, high)) {
                    Packet p = member.next(Duration.ofMillis(50));
                    if (p == null) {
                        continue;
                    }
                    if (p.type() == Packet.PUBREL && member == high) {
                        high.send(Packets.ack(Packet.PUBCOMP, p.packetId()));
                        continue;
                    }
                    assertThat(p.type()).as(p.toString()).isEqualTo(Packet.PUBLISH);
                    copies++;
                    got.add(p.payloadText());
                    if (member == low) {
                        assertThat(p.qos()).as("QoS to the member granted 0: " + p).isZero();
                        assertThat(p.properties().integers(Properties5.SUBSCRIPTION_IDENTIFIER)).as(p.toString()).containsExactly(11);
                    } else {
                        assertThat(p.qos()).as("QoS to the member granted 2: " + p).isEqualTo(2);
                        assertThat(p.properties().has(Properties5.SUBSCRIPTION_IDENTIFIER)).as(p.toString()).isFalse();
                        high.send(Packets.ack(Packet.PUBREC, p.packetId())); // its PUBREL is answered in the loop
                    }
                }
            }
            assertThat(copies).as("copies the group received").isEqualTo(messages);
            assertThat(got).as("each message once").hasSize(messages);
            low.expectNothing(Duration.ofMillis(200));

            low.send(Packets.unsubscribe(Packets.V5, 2, filter));
            assertThat(low.expect(Packet.UNSUBACK).reasonCodes()).as("UNSUBACK of the shared subscription").containsExactly(0x00);
            for (int i = 0; i < 5; i++) {
                publisher.send(Packets.publish(Packets.V5, topic, 0, false, 0, "after " + i));
            }
            List<String> after = new ArrayList<>();
            while (after.size() < 5) {
                Packet p = high.next(RawClient.WAIT);
                assertThat(p).as("messages to the remaining member after " + after).isNotNull();
                if (p.type() == Packet.PUBREL) { // of the last QoS 2 message above
                    high.send(Packets.ack(Packet.PUBCOMP, p.packetId()));
                } else {
                    after.add(p.payloadText());
                }
            }
            assertThat(after).containsExactly("after 0", "after 1", "after 2", "after 3", "after 4");
            low.expectNothing(QUIET);
        }
    }

    /** SUBSCRIBE one filter with options (QoS) and a subscription identifier (0: none); checks the SUBACK grants it. */
    private static void subscribe(RawClient client, int packetId, String filter, int options, int identifier) throws Exception {
        Properties5 props = identifier == 0 ? Properties5.none() : Properties5.none().add(Properties5.SUBSCRIPTION_IDENTIFIER, identifier);
        client.send(Packets.subscribe(Packets.V5, packetId, props, new String[] {filter}, new int[] {options}));
        Packet suback = client.expect(Packet.SUBACK);
        assertThat(suback.reasonCodes()).as("SUBACK for " + filter).containsExactly(options & 0x03);
    }
}
