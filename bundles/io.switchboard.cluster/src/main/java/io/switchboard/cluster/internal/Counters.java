package io.switchboard.cluster.internal;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/** Messages counted per other node (sent to it, or received from it). */
final class Counters {

    private final ConcurrentHashMap<String, LongAdder> byNode = new ConcurrentHashMap<>();

    void increment(String node) {
        byNode.computeIfAbsent(node, n -> new LongAdder()).increment();
    }

    long of(String node) {
        LongAdder count = byNode.get(node);
        return count == null ? 0 : count.sum();
    }
}
