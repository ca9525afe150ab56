package io.switchboard.itest.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.switchboard.itest.mqtt.support.ClusterNodes;
import io.switchboard.itest.mqtt.support.LoadPublisher;
import io.switchboard.itest.mqtt.support.Paho3;
import io.switchboard.itest.mqtt.support.Transport;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Messages for a dead node's persistent sessions while a survivor adopts them (docs/cluster.md, "A node dies"):
 * three distributions as separate JVMs, a persistent QoS 1 subscriber on b, publishers on a and on c sending QoS 1
 * continuously (so one of them publishes on the adopter, the oldest of a and c, and the other forwards to it). b is
 * killed with SIGKILL and the publishers go on through the seconds until a survivor has taken b's sessions, and past
 * them; the subscriber then logs in on c and gets every message they had acknowledged: those before the kill (b's
 * records in the cluster), and those published while b's routes pointed at the adopter, which held them until it
 * had restored the session.
 *
 * <p>QoS 1 is at least once: a message may arrive twice (live before the kill and again from the records, or from the
 * normal delivery and the adopter's replay of what it held); the check is "every acknowledged message at least once".
 */
class ClusterAdoptionIT {

    private static final Duration ARRIVAL = Duration.ofSeconds(30);
    /** A row of sb:clustersessions: client, owner, session records, queued, inbound. */
    private static final Pattern ROW = Pattern.compile("(?m)^(\\S+)\\s+(\\S+)\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)\\s*$");

    @TempDir
    static Path work;
    private static ClusterNodes cluster;

    @BeforeAll
    static void startThreeNodes() throws Exception {
        // as ClusterNodeLossIT: a node that does not confirm within 2 s fails the publish (no PUBACK), and the stores
        // wait for the disk, so acknowledging before a store wrote would lose messages at a kill; the offline
        // subscriber's queue takes every message of the test (a few thousand when the adopter is the publisher's node,
        // which acknowledges at once: past the shipped 1,000 the front door would refuse them, as for any session)
        cluster = ClusterNodes.start(work, List.of("a", "b", "c"), Map.of("forward.timeout.ms", "2000"),
                Map.of("io.switchboard.store.cfg", Map.of("sync", "fsync"),
                        "io.switchboard.mqtt.cfg", Map.of("max.queued.messages", "100000")));
    }

    @AfterAll
    static void stopNodes() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void aPersistentSubscriberOfAKilledNodeGetsEveryMessageAcknowledgedBeforeAndAfterTheKill() throws Exception {
        MemoryPersistence subscriberState = new MemoryPersistence();
        List<String> got = new ArrayList<>();
        List<String> acknowledged = new ArrayList<>();
        int acknowledgedBeforeKill;
        int acknowledgedWhenAdopted;
        try (Paho3 onB = Paho3.create(cluster.node("b"), Transport.TCP, "orphan", subscriberState)) {
            onB.connect(o -> o.setCleanSession(false));
            assertThat(onB.subscribe("orphan/#", 1)).isEqualTo(1);
            cluster.awaitRoute("a", "b", "orphan/#");

            try (LoadPublisher onA = new LoadPublisher(cluster.node("a"), "orphan-pub-a", "orphan/a", "a-");
                    LoadPublisher onC = new LoadPublisher(cluster.node("c"), "orphan-pub-c", "orphan/c", "c-")) {
                onA.awaitAcknowledged(300, ARRIVAL);
                onC.awaitAcknowledged(300, ARRIVAL);
                acknowledgedBeforeKill = onA.acknowledgedCount() + onC.acknowledgedCount();
                cluster.node("b").kill(); // the subscriber is connected to b: its connection dies with it

                cluster.awaitMembers("a", 2);
                String adopter = awaitOwnerOtherThan("a", "orphan", "b");
                acknowledgedWhenAdopted = onA.acknowledgedCount() + onC.acknowledgedCount();
                // the window from b's leaving to the adoption is behind us: publish on past it
                onA.awaitAcknowledged(onA.acknowledgedCount() + 200, ARRIVAL);
                onC.awaitAcknowledged(onC.acknowledgedCount() + 200, ARRIVAL);
                acknowledged.addAll(onA.stop());
                acknowledged.addAll(onC.stop());
                System.out.printf("ClusterAdoptionIT: %d acknowledged before the kill, %d when %s had adopted the session,"
                        + " %d in all (publisher connections: a %d, c %d)%n", acknowledgedBeforeKill, acknowledgedWhenAdopted,
                        adopter, acknowledged.size(), onA.connections(), onC.connections());
            }
            onB.inbox().drain().forEach(r -> got.add(r.text()));
        }
        assertThat(acknowledgedWhenAdopted).as("messages acknowledged between the kill and the adoption")
                .isGreaterThan(acknowledgedBeforeKill);

        try (Paho3 onC = Paho3.create(cluster.node("c"), Transport.TCP, "orphan", subscriberState)) {
            assertThat(onC.connect(o -> o.setCleanSession(false)).getSessionPresent()).as("session present on c").isTrue();
            int live = got.size();
            ClusterNodes.awaitAll(onC, acknowledged, got, ARRIVAL);
            int duplicates = got.size() - new HashSet<>(got).size();
            Map<String, Integer> outOfOrder = ClusterNodes.firstArrivalsOutOfOrder(got);
            System.out.printf("ClusterAdoptionIT: the subscriber got %d messages on b before the kill and %d on c;"
                    + " %d duplicates; first arrivals after a later message's of the same publisher: %s%n", live,
                    got.size() - live, duplicates, outOfOrder);
            assertThat(outOfOrder).as("each publisher's messages in order, the one on the adopter too").containsOnly(
                    Map.entry("a", 0), Map.entry("c", 0));
        }
    }

    /** Waits until node {@code at} sees {@code clientId}'s session owned by a node other than {@code former}; returns it. */
    private static String awaitOwnerOtherThan(String at, String clientId, String former) {
        String out = cluster.node(at).awaitShell(clientId + " taken from " + former, "sb:clustersessions " + clientId,
                ClusterNodes.VIEW, text -> {
                    String owner = ownerIn(text, clientId);
                    return owner != null && !owner.equals(former);
                });
        return ownerIn(out, clientId);
    }

    private static String ownerIn(String text, String clientId) {
        Matcher row = ROW.matcher(text);
        while (row.find()) {
            if (row.group(1).equals(clientId)) {
                return row.group(2);
            }
        }
        return null;
    }
}
