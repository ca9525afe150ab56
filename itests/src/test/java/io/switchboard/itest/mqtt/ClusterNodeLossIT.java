package io.switchboard.itest.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.switchboard.itest.mqtt.support.ClusterNodes;
import io.switchboard.itest.mqtt.support.LoadPublisher;
import io.switchboard.itest.mqtt.support.Paho3;
import io.switchboard.itest.mqtt.support.Transport;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * No message acknowledged to its publisher is lost when a node dies (docs/cluster.md, "Acknowledged forwarding"):
 * three distributions as separate JVMs, a publisher on node a sending QoS 1 continuously to persistent QoS 1
 * subscribers on b and c, and one node killed with SIGKILL mid-stream. First b, a receiving node: its subscriber,
 * back on b after b restarted, gets every message a acknowledged while b was there (b confirmed each once its store
 * and the cluster's copy of its sessions had it; a survivor took b's sessions, and b takes this one back when its
 * client returns: docs/cluster.md, "Sessions across nodes"). Then b again, under QoS 2: the other subscribers get each
 * message exactly once. Then a, the node the messages enter: the subscribers on b and c get every message a
 * acknowledged.
 *
 * <p>QoS 1 is at least once: a publisher that got no PUBACK sends again (DUP), so a subscriber may get a message
 * twice; the checks are "every acknowledged message at least once" and "first arrivals in the order published".
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterNodeLossIT {

    private static final Duration ARRIVAL = Duration.ofSeconds(30);

    @TempDir
    static Path work;
    private static ClusterNodes cluster;

    @BeforeAll
    static void startThreeNodes() throws Exception {
        // a node that does not confirm within 2 s fails the publish (no PUBACK): short, so the test is too; and each
        // group commit of the stores waits for the disk (fsync), so a message stays unwritten for a while after a
        // node received it: acknowledging before the receiving node's store wrote it would lose messages at a kill
        cluster = ClusterNodes.start(work, List.of("a", "b", "c"), Map.of("forward.timeout.ms", "2000"),
                Map.of("io.switchboard.store.cfg", Map.of("sync", "fsync")));
    }

    @AfterAll
    static void stopNodes() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    @Order(1)
    void aSubscriberOfAKilledReceivingNodeGetsEveryAcknowledgedMessageWhenItComesBack() throws Exception {
        MemoryPersistence onBState = new MemoryPersistence();
        try (Paho3 onB = Paho3.create(cluster.node("b"), Transport.TCP, "keeper-b", onBState);
                Paho3 onC = Paho3.create(cluster.node("c"), Transport.TCP, "keeper-c")) {
            onB.connect(o -> o.setCleanSession(false));
            onC.connect(o -> o.setCleanSession(false));
            assertThat(onB.subscribe("hold/#", 1)).isEqualTo(1);
            assertThat(onC.subscribe("hold/#", 1)).isEqualTo(1);
            onB.disconnect(); // offline: b keeps what arrives for it in its store
            cluster.awaitRoute("a", "b", "hold/#");
            cluster.awaitRoute("a", "c", "hold/#");

            List<String> acknowledgedWhileBLived = new ArrayList<>();
            List<String> acknowledged = new ArrayList<>();
            try (LoadPublisher first = new LoadPublisher(cluster.node("a"), "hold-pub-1", "hold/1", "h1-");
                    LoadPublisher second = new LoadPublisher(cluster.node("a"), "hold-pub-2", "hold/2", "h2-")) {
                first.awaitAcknowledged(300, ARRIVAL);
                second.awaitAcknowledged(300, ARRIVAL);
                // all of these went to b, and b confirmed them: they are in b's store
                acknowledgedWhileBLived.addAll(first.acknowledged());
                acknowledgedWhileBLived.addAll(second.acknowledged());
                cluster.node("b").kill(); // mid-stream: 40 publishes in flight

                cluster.awaitMembers("a", 2);
                int before = first.acknowledgedCount();
                first.awaitAcknowledged(before + 200, ARRIVAL); // a goes on with c alone
                acknowledged.addAll(first.stop());
                acknowledged.addAll(second.stop());
            }
            assertThat(acknowledgedWhileBLived).hasSizeGreaterThanOrEqualTo(600);

            List<String> gotOnC = ClusterNodes.awaitAll(onC, acknowledged, new ArrayList<>(), ARRIVAL);
            assertFirstArrivalsInOrder(gotOnC);

            cluster.node("b").restart();
            cluster.awaitMembers("b", 3); // b's front door runs on the replicating store from here on
            try (Paho3 back = Paho3.create(cluster.node("b"), Transport.TCP, "keeper-b", onBState)) {
                assertThat(back.connect(o -> o.setCleanSession(false)).getSessionPresent()).as("session present").isTrue();
                assertFirstArrivalsInOrder(ClusterNodes.awaitAll(back, acknowledgedWhileBLived, new ArrayList<>(), ARRIVAL));
            }
        }
    }

    /**
     * QoS 2 exactly once across a node's death: the publishes pending on b when it dies fail (no PUBREC), the publisher
     * reconnects and resends them under the same packet ids, and a sends them again only where they are missing (b's
     * sessions, through the survivor adopting them), not to c or to its own subscriber, which had them (docs/cluster.md,
     * "QoS 2 after a failed forward"). With the resend published anew (as before), c's subscriber gets the messages
     * that were pending on b twice.
     */
    @Test
    @Order(2)
    void aQos2PublisherLosingAReceivingNodeReachesTheOtherSubscribersExactlyOnce() throws Exception {
        try (Paho3 onA = Paho3.create(cluster.node("a"), Transport.TCP, "once-a");
                Paho3 onB = Paho3.create(cluster.node("b"), Transport.TCP, "once-b");
                Paho3 onC = Paho3.create(cluster.node("c"), Transport.TCP, "once-c")) {
            for (Paho3 subscriber : List.of(onA, onB, onC)) {
                subscriber.connect(o -> o.setCleanSession(false));
                assertThat(subscriber.subscribe("once/#", 2)).isEqualTo(2);
            }
            cluster.awaitRoute("a", "b", "once/#");
            cluster.awaitRoute("a", "c", "once/#");

            List<String> acknowledged;
            try (LoadPublisher publisher = new LoadPublisher(cluster.node("a"), "once-pub", "once/x", "q-", 2)) {
                publisher.awaitAcknowledged(300, ARRIVAL);
                // b hangs, so the publishes in flight all wait for it (they would not, had b confirmed them before the
                // kill: a's own store may be slower than b), then dies: they fail
                cluster.node("b").freeze();
                awaitStalled(publisher);
                cluster.node("b").kill();
                cluster.awaitMembers("a", 2);
                int before = publisher.acknowledgedCount();
                publisher.awaitAcknowledged(before + 200, ARRIVAL);
                acknowledged = publisher.stop();
                assertThat(publisher.connections()).as(() -> "the publisher lost its connection and resent; a's log:\n"
                        + cluster.node("a").log().lines().filter(l -> l.contains("once") || l.contains("Node 'b'"))
                                .collect(java.util.stream.Collectors.joining("\n")))
                        .isGreaterThan(1);
            }

            for (Paho3 subscriber : List.of(onA, onC)) {
                List<String> got = ClusterNodes.awaitAll(subscriber, acknowledged, new ArrayList<>(), ARRIVAL);
                assertFirstArrivalsInOrder(got);
                drain(subscriber, got, Duration.ofSeconds(1)); // late copies, and what was in flight at the stop
                assertThat(got).as(subscriber.client().getClientId() + ": QoS 2, each message once, the resent ones too")
                        .doesNotHaveDuplicates();
            }
            // b's subscriber, adopted by a survivor, misses none: what b delivered before it died, the rest after. The
            // same client connects to c: a QoS 2 message whose PUBREC it sent to b reaches it on the PUBREL c sends
            List<String> gotOnB = new ArrayList<>();
            drain(onB, gotOnB, Duration.ofMillis(200));
            String c = cluster.node("c").pahoUri(Transport.TCP);
            assertThat(onB.connect(o -> {
                o.setCleanSession(false);
                o.setServerURIs(new String[] {c});
            }).getSessionPresent()).isTrue();
            ClusterNodes.awaitAll(onB, acknowledged, gotOnB, ARRIVAL);
        }
        cluster.node("b").restart();
        cluster.awaitMembers("a", 3);
    }

    @Test
    @Order(3)
    void subscribersOnBAndCGetEveryMessageTheKilledEnteringNodeAcknowledged() throws Exception {
        try (Paho3 onB = Paho3.create(cluster.node("b"), Transport.TCP, "load-sub-b");
                Paho3 onC = Paho3.create(cluster.node("c"), Transport.TCP, "load-sub-c")) {
            onB.connect(o -> o.setCleanSession(false));
            onC.connect(o -> o.setCleanSession(false));
            assertThat(onB.subscribe("load/#", 1)).isEqualTo(1);
            assertThat(onC.subscribe("load/#", 1)).isEqualTo(1);
            cluster.awaitRoute("a", "b", "load/#");
            cluster.awaitRoute("a", "c", "load/#");

            List<String> acknowledged;
            try (LoadPublisher publisher = new LoadPublisher(cluster.node("a"), "load-pub", "load/x", "m-")) {
                publisher.awaitAcknowledged(500, ARRIVAL);
                publisher.noReconnect();
                cluster.node("a").kill(); // mid-stream: 20 publishes in flight
                acknowledged = publisher.stop();
            }
            assertThat(acknowledged).hasSizeGreaterThanOrEqualTo(500);

            for (Paho3 subscriber : List.of(onB, onC)) {
                List<String> got = ClusterNodes.awaitAll(subscriber, acknowledged, new ArrayList<>(), ARRIVAL);
                assertFirstArrivalsInOrder(got);
                assertThat(got).as("a published each once: each arrives once").doesNotHaveDuplicates();
            }
        }
    }

    /** Waits until {@code publisher} gets no acknowledgement for 300 ms: its window is full. */
    private static void awaitStalled(LoadPublisher publisher) throws InterruptedException {
        long deadline = System.nanoTime() + ARRIVAL.toNanos();
        int last;
        do {
            last = publisher.acknowledgedCount();
            Thread.sleep(300);
        } while (publisher.acknowledgedCount() != last && System.nanoTime() < deadline);
    }

    /** Adds to {@code got} what {@code subscriber} receives until nothing came for {@code quiet}. */
    private static void drain(Paho3 subscriber, List<String> got, Duration quiet) {
        while (true) {
            try {
                got.add(subscriber.inbox().next(quiet).text());
            } catch (AssertionError nothingMore) {
                return;
            }
        }
    }

    /** Per publisher (the payload's prefix), the first arrival of each message comes in the order published. */
    private static void assertFirstArrivalsInOrder(List<String> got) {
        Map<String, List<Integer>> firstByPublisher = new java.util.TreeMap<>();
        Set<String> seen = new LinkedHashSet<>();
        for (String text : got) {
            if (seen.add(text)) {
                int dash = text.indexOf('-');
                firstByPublisher.computeIfAbsent(text.substring(0, dash), p -> new ArrayList<>())
                        .add(Integer.parseInt(text.substring(dash + 1)));
            }
        }
        firstByPublisher.forEach((publisher, first) ->
                assertThat(first).as("first arrivals from " + publisher + " in the order published").isSorted());
    }
}
