package io.switchboard.cluster.internal;

import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Which node holds which topic filters, and which nodes a topic reaches: the cluster-wide subscription view, as
 * every node keeps it from the shared routing map. Changes (subscribe and unsubscribe elsewhere, a node gone) are
 * rare next to matches (every publish), so each change builds a new tree that matches read without a lock (only the
 * turns of the shared subscriptions change in it).
 */
final class FilterIndex {

    private static final String SHARE_PREFIX = "$share/";

    /** One level of the tree: the nodes whose plain filter ends here, the shared subscriptions ending here, the next levels. */
    private record Level(Set<String> nodes, Map<String, SharedGroup> shared, Map<String, Level> next) {

        static Level empty() {
            return new Level(new HashSet<>(), new HashMap<>(), new HashMap<>());
        }
    }

    /** A shared subscription's nodes (those with members of the group), taken in turn. */
    private record SharedGroup(List<String> nodes, AtomicInteger turn) {

        String next() {
            return nodes.get(Math.floorMod(turn.getAndIncrement(), nodes.size()));
        }
    }

    /**
     * What a topic reaches: the nodes with a plain filter matching it, and for each matching shared subscription
     * ({@code $share/group/filter}) the one node whose turn it is to serve the group.
     */
    record Match(Set<String> nodes, Map<String, String> sharedServedBy) {
    }

    private final Map<String, Set<String>> filtersByNode = new TreeMap<>();
    private volatile Level root = Level.empty();

    /** {@code node} has a subscription to {@code filter}. */
    synchronized void add(String node, String filter) {
        if (filtersByNode.computeIfAbsent(node, n -> new TreeSet<>()).add(filter)) {
            rebuild();
        }
    }

    /** {@code node} has no more subscription to {@code filter}. */
    synchronized void remove(String node, String filter) {
        Set<String> filters = filtersByNode.get(node);
        if (filters != null && filters.remove(filter)) {
            if (filters.isEmpty()) {
                filtersByNode.remove(node);
            }
            rebuild();
        }
    }

    /** {@code node} left the cluster: it holds no filters. */
    synchronized void removeNode(String node) {
        if (filtersByNode.remove(node) != null) {
            rebuild();
        }
    }

    /** Whether {@code node} holds any filter. */
    synchronized boolean holds(String node) {
        return filtersByNode.containsKey(node);
    }

    /** Whether {@code node} holds every one of {@code filters}. */
    synchronized boolean holdsAll(String node, Collection<String> filters) {
        return filtersByNode.getOrDefault(node, Set.of()).containsAll(filters);
    }

    /** The filters of each node, sorted. */
    synchronized Map<String, Set<String>> filtersByNode() {
        Map<String, Set<String>> copy = new TreeMap<>();
        filtersByNode.forEach((node, filters) -> copy.put(node, new TreeSet<>(filters)));
        return copy;
    }

    /**
     * The nodes holding a plain filter that matches {@code topic} (MQTT rules: {@code +}, {@code #}, {@code $}
     * topics), and the node serving each matching shared subscription this time (round robin over its nodes).
     */
    Match match(String topic) {
        Match found = new Match(new HashSet<>(4), new HashMap<>(2));
        collect(root, topic.split("/", -1), 0, topic.startsWith("$"), found);
        return found;
    }

    /** The nodes a topic reaches: plain filters and, for each shared subscription, the node chosen this time. */
    Set<String> nodesMatching(String topic) {
        Match match = match(topic);
        Set<String> nodes = new HashSet<>(match.nodes());
        nodes.addAll(match.sharedServedBy().values());
        return nodes;
    }

    private static void collect(Level level, String[] topic, int depth, boolean systemTopic, Match found) {
        boolean wildcardsAllowed = depth > 0 || !systemTopic; // [MQTT-4.7.2-1]
        if (wildcardsAllowed) {
            Level rest = level.next().get("#");
            if (rest != null) {
                take(rest, found);
            }
        }
        if (depth == topic.length) {
            take(level, found);
            return;
        }
        Level exact = level.next().get(topic[depth]);
        if (exact != null) {
            collect(exact, topic, depth + 1, systemTopic, found);
        }
        if (wildcardsAllowed) {
            Level any = level.next().get("+");
            if (any != null) {
                collect(any, topic, depth + 1, systemTopic, found);
            }
        }
    }

    private static void take(Level level, Match found) {
        found.nodes().addAll(level.nodes());
        level.shared().forEach((filter, group) -> found.sharedServedBy().put(filter, group.next()));
    }

    private void rebuild() {
        Level top = Level.empty();
        Map<Level, Map<String, Set<String>>> sharedNodes = new IdentityHashMap<>(); // levels are mutable while built
        filtersByNode.forEach((node, filters) -> {
            for (String filter : filters) {
                String plain = plain(filter);
                Level level = top;
                for (String name : plain.split("/", -1)) {
                    level = level.next().computeIfAbsent(name, n -> Level.empty());
                }
                if (plain.equals(filter)) {
                    level.nodes().add(node);
                } else {
                    sharedNodes.computeIfAbsent(level, l -> new HashMap<>()).computeIfAbsent(filter, f -> new TreeSet<>()).add(node);
                }
            }
        });
        sharedNodes.forEach((level, groups) -> groups.forEach(
                (filter, nodes) -> level.shared().put(filter, new SharedGroup(List.copyOf(nodes), new AtomicInteger()))));
        root = top;
    }

    /** The filter a shared subscription ({@code $share/group/filter}) matches with. */
    static String plain(String filter) {
        if (filter.startsWith(SHARE_PREFIX)) {
            int slash = filter.indexOf('/', SHARE_PREFIX.length());
            if (slash > 0) {
                return filter.substring(slash + 1);
            }
        }
        return filter;
    }
}
