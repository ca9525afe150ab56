package io.switchboard.itest.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;

import io.switchboard.itest.mqtt.support.Broker;
import io.switchboard.itest.mqtt.support.BrokerExtension;
import io.switchboard.itest.mqtt.support.Names;
import io.switchboard.itest.mqtt.support.Packet;
import io.switchboard.itest.mqtt.support.Packets;
import io.switchboard.itest.mqtt.support.Properties5;
import io.switchboard.itest.mqtt.support.RawClient;
import io.switchboard.itest.mqtt.support.RoundTrip;
import io.switchboard.itest.mqtt.support.Transport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Input meant to exhaust the broker, each followed by a normal round trip from another client that must
 * still work (the issue's abuse list; the fuzzer is {@link FuzzIT}).
 */
@ExtendWith(BrokerExtension.class)
class AbuseIT {

    private static final int V3 = 4;
    /** How much more heap after a GC the broker may hold after the churn than before it. */
    private static final long HEAP_MARGIN_BYTES = 4L << 20;
    private static final int CHURN_PAIRS = 1_000;
    private static final int CHURN_LEVELS = 100;

    @Test
    void aTopicOfTenThousandLevelsIsRefusedAndTheBrokerServesOn(Broker broker) throws Exception {
        String deep = Names.topic("deep") + "/x".repeat(9_999);
        try (RawClient c = RawClient.open(broker, Transport.TCP)) {
            assertThat(c.connect(Packets.V5, Names.clientId("deep")).reasonCode()).isZero();
            c.send(Packets.publish(Packets.V5, deep, 1, false, 1, "deep"));
            Packet ack = c.expect(Packet.PUBACK);
            assertThat(ack.reasonCode()).as("0x90 Topic Name invalid: " + ack).isEqualTo(0x90);
            assertThat(ack.reasonString()).contains("max.topic.levels");
            assertThat(c.subscribe(2, deep + "/#", 1).reasonCodes()).as("0x8F Topic Filter invalid").containsExactly(0x8F);
        }
        try (RawClient c = RawClient.open(broker, Transport.TCP)) {
            assertThat(c.connect(V3, Names.clientId("deep3")).reasonCode()).isZero();
            assertThat(c.subscribe(1, deep, 1).reasonCodes()).as("3.1.1: failure").containsExactly(0x80);
        }
        RoundTrip.check(broker);
    }

    @Test
    void aTopicAtTheLevelLimitIsServed(Broker broker) throws Exception {
        String topic = Names.topic("limit") + "/x".repeat(125); // 128 levels with the three of the name
        try (RawClient c = RawClient.open(broker, Transport.TCP)) {
            assertThat(c.connect(Packets.V5, Names.clientId("limit")).reasonCode()).isZero();
            assertThat(topic.split("/", -1)).hasSize(128);
            assertThat(c.subscribe(1, topic, 1).reasonCodes()).containsExactly(1);
            c.send(Packets.publish(Packets.V5, topic, 1, false, 2, "at the limit"));
            assertThat(java.util.List.of(c.next(Duration.ofSeconds(5)).type(), c.next(Duration.ofSeconds(5)).type()))
                    .containsExactlyInAnyOrder(Packet.PUBACK, Packet.PUBLISH);
        }
    }

    /**
     * Subscribing and unsubscribing long, distinct filters must not leave their topic levels behind in the
     * broker: 1,000 pairs of 100-level filters (tens of KiB of tree each if kept) and the heap after a GC is back
     * where it started.
     */
    @Test
    void subscribeUnsubscribeChurnOfLongFiltersLeavesTheHeapFlat(Broker broker) throws Exception {
        broker.assumeDistribution();
        String root = Names.topic("churn");
        try (RawClient c = RawClient.open(broker, Transport.TCP)) {
            assertThat(c.connect(Packets.V5, Names.clientId("churn")).reasonCode()).isZero();
            churn(c, root + "/warm-up", 50); // code paths loaded and compiled before the baseline
            RoundTrip.check(broker);
            long before = broker.heapUsedAfterGc();

            churn(c, root + "/measured", CHURN_PAIRS);

            RoundTrip.check(broker);
            long after = broker.heapUsedAfterGc();
            System.out.println("AbuseIT churn: heap after GC " + before / 1024 + " KiB -> " + after / 1024 + " KiB");
            assertThat(after).as("heap after GC (bytes) after " + CHURN_PAIRS + " subscribe/unsubscribe pairs vs before")
                    .isLessThan(before + HEAP_MARGIN_BYTES);
        }
    }

    /**
     * The same for subscriptions that end with their session: 100 clean sessions with 10 long filters each,
     * disconnected without unsubscribing.
     */
    @Test
    void sessionsEndingWithLongFiltersLeaveTheHeapFlat(Broker broker) throws Exception {
        broker.assumeDistribution();
        String root = Names.topic("ended");
        sessionsWithFilters(broker, root + "/warm-up", 5);
        RoundTrip.check(broker);
        long before = broker.heapUsedAfterGc();

        sessionsWithFilters(broker, root + "/measured", 100);

        RoundTrip.check(broker);
        long after = broker.heapUsedAfterGc();
        System.out.println("AbuseIT ended sessions: heap after GC " + before / 1024 + " KiB -> " + after / 1024 + " KiB");
        assertThat(after).as("heap after GC (bytes) after 100 sessions with 10 long filters each ended vs before")
                .isLessThan(before + HEAP_MARGIN_BYTES);
    }

    /** {@code pairs} SUBSCRIBE/UNSUBSCRIBE pairs, each of its own long filter under {@code prefix}. */
    private static void churn(RawClient c, String prefix, int pairs) throws Exception {
        for (int i = 0; i < pairs; i++) {
            String filter = longFilter(prefix, i);
            int packetId = 1 + i % 60_000;
            assertThat(c.subscribe(packetId, filter, 1).reasonCodes()).as("SUBACK " + i).containsExactly(1);
            c.send(Packets.unsubscribe(Packets.V5, packetId, filter));
            assertThat(c.expect(Packet.UNSUBACK).reasonCodes()).as("UNSUBACK " + i).containsExactly(0);
        }
    }

    private static void sessionsWithFilters(Broker broker, String prefix, int sessions) throws Exception {
        for (int s = 0; s < sessions; s++) {
            try (RawClient c = RawClient.open(broker, Transport.TCP)) {
                assertThat(c.connect(Packets.V5, Names.clientId("ended")).reasonCode()).isZero();
                for (int f = 0; f < 10; f++) {
                    assertThat(c.subscribe(1 + f, longFilter(prefix + "/" + s, f), 1).reasonCodes()).containsExactly(1);
                }
                c.send(Packets.disconnect(Packets.V5, 0, null));
                c.awaitClosed(Duration.ofSeconds(5));
            }
        }
    }

    /**
     * 95 levels of 36 characters and a {@code +} under {@code prefix}: {@value #CHURN_LEVELS} levels under a prefix of 4,
     * ~3.5 KB, within the shipped max.topic.length.
     */
    private static String longFilter(String prefix, int n) {
        StringBuilder filter = new StringBuilder(prefix);
        for (int level = 0; level < CHURN_LEVELS - 5; level++) {
            filter.append('/').append(String.format("%06d-%03d-", n, level)).append("x".repeat(25));
        }
        return filter.append("/+").toString();
    }

    /** The shipped max.topic.length. */
    private static final int MAX_TOPIC_LENGTH = 4096;
    /** The shipped max.subscriptions. */
    private static final int MAX_SUBSCRIPTIONS = 1000;

    /** A topic of exactly {@code bytes} bytes in UTF-8, under this test's own prefix. */
    private static String topicOf(String label, int bytes) {
        String prefix = Names.topic(label) + "/";
        return prefix + "x".repeat(bytes - prefix.length());
    }

    @Test
    void topicsAndFiltersLongerThanTheMaximumAreRefusedAndTheBrokerServesOn(Broker broker) throws Exception {
        String atLimit = topicOf("long", MAX_TOPIC_LENGTH);
        String beyond = atLimit + "x";
        try (RawClient c = RawClient.open(broker, Transport.TCP)) {
            assertThat(c.connect(Packets.V5, Names.clientId("long")).reasonCode()).isZero();
            assertThat(c.subscribe(1, atLimit, 1).reasonCodes()).as("a filter of exactly the maximum").containsExactly(1);
            assertThat(c.subscribe(2, beyond, 1).reasonCodes()).as("0x8F Topic Filter invalid").containsExactly(0x8F);
            c.send(Packets.publish(Packets.V5, beyond, 1, false, 3, "too long"));
            Packet ack = c.expect(Packet.PUBACK);
            assertThat(ack.reasonCode()).as("0x90 Topic Name invalid: " + ack).isEqualTo(0x90);
            assertThat(ack.reasonString()).contains("max.topic.length");
            c.send(Packets.publish(Packets.V5, atLimit, 1, false, 4, "at the limit"));
            assertThat(List.of(c.next(Duration.ofSeconds(5)).type(), c.next(Duration.ofSeconds(5)).type()))
                    .as("a topic of exactly the maximum is served").containsExactlyInAnyOrder(Packet.PUBACK, Packet.PUBLISH);
        }
        try (RawClient c = RawClient.open(broker, Transport.TCP)) {
            assertThat(c.connect(V3, Names.clientId("long3")).reasonCode()).isZero();
            assertThat(c.subscribe(1, beyond, 1).reasonCodes()).as("3.1.1: failure").containsExactly(0x80);
        }
        RoundTrip.check(broker);
    }

    @Test
    void aWillTopicBeyondTheLengthOrLevelsIsRefusedAtConnect(Broker broker) throws Exception {
        String tooLong = topicOf("will", MAX_TOPIC_LENGTH + 1);
        String tooDeep = Names.topic("will") + "/x".repeat(200);
        assertThat(connackWithWill(broker, Packets.V5, tooLong).reasonCode()).as("0x90 Topic Name invalid").isEqualTo(0x90);
        assertThat(connackWithWill(broker, Packets.V5, tooDeep).reasonCode()).isEqualTo(0x90);
        assertThat(connackWithWill(broker, V3, tooLong).reasonCode())
                .as("3.1.1 has no such code: 5, as for any will topic the broker does not accept").isEqualTo(5);
        RoundTrip.check(broker);
    }

    private static Packet connackWithWill(Broker broker, int version, String willTopic) throws Exception {
        try (RawClient c = RawClient.open(broker, Transport.TCP)) {
            Packet connack = c.connect(Packets.connect(version, Names.clientId("will")).will(willTopic, "gone", 1, false));
            c.awaitClosed(Duration.ofSeconds(5));
            return connack;
        }
    }

    @Test
    void aSessionBeyondItsMaximumOfSubscriptionsIsRefusedFilterByFilter(Broker broker) throws Exception {
        String prefix = Names.topic("many");
        try (RawClient c = RawClient.open(broker, Transport.TCP)) {
            assertThat(c.connect(Packets.V5, Names.clientId("many")).reasonCode()).isZero();
            List<Integer> codes = subscribe(c, Packets.V5, 1, prefix, 0, MAX_SUBSCRIPTIONS + 2);
            assertThat(codes.subList(0, MAX_SUBSCRIPTIONS)).as("up to the maximum").allMatch(code -> code == 1);
            assertThat(codes.subList(MAX_SUBSCRIPTIONS, codes.size())).as("0x97 Quota exceeded").containsExactly(0x97, 0x97);
            assertThat(subscribe(c, Packets.V5, 2, prefix, 0, 1)).as("a filter subscribed already takes no second place")
                    .containsExactly(1);
            c.send(Packets.unsubscribe(Packets.V5, 3, prefix + "/0"));
            assertThat(c.expect(Packet.UNSUBACK).reasonCodes()).containsExactly(0);
            assertThat(subscribe(c, Packets.V5, 4, prefix, MAX_SUBSCRIPTIONS, 2)).as("an unsubscribe frees one place")
                    .containsExactly(1, 0x97);
        }
        RoundTrip.check(broker);
    }

    @Test
    void aResumedSessionCountsTheSubscriptionsItKept(Broker broker) throws Exception {
        String prefix = Names.topic("kept");
        String id = Names.clientId("kept");
        try (RawClient c = RawClient.open(broker, Transport.TCP)) {
            assertThat(c.connect(Packets.connect(V3, id).cleanStart(false)).reasonCode()).isZero();
            assertThat(subscribe(c, V3, 1, prefix, 0, MAX_SUBSCRIPTIONS)).allMatch(code -> code == 1);
            c.send(Packets.disconnect(V3, 0, null));
            c.awaitClosed(Duration.ofSeconds(5));
        }
        try (RawClient c = RawClient.open(broker, Transport.TCP)) {
            Packet connack = c.connect(Packets.connect(V3, id).cleanStart(false));
            assertThat(connack.sessionPresent()).isTrue();
            assertThat(subscribe(c, V3, 1, prefix, MAX_SUBSCRIPTIONS, 1)).as("3.1.1: failure").containsExactly(0x80);
        }
        try (RawClient c = RawClient.open(broker, Transport.TCP)) { // a clean start ends the kept session
            assertThat(c.connect(Packets.connect(V3, id).cleanStart(true)).reasonCode()).isZero();
        }
    }

    /** Subscribes {@code <prefix>/<first>} .. {@code <prefix>/<first + count - 1>} in one SUBSCRIBE; the SUBACK's codes. */
    private static List<Integer> subscribe(RawClient c, int version, int packetId, String prefix, int first, int count)
            throws Exception {
        String[] filters = new String[count];
        int[] options = new int[count];
        for (int i = 0; i < count; i++) {
            filters[i] = prefix + "/" + (first + i);
            options[i] = 1;
        }
        c.send(Packets.subscribe(version, packetId, Properties5.none(), filters, options));
        return c.expect(Packet.SUBACK).reasonCodes();
    }
}
