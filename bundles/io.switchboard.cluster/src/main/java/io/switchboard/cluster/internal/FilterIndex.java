package io.switchboard.cluster.internal;

import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Which node holds which topic filters, and which nodes a topic reaches: the cluster-wide subscription view, as
 * every node keeps it from the shared routing map. Matches (every publish) read the tree without a lock; a change
 * (subscribe and unsubscribe elsewhere, a node gone), one at a time under this object's lock, walks the filter's path
 * only: it adds the missing levels, replaces the end level's immutable set of nodes (or shared groups) and removes the
 * levels it left empty. So a change costs O(levels of the filter) whatever the number of routes (until 2026-12-05
 * each change rebuilt the whole tree, O(routes): see docs/benchmarks.md), and a match concurrent with it sees the
 * filter before or after the change.
 */
final class FilterIndex {

    private static final String SHARE_PREFIX = "$share/";

    /** One level of the tree: the nodes whose plain filter ends here, the shared subscriptions ending here, the next levels. */
    private static final class Level {
        volatile Set<String> nodes = Set.of();
        volatile Map<String, SharedGroup> shared = Map.of();
        final Map<String, Level> next = new ConcurrentHashMap<>(4);

        boolean isEmpty() {
            return nodes.isEmpty() && shared.isEmpty() && next.isEmpty();
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
    private final Level root = new Level();

    /** {@code node} has a subscription to {@code filter}. */
    synchronized void add(String node, String filter) {
        if (filtersByNode.computeIfAbsent(node, n -> new TreeSet<>()).add(filter)) {
            change(node, filter, true);
        }
    }

    /** {@code node} has no more subscription to {@code filter}. */
    synchronized void remove(String node, String filter) {
        Set<String> filters = filtersByNode.get(node);
        if (filters != null && filters.remove(filter)) {
            if (filters.isEmpty()) {
                filtersByNode.remove(node);
            }
            change(node, filter, false);
        }
    }

    /** {@code node} left the cluster: it holds no filters. */
    synchronized void removeNode(String node) {
        Set<String> filters = filtersByNode.remove(node);
        if (filters != null) {
            filters.forEach(filter -> change(node, filter, false));
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
            Level rest = level.next.get("#");
            if (rest != null) {
                take(rest, found);
            }
        }
        if (depth == topic.length) {
            take(level, found);
            return;
        }
        Level exact = level.next.get(topic[depth]);
        if (exact != null) {
            collect(exact, topic, depth + 1, systemTopic, found);
        }
        if (wildcardsAllowed) {
            Level any = level.next.get("+");
            if (any != null) {
                collect(any, topic, depth + 1, systemTopic, found);
            }
        }
    }

    private static void take(Level level, Match found) {
        found.nodes().addAll(level.nodes);
        level.shared.forEach((filter, group) -> found.sharedServedBy().put(filter, group.next()));
    }

    /** Adds {@code node} to the end level of {@code filter}, or removes it and the levels that leaves empty. */
    private void change(String node, String filter, boolean add) {
        String plain = plain(filter);
        String[] names = plain.split("/", -1);
        Level[] path = new Level[names.length + 1];
        path[0] = root;
        for (int i = 0; i < names.length; i++) {
            Level child = path[i].next.get(names[i]);
            if (child == null) {
                if (!add) {
                    return;
                }
                child = new Level();
                path[i].next.put(names[i], child);
            }
            path[i + 1] = child;
        }
        Level end = path[names.length];
        if (plain.equals(filter)) {
            end.nodes = changed(end.nodes, node, add);
        } else {
            Map<String, SharedGroup> groups = new HashMap<>(end.shared);
            SharedGroup group = groups.get(filter);
            Set<String> nodes = changed(group == null ? Set.of() : Set.copyOf(group.nodes()), node, add);
            if (nodes.isEmpty()) {
                groups.remove(filter);
            } else {
                // the group keeps its turn: a member node coming or going does not restart the round robin
                groups.put(filter, new SharedGroup(List.copyOf(new TreeSet<>(nodes)),
                        group == null ? new AtomicInteger() : group.turn()));
            }
            end.shared = Map.copyOf(groups);
        }
        for (int i = names.length; i > 0 && !add && path[i].isEmpty(); i--) {
            path[i - 1].next.remove(names[i - 1], path[i]);
        }
    }

    private static Set<String> changed(Set<String> nodes, String node, boolean add) {
        Set<String> copy = new HashSet<>(nodes);
        if (add) {
            copy.add(node);
        } else {
            copy.remove(node);
        }
        return Set.copyOf(copy);
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
