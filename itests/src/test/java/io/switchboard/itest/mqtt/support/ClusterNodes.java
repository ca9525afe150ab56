package io.switchboard.itest.mqtt.support;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Pattern;

/**
 * Nodes of one cluster, each a distribution started as its own JVM with one {@code io.switchboard.cluster.cfg}
 * (docs/cluster.md), started in parallel; and waits on what {@code sb:cluster} shows.
 */
public final class ClusterNodes implements AutoCloseable {

    /** How long a change of the cluster's view may take to show. */
    public static final Duration VIEW = Duration.ofSeconds(30);
    /**
     * A member's row of the {@code sb:cluster} table: node (group 2 " *" for this one), address, sessions, users,
     * filters, sent to it, received from it, waiting for its confirmation, its mean confirmation in ms.
     */
    public static final Pattern SB_CLUSTER_ROW = Pattern.compile("(?m)^(\\S+)( \\*)?\\s+(\\S+)\\s+(\\S+)\\s+(\\d+)"
            + "\\s+(\\d+)\\s+(\\S+)\\s+(\\S+)\\s+(\\S+)\\s+(\\S+)\\s*$");

    private final Map<String, Broker> nodes = new LinkedHashMap<>();

    private ClusterNodes() {
    }

    /**
     * Starts one node per name under {@code work}, all joining each other, with {@code extra} cluster properties
     * and {@code files} (more {@code configadmin/} files, by name), and waits until each sees them all as members.
     */
    public static ClusterNodes start(Path work, List<String> names, Map<String, String> extra,
            Map<String, Map<String, String>> files) throws Exception {
        Map<String, Integer> clusterPorts = new LinkedHashMap<>();
        for (String name : names) {
            clusterPorts.put(name, clusterPort(clusterPorts.values()));
        }
        String members = String.join(",", clusterPorts.values().stream().map(p -> "127.0.0.1:" + p).toList());
        ClusterNodes cluster = new ClusterNodes();
        ExecutorService starter = Executors.newFixedThreadPool(names.size());
        try {
            Map<String, CompletableFuture<Broker>> starting = new LinkedHashMap<>();
            for (Map.Entry<String, Integer> node : clusterPorts.entrySet()) {
                Map<String, String> config = new LinkedHashMap<>();
                config.put("node.name", node.getKey());
                config.put("members", members);
                config.put("port", Integer.toString(node.getValue()));
                config.put("backup.count", "1");
                config.putAll(extra);
                Path home = Files.createDirectories(work.resolve(node.getKey()));
                starting.put(node.getKey(), CompletableFuture.supplyAsync(() -> {
                    try {
                        Map<String, Map<String, String>> all = new LinkedHashMap<>(files);
                        all.put("io.switchboard.cluster.cfg", config);
                        // as the shipped example says: MQTT is served once the node joined
                        Map<String, String> mqtt = new LinkedHashMap<>(all.getOrDefault("io.switchboard.mqtt.cfg", Map.of()));
                        mqtt.put("mqttSessionStore.target", "(switchboard.store=replicated)");
                        all.put("io.switchboard.mqtt.cfg", mqtt);
                        return Broker.startDistribution(home, all, Map.of());
                    } catch (Exception e) {
                        throw new IllegalStateException("node " + node.getKey() + " did not start", e);
                    }
                }, starter));
            }
            for (Map.Entry<String, CompletableFuture<Broker>> node : starting.entrySet()) {
                cluster.nodes.put(node.getKey(), node.getValue().join());
            }
        } catch (RuntimeException e) {
            cluster.close();
            throw e;
        } finally {
            starter.shutdown();
        }
        for (String name : names) {
            cluster.awaitMembers(name, names.size());
        }
        return cluster;
    }

