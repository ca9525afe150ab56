package io.switchboard.cluster.internal;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/** Messages counted per other node (sent to it, or received from it), and in all. */
final class Counters {

    private final ConcurrentHashMap<String, LongAdder> byNode = new ConcurrentHashMap<>();
    private final LongAdder total = new LongAdder();

    void increment(String node) {
        byNode.computeIfAbsent(node, n -> new LongAdder()).increment();
        total.increment();
    }

    long of(String node) {
        LongAdder count = byNode.get(node);
        return count == null ? 0 : count.sum();
    }

    long total() {
        return total.sum();
    }

    Map<String, Long> snapshot() {
        Map<String, Long> copy = new TreeMap<>();
        byNode.forEach((node, count) -> copy.put(node, count.sum()));
        return copy;
    }
}
