package io.switchboard.cluster.internal;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Which node holds which topic filters, and which nodes a topic reaches: the cluster-wide subscription view, as
 * every node keeps it from the shared routing map. Changes (subscribe and unsubscribe elsewhere, a node gone) are
 * rare next to matches (every publish), so each change builds a new immutable tree that matches read without a lock.
 */
final class FilterIndex {

    private static final String SHARE_PREFIX = "$share/";

    /** One level of the tree: the nodes whose filter ends here, and the next levels. */
    private record Level(Set<String> nodes, Map<String, Level> next) {

        static Level empty() {
            return new Level(new HashSet<>(), new HashMap<>());
        }
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

    /** The filters of each node, sorted. */
    synchronized Map<String, Set<String>> filtersByNode() {
        Map<String, Set<String>> copy = new TreeMap<>();
        filtersByNode.forEach((node, filters) -> copy.put(node, new TreeSet<>(filters)));
        return copy;
    }

    /** The nodes holding a filter that matches {@code topic} (MQTT rules: {@code +}, {@code #}, {@code $} topics). */
    Set<String> nodesMatching(String topic) {
        Set<String> found = new HashSet<>(4);
        collect(root, topic.split("/", -1), 0, topic.startsWith("$"), found);
        return found;
    }

    private static void collect(Level level, String[] topic, int depth, boolean systemTopic, Set<String> found) {
        boolean wildcardsAllowed = depth > 0 || !systemTopic; // [MQTT-4.7.2-1]
        if (wildcardsAllowed) {
            Level rest = level.next().get("#");
            if (rest != null) {
                found.addAll(rest.nodes());
            }
        }
        if (depth == topic.length) {
            found.addAll(level.nodes());
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

    private void rebuild() {
        Level top = Level.empty();
        filtersByNode.forEach((node, filters) -> {
            for (String filter : filters) {
                Level level = top;
                for (String name : plain(filter).split("/", -1)) {
                    level = level.next().computeIfAbsent(name, n -> Level.empty());
                }
                level.nodes().add(node);
            }
        });
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