    /**
     * A free port below the ephemeral range (32768 and up on Linux), for a node's cluster port: the nodes start in
     * parallel and each takes ephemeral ports meanwhile (its listeners, and Hazelcast's outgoing connections), which
     * could take a port chosen among the ephemeral ones before its node binds it.
     */
    private static int clusterPort(java.util.Collection<Integer> taken) throws java.io.IOException {
        java.util.Random random = new java.util.Random();
        for (int attempt = 0; attempt < 100; attempt++) {
            int port = 20_000 + random.nextInt(12_000);
            if (taken.contains(port)) {
                continue;
            }
            try (java.net.ServerSocket socket = new java.net.ServerSocket()) {
                socket.bind(new java.net.InetSocketAddress("127.0.0.1", port));
                return port;
            } catch (java.io.IOException inUse) {
                // try another
            }
        }
        throw new java.io.IOException("no free port in 20000-31999 after 100 attempts");
    }

    public Broker node(String name) {
        return nodes.get(name);
    }

    /** Waits until {@code at} counts {@code members} members. */
    public void awaitMembers(String at, int members) {
        try {
            node(at).awaitShell(at + " sees " + members + " members", "sb:cluster", Duration.ofSeconds(60),
                    out -> out.contains(": " + members + " members"));
        } catch (AssertionError e) {
            StringBuilder others = new StringBuilder(e.getMessage());
            nodes.forEach((name, node) -> {
                if (!name.equals(at)) {
                    others.append("\n=== node ").append(name).append(node.diagnostics());
                }
            });
            throw new AssertionError(others.toString(), e);
        }
    }

    /** Waits until {@code at} sees {@code filter} among {@code holder}'s subscriptions. */
    public void awaitRoute(String at, String holder, String filter) {
        node(at).awaitShell(at + " sees " + holder + "'s " + filter, "sb:cluster", VIEW, out -> out.lines()
                .anyMatch(line -> line.startsWith("  " + holder + ": ")
                        && List.of(line.substring(4 + holder.length()).split(" ")).contains(filter)));
    }

    /**
     * Reads {@code subscriber}'s messages into {@code got} until every one of {@code expected} is among them, failing
     * past {@code within} with what is missing; returns {@code got}.
     */
    public static List<String> awaitAll(Paho3 subscriber, List<String> expected, List<String> got, Duration within) {
        Set<String> missing = new LinkedHashSet<>(expected);
        got.forEach(missing::remove);
        long deadline = System.nanoTime() + within.toNanos();
        while (!missing.isEmpty()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(subscriber.client().getClientId() + ": " + missing.size() + " of " + expected.size()
                        + " acknowledged messages did not arrive within " + within.toSeconds() + " s, e.g. "
                        + missing.stream().limit(10).toList() + "; got " + got.size());
            }
            try {
                String text = subscriber.inbox().next(Duration.ofMillis(200)).text();
                got.add(text);
                missing.remove(text);
            } catch (AssertionError nothingYet) {
                // poll again until the deadline
            }
        }
        return got;
    }

    /**
     * Of each publisher's messages in {@code got} (texts {@code publisher-number}), how many first arrivals came after
     * the first arrival of a message it published later: 0 when each publisher's messages arrived in order (a
     * redelivery of one that arrived before does not count).
     */
    public static Map<String, Integer> firstArrivalsOutOfOrder(List<String> got) {
        Set<String> seen = new HashSet<>();
        Map<String, Integer> highest = new TreeMap<>();
        Map<String, Integer> late = new TreeMap<>();
        for (String text : got) {
            if (seen.add(text)) {
                int dash = text.indexOf('-');
                String publisher = text.substring(0, dash);
                int number = Integer.parseInt(text.substring(dash + 1));
                late.merge(publisher, number < highest.getOrDefault(publisher, -1) ? 1 : 0, Integer::sum);
                highest.merge(publisher, number, Math::max);
            }
        }
        return late;
    }

    /** GET {@code path} on {@code node}'s HTTP server, expecting 200; its body. */
    public static String get(Broker node, String path) throws Exception {
        java.net.http.HttpResponse<String> response = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(node.httpUri(path)).timeout(Duration.ofSeconds(10)).GET().build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new AssertionError("GET " + path + ": " + response.statusCode() + " " + response.body());
        }
        return response.body();
    }

    @Override
    public void close() {
        nodes.values().forEach(Broker::close);
    }
}
