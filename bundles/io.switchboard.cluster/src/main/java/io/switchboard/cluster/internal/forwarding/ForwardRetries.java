package io.switchboard.cluster.internal.forwarding;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

import io.switchboard.api.Message;

/**
 * The QoS 2 messages whose forwarding failed at some nodes, kept with what the nodes that accepted them have, so that
 * the publisher's resend (same packet id, after it reconnects) goes only where the message is missing: exactly once
 * for every subscriber. At most {@value #LIMIT} (the oldest go first) for at most {@value #TTL_MINUTES} minutes; a
 * resend finding none is published as a new message (at least once). Thread-safe.
 */
public final class ForwardRetries {

    static final int LIMIT = 10_000;
    public static final long TTL_MINUTES = 10;

    /**
     * What one failed forwarding left: the message as the chain left it on this node, the nodes that accepted it and
     * those that did not ({@code missing}), which dead nodes' sessions each node that accepted it (and this node) held
     * it for, and the shared subscriptions that were served (by this node or a node that accepted it).
     */
    public record Attempt(Message message, Set<String> accepted, Set<String> missing,
            Map<String, Set<String>> heldByNode, Set<String> servedGroups) {

        /** Before a message's first forwarding: no node has it. */
        public static final Attempt NONE = new Attempt(null, Set.of(), Set.of(), Map.of(), Set.of());
    }

    private record Key(String orderKey, long messageId) {
    }

    private record Kept(Attempt attempt, long atNanos) {
    }

    private final Map<Key, Kept> kept = new LinkedHashMap<>();
    private final LongSupplier nanoClock;

    public ForwardRetries(LongSupplier nanoClock) {
        this.nanoClock = nanoClock;
    }

    /** Keeps {@code attempt} of the message {@code messageId} of publisher {@code orderKey}. */
    public synchronized void keep(String orderKey, long messageId, Attempt attempt) {
        kept.put(new Key(orderKey, messageId), new Kept(attempt, nanoClock.getAsLong()));
        if (kept.size() > LIMIT) {
            Iterator<Key> oldest = kept.keySet().iterator();
            oldest.next();
            oldest.remove();
        }
    }

    /** The kept attempt of that message, which is kept no more; null when there is none. */
    public synchronized Attempt take(String orderKey, long messageId) {
        Kept k = kept.remove(new Key(orderKey, messageId));
        return k == null ? null : k.attempt();
    }

    /** Forgets what is older than {@value #TTL_MINUTES} minutes. */
    public synchronized void expire() {
        long now = nanoClock.getAsLong();
        kept.values().removeIf(k -> now - k.atNanos() > TimeUnit.MINUTES.toNanos(TTL_MINUTES));
    }

    synchronized int size() {
        return kept.size();
    }
}
