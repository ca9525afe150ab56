package io.switchboard.core.internal.routing;

import java.util.ArrayDeque;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

import io.switchboard.api.Message;

/**
 * The retained messages as a tree of topic levels, so that a SUBSCRIBE visits only the branches its filter
 * can match instead of every retained message. Changes come from one writer at a time (the caller's lock);
 * reads take no lock and may see a change half way, as a read during a concurrent publish may. A level left
 * with no message and no child is unlinked. Walks use work lists, never recursion: any depth is safe.
 */
final class RetainedIndex {

    private static final class Node {
        final String level;
        final Node parent;
        final int depth;
        final ConcurrentHashMap<String, Node> children = new ConcurrentHashMap<>();
        volatile Message message;

        Node(String level, Node parent) {
            this.level = level;
            this.parent = parent;
            this.depth = parent == null ? 0 : parent.depth + 1;
        }
    }

    private final Node root = new Node(null, null);

    /** Retains {@code message} for its topic; returns the message it replaces, or {@code null}. One writer at a time. */
    Message put(Message message) {
        Node node = root;
        for (String level : levelsOf(message.topic())) {
            Node parent = node;
            node = parent.children.computeIfAbsent(level, l -> new Node(l, parent));
        }
        Message old = node.message;
        node.message = message;
        return old;
    }

    /** The message retained for exactly {@code topic} (levels compared as names, never as wildcards), or {@code null}. */
    Message get(String topic) {
        Node node = nodeOf(topic);
        return node == null ? null : node.message;
    }

    /**
     * Removes the message retained for {@code topic}, only if it is {@code expected} (any if {@code null});
     * returns the removed message or {@code null}. One writer at a time.
     */
    Message remove(String topic, Message expected) {
        Node node = nodeOf(topic);
        if (node == null) {
            return null;
        }
        Message old = node.message;
        if (old == null || expected != null && old != expected) {
            return null;
        }
        node.message = null;
        prune(node);
        return old;
    }

    private Node nodeOf(String topic) {
        Node node = root;
        for (String level : levelsOf(topic)) {
            node = node.children.get(level);
            if (node == null) {
                return null;
            }
        }
        return node;
    }

    private static void prune(Node node) {
        while (node.parent != null && node.message == null && node.children.isEmpty()) {
            node.parent.children.remove(node.level, node);
            node = node.parent;
        }
    }

    /**
     * Calls {@code sink} with each retained message whose topic matches {@code filter} (a valid, non-shared
     * filter). Wildcards at the first level skip {@code $} topics ([MQTT-4.7.2-1]).
     */
    void forEachMatching(String filter, Consumer<Message> sink) {
        String[] levels = levelsOf(filter);
        ArrayDeque<Node> toVisit = new ArrayDeque<>();
        toVisit.push(root);
        while (!toVisit.isEmpty()) {
            Node node = toVisit.pop();
            int depth = node.depth;
            if (depth == levels.length) {
                accept(node, sink);
                continue;
            }
            String level = levels[depth];
            if (level.equals("#")) {
                accept(node, sink); // "a/#" matches "a" (the root holds no message)
                forEachBelow(node, depth == 0, sink);
            } else if (level.equals("+")) {
                for (Node child : node.children.values()) {
                    if (depth > 0 || !isDollar(child)) {
                        toVisit.push(child);
                    }
                }
            } else {
                Node child = node.children.get(level);
                if (child != null) {
                    toVisit.push(child);
                }
            }
        }
    }

    /** Calls {@code sink} with every retained message. */
    void forEach(Consumer<Message> sink) {
        forEachBelow(root, false, sink);
    }

    /** How many topic levels the index holds (the root not counted): 0 once no message is retained. */
    int nodeCount() {
        int[] nodes = {0};
        walkBelow(root, false, n -> nodes[0]++);
        return nodes[0];
    }

    private static void forEachBelow(Node top, boolean skipDollarTopics, Consumer<Message> sink) {
        walkBelow(top, skipDollarTopics, node -> accept(node, sink));
    }

    private static void walkBelow(Node top, boolean skipDollarTopics, Consumer<Node> visitor) {
        ArrayDeque<Node> toVisit = new ArrayDeque<>();
        for (Node child : top.children.values()) {
            if (!(skipDollarTopics && isDollar(child))) {
                toVisit.push(child);
            }
        }
        while (!toVisit.isEmpty()) {
            Node node = toVisit.pop();
            visitor.accept(node);
            for (Node child : node.children.values()) {
                toVisit.push(child);
            }
        }
    }

    private static void accept(Node node, Consumer<Message> sink) {
        Message m = node.message;
        if (m != null) {
            sink.accept(m);
        }
    }

    private static boolean isDollar(Node firstLevel) {
        return firstLevel.level.startsWith("$");
    }

    private static String[] levelsOf(String topicOrFilter) {
        return Topics.levels(topicOrFilter);
    }
}
