package io.switchboard.itest.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.switchboard.itest.mqtt.support.Broker;
import io.switchboard.itest.mqtt.support.ClusterNodes;
import io.switchboard.itest.mqtt.support.Paho3;
import io.switchboard.itest.mqtt.support.PrometheusText;
import io.switchboard.itest.mqtt.support.Transport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three nodes, each a distribution started as its own JVM with one {@code configadmin/io.switchboard.cluster.cfg},
 * form one broker for real MQTT clients (docs/cluster.md): a message published on node a reaches the subscribers
 * on b and c once each, in order, at every QoS; a node without a matching subscription is sent nothing; a retained
 * message published on a reaches a new subscriber on c; a shared subscription group with members on a, b and c gets
 * each message once, the members taking turns; sb:cluster and /metrics count what was forwarded. And a single
 * node without the configuration runs no engine.
 */
class ClusterIT {

    /**
     * A row of the sb:cluster table: node (" *" for this one), address, sessions, users, filters, sent to it, received
     * from it.
     */
    private static final Pattern ROW = ClusterNodes.SB_CLUSTER_ROW;

    @TempDir
    static Path work;
    private static ClusterNodes cluster;

    @BeforeAll
    static void startThreeNodes() throws Exception {
        cluster = ClusterNodes.start(work, List.of("a", "b", "c"), Map.of(), Map.of());
    }

    @AfterAll
    static void stopNodes() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void subscribersOnBAndCReceiveWhatAPublisherOnASendsOnceInOrderAtEachQos() throws Exception {
        try (Paho3 onB = Paho3.connect(node("b"), Transport.TCP, "fan-sub-b");
                Paho3 onC = Paho3.connect(node("c"), Transport.TCP, "fan-sub-c");
                Paho3 publisher = Paho3.connect(node("a"), Transport.TCP, "fan-pub-a")) {
            onB.subscribe("fan/#", 2);
            onC.subscribe("fan/+", 2);
            awaitRoute("a", "b", "fan/#");
            awaitRoute("a", "c", "fan/+");

            List<String> sent = new ArrayList<>();
            for (int qos = 0; qos <= 2; qos++) {
                for (int i = 0; i < 30; i++) {
                    String payload = "q" + qos + "-" + i;
                    publisher.publish("fan/q" + qos, payload, qos, false);
                    sent.add(payload);
                }
            }

            for (Paho3 subscriber : List.of(onB, onC)) {
                List<Paho3.Received> got = subscriber.inbox().next(sent.size());
                assertThat(got).extracting(Paho3.Received::text).as("every message once, in the order published")
                        .containsExactlyElementsOf(sent);
                for (Paho3.Received r : got) {
                    assertThat(r.message().getQos()).as(r.text()).isEqualTo(Integer.parseInt(r.text().substring(1, 2)));
                }
                subscriber.inbox().expectNothing(Duration.ofMillis(300));
            }
        }
    }

    @Test
    void aNodeWithoutAMatchingSubscriptionIsSentNothingAndANodeWithTwoIsSentEachMessageOnce() throws Exception {
        Map<String, long[]> before = rows("a");
        long cReceivedBefore = rows("c").get("a")[1];
        try (Paho3 first = Paho3.connect(node("b"), Transport.TCP, "only-b-1");
                Paho3 second = Paho3.connect(node("b"), Transport.TCP, "only-b-2");
                Paho3 publisher = Paho3.connect(node("a"), Transport.TCP, "only-b-pub")) {
            first.subscribe("only-b/#", 1);
            second.subscribe("only-b/+", 1);
            awaitRoute("a", "b", "only-b/#");
            awaitRoute("a", "b", "only-b/+");

            for (int i = 0; i < 20; i++) {
                publisher.publish("only-b/x", "m" + i, 1, false);
            }
            assertThat(first.inbox().next(20)).hasSize(20);
            assertThat(second.inbox().next(20)).hasSize(20);

            Map<String, long[]> after = rows("a");
            assertThat(after.get("b")[0] - before.get("b")[0]).as("sent to b: one send per message").isEqualTo(20);
            assertThat(after.get("c")[0]).as("sent to c").isEqualTo(before.get("c")[0]);
            assertThat(rows("c").get("a")[1]).as("received by c from a").isEqualTo(cReceivedBefore);

            Map<String, Double> metrics = PrometheusText.parse(ClusterNodes.get(node("a"), "/metrics"));
            assertThat(metrics).containsEntry("switchboard_cluster_members", 3.0)
                    .containsEntry("switchboard_cluster_forwarded_sent_total{node=\"b\"}", (double) after.get("b")[0])
                    .containsEntry("switchboard_cluster_forwarded_sent_total{node=\"c\"}", (double) after.get("c")[0]);
            assertThat(metrics.get("switchboard_cluster_filters{node=\"b\"}")).as("b's filters").isGreaterThanOrEqualTo(2.0);
            assertThat(metrics.get("switchboard_cluster_confirmations_total{node=\"b\"}"))
                    .as("b confirmed the QoS 1 messages, each before its PUBACK").isGreaterThanOrEqualTo(20.0);
            assertThat(metrics.get("switchboard_cluster_confirmation_seconds_total{node=\"b\"}")).isPositive();
        }
    }

    @Test
    void aRetainedMessagePublishedOnAReachesANewSubscriberOnC() throws Exception {
        long cReceivedBefore = rows("c").get("a")[1];
        try (Paho3 publisher = Paho3.connect(node("a"), Transport.TCP, "retain-pub-a")) {
            publisher.publish("kept/news", "retained on a", 1, true);
        }
        node("c").awaitShell("c received the retained message", "sb:cluster", ClusterNodes.VIEW,
                out -> rowsOf(out).get("a")[1] > cReceivedBefore);
        try (Paho3 late = Paho3.connect(node("c"), Transport.TCP, "retain-sub-c")) {
            late.subscribe("kept/#", 1);
            Paho3.Received got = late.inbox().next();
            assertThat(got.text()).isEqualTo("retained on a");
            assertThat(got.message().isRetained()).isTrue();
        }
    }

    @Test
    void aSharedSubscriptionGroupSpreadOverTheNodesReceivesEachMessageOnceInTurn() throws Exception {
        String group = "$share/workers/jobs/#";
        try (Paho3 onA = Paho3.connect(node("a"), Transport.TCP, "worker-a");
                Paho3 onB = Paho3.connect(node("b"), Transport.TCP, "worker-b");
                Paho3 onC = Paho3.connect(node("c"), Transport.TCP, "worker-c");
                Paho3 publisher = Paho3.connect(node("a"), Transport.TCP, "jobs-pub")) {
            for (Paho3 member : List.of(onA, onB, onC)) {
                assertThat(member.subscribe(group, 1)).as("SUBACK").isEqualTo(1);
            }
            for (String holder : List.of("a", "b", "c")) {
                awaitRoute("a", holder, group);
            }

            List<String> sent = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                publisher.publish("jobs/" + i, "job-" + i, 1, false);
                sent.add("job-" + i);
            }

            List<String> got = new ArrayList<>();
            Map<String, Integer> perMember = new LinkedHashMap<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (got.size() < sent.size() && System.nanoTime() < deadline) {
                for (Paho3 member : List.of(onA, onB, onC)) {
                    List<Paho3.Received> drained = member.inbox().drain();
                    drained.forEach(r -> got.add(r.text()));
                    perMember.merge(member.client().getClientId(), drained.size(), Integer::sum);
                }
                Thread.sleep(50);
            }
            for (Paho3 member : List.of(onA, onB, onC)) {
                member.inbox().expectNothing(Duration.ofMillis(300));
            }
            assertThat(got).as("each message once to the group").containsExactlyInAnyOrderElementsOf(sent);
            assertThat(perMember).as("the group's members on a, b and c take turns")
                    .allSatisfy((member, count) -> assertThat(count).as(member).isGreaterThanOrEqualTo(5));
        }
    }

    @Test
    void eachNodeServesMqttOnlyOnceItJoinedTheCluster() {
        for (String name : List.of("a", "b", "c")) {
            String log = node(name).log();
            int joined = log.indexOf("Cluster node '" + name + "' started");
            int listening = log.indexOf("MQTT listener 'tcp' listening");
            assertThat(joined).as(name + " joined").isNotNegative();
            assertThat(listening).as(name + "'s MQTT listener opened after it joined (no client served on its local "
                    + "store alone)").isGreaterThan(joined);
            assertThat(log).as(name + "'s front door started once, on the replicating store")
                    .doesNotContain("MQTT protocol stopped");
        }
    }

    @Test
    void aClusterNodeRunsHazelcastAndASingleNodeWithoutTheConfigurationRunsNoEngine() throws Exception {
        assertThat(node("a").threadNames()).as("a cluster node's threads").anyMatch(name -> name.startsWith("hz."));
        try (Broker single = Broker.startDistribution(Files.createDirectories(work.resolve("single")))) {
            assertThat(single.threadNames()).as("a single node's threads").noneMatch(name -> name.startsWith("hz."));
            String lb = single.shell("lb -s").out();
            assertThat(lb).as("both bundles are there, resolved and started").containsPattern("Active.*\\|com\\.hazelcast")
                    .containsPattern("Active.*\\|io\\.switchboard\\.cluster");
            assertThat(single.shell("sb:cluster").out()).as("sb:cluster on a node without the configuration")
                    .startsWith("no cluster member runs on this node: it runs alone");
            assertThat(ClusterNodes.get(single, "/metrics")).as("no cluster metrics").doesNotContain("switchboard_cluster_");
        }
    }

    private static Broker node(String name) {
        return cluster.node(name);
    }

    /** Waits until {@code at} sees {@code filter} among {@code holder}'s subscriptions. */
    private static void awaitRoute(String at, String holder, String filter) {
        cluster.awaitRoute(at, holder, filter);
    }

    /** Per other node of {@code at}: {sent to it, received from it}. */
    private static Map<String, long[]> rows(String at) {
        return rowsOf(node(at).awaitShell("sb:cluster answers", "sb:cluster", ClusterNodes.VIEW, out -> true));
    }

    private static Map<String, long[]> rowsOf(String out) {
        Map<String, long[]> rows = new LinkedHashMap<>();
        Matcher row = ROW.matcher(out);
        while (row.find()) {
            if (row.group(2) == null && !row.group(1).equals("NODE")) {
                rows.put(row.group(1), new long[] {Long.parseLong(row.group(7)), Long.parseLong(row.group(8))});
            }
        }
        return rows;
    }
}
