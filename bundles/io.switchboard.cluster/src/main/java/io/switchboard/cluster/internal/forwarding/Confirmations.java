package io.switchboard.cluster.internal.forwarding;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

import io.switchboard.api.broker.ForwardingException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The forwarded messages this node waits for other nodes to confirm: each has an id (the frame's correlation id),
 * the nodes that still have to confirm it, a deadline, and the stage the publisher's acknowledgement waits for. It
 * completes when the last node confirmed; it fails, and the publisher is not acknowledged, when a node refuses it,
 * leaves the cluster before confirming, or does not confirm by the deadline. Thread-safe.
 */
public final class Confirmations {

    private static final Logger LOG = LoggerFactory.getLogger(Confirmations.class);

    private final Map<Long, Pending> pending = new ConcurrentHashMap<>();
    /** Nodes that left and have not come back: a message routed to one in the instant it left fails at once. */
    private final Set<String> gone = ConcurrentHashMap.newKeySet();
    private final AtomicLong ids = new AtomicLong();
    private final long timeoutNanos;
    private final LongSupplier nanoClock;

    /** One message's confirmation to come. */
    public record Awaited(long id, CompletableFuture<Void> confirmed) {
    }

    /** The confirmations one node sent this node, and the time they took in all (send to arrival). */
    public record Waits(long confirmed, double seconds) {
    }

    private record WaitCounters(LongAdder confirmed, LongAdder nanos) {
    }

    private final Map<String, WaitCounters> waits = new ConcurrentHashMap<>();

    /**
     * @param timeoutMillis how long a node may take to confirm
     * @param nanoClock the clock deadlines are measured on ({@link System#nanoTime} but in tests)
     */
    public Confirmations(long timeoutMillis, LongSupplier nanoClock) {
        this.timeoutNanos = timeoutMillis * 1_000_000L;
        this.nanoClock = nanoClock;
    }

    /**
     * What to keep of a message whose confirmation failed, to forward it again (a QoS 2 message): told, before its
     * stage fails, which nodes did not confirm it.
     */
    public interface Retry {
        /** The message's id, which the failure names. */
        long messageId();

        void failed(Set<String> notConfirmed);
    }

    /** A message sent now to {@code nodes} (not empty): the id to send with it and the stage of its confirmation. */
    public Awaited expect(Collection<String> nodes, String topic) {
        return expect(nodes, topic, null);
    }

    /** Like {@link #expect(Collection, String)}; when it fails, {@code retry} (null: none) is told first. */
    public Awaited expect(Collection<String> nodes, String topic, Retry retry) {
        long id = ids.incrementAndGet();
        long now = nanoClock.getAsLong();
        Pending p = new Pending(new HashSet<>(nodes), topic, now, now + timeoutNanos, retry);
        pending.put(id, p);
        // after the put, as nodeLeft marks before it scans: one of the two sees the other, so none waits for its deadline
        for (String node : nodes) {
            if (gone.contains(node)) {
                left(id, p, node);
            }
        }
        return new Awaited(id, p.confirmed);
    }

    /** {@code node} confirmed the messages {@code ids} (accepted: stored for its sessions), or refused them. */
    public void confirmed(String node, long[] ids, boolean accepted) {
        long now = nanoClock.getAsLong();
        WaitCounters counters = accepted ? waits.computeIfAbsent(node, n -> new WaitCounters(new LongAdder(),
                new LongAdder())) : null;
        for (long id : ids) {
            Pending p = pending.get(id);
            if (p == null) {
                continue; // failed already (timeout, a node left)
            }
            if (!accepted) {
                fail(id, p, "node '" + node + "' could not accept it");
                continue;
            }
            int left = p.confirmedBy(node);
            if (left >= 0) {
                counters.confirmed().increment();
                counters.nanos().add(now - p.sent);
            }
            if (left == 0 && p.leftNode() != null) {
                fail(id, p, leftBeforeConfirming(p.leftNode()));
            } else if (left == 0) {
                pending.remove(id);
                p.confirmed.complete(null);
            }
        }
    }

    /**
     * {@code node} left the cluster: what it did not confirm fails (it may not have stored it), and so does what is
     * expected from it from now on (a message routed to it just before its leaving was seen) until {@link #nodeBack}.
     * A message that can be forwarded again (with a {@link Retry}) fails once the other nodes it waits for confirmed it
     * (or at its deadline), so that the retry knows which of them have it.
     */
    public void nodeLeft(String node) {
        gone.add(node);
        int failed = 0;
        for (Map.Entry<Long, Pending> e : pending.entrySet()) {
            if (e.getValue().awaits(node)) {
                left(e.getKey(), e.getValue(), node);
                failed++;
            }
        }
        if (failed > 0) {
            LOG.warn("Node '{}' left with {} forwarded messages unconfirmed: their publishers get no acknowledgement "
                    + "and send them again", node, failed);
        }
    }

    /** {@code node}, which message {@code id} waits for, left: it fails now, or once the others confirmed (a retry). */
    private void left(long id, Pending p, String node) {
        if (p.retry == null || p.nodeLeft(node) == 0) {
            fail(id, p, leftBeforeConfirming(node));
        }
    }

    private static String leftBeforeConfirming(String node) {
        return "node '" + node + "' left the cluster before confirming it";
    }

    /** {@code node} is a member again: messages to it wait for its confirmation again. */
    public void nodeBack(String node) {
        gone.remove(node);
    }

    /** Fails what is past its deadline; returns how many. Logs one line per node that did not confirm in time. */
    public int expire() {
        long now = nanoClock.getAsLong();
        Map<String, Integer> lateByNode = new TreeMap<>();
        int failed = 0;
        for (Map.Entry<Long, Pending> e : pending.entrySet()) {
            Pending p = e.getValue();
            if (now - p.deadline >= 0) {
                Set<String> late = p.remaining();
                if (fail(e.getKey(), p, "node(s) " + quoted(late) + " did not confirm it within "
                        + timeoutNanos / 1_000_000 + " ms")) {
                    late.forEach(n -> lateByNode.merge(n, 1, Integer::sum));
                    failed++;
                }
            }
        }
        lateByNode.forEach((node, count) -> LOG.warn("Node '{}' did not confirm {} forwarded messages within {} ms: "
                + "their publishers get no acknowledgement and send them again", node, count, timeoutNanos / 1_000_000));
        return failed;
    }

    /** This node is leaving: nothing more will be confirmed. */
    public void failAll(String why) {
        for (Map.Entry<Long, Pending> e : pending.entrySet()) {
            fail(e.getKey(), e.getValue(), why);
        }
    }

    /** How many messages wait for confirmation. */
    public int size() {
        return pending.size();
    }

    /** How many messages wait for each node's confirmation now (nodes with none left out): O(waiting messages). */
    public Map<String, Integer> waitingByNode() {
        Map<String, Integer> byNode = new HashMap<>();
        for (Pending p : pending.values()) {
            for (String node : p.remaining()) {
                byNode.merge(node, 1, Integer::sum);
            }
        }
        return byNode;
    }

    /** The confirmations {@code node} sent since this node started, and the time they took in all. */
    public Waits waitsFor(String node) {
        WaitCounters counters = waits.get(node);
        return counters == null ? new Waits(0, 0)
                : new Waits(counters.confirmed().sum(), counters.nanos().sum() / 1e9);
    }

    private boolean fail(long id, Pending p, String why) {
        if (pending.remove(id, p)) {
            long keptAs = -1;
            if (p.retry != null) {
                p.retry.failed(p.notConfirmed());
                keptAs = p.retry.messageId();
            }
            p.confirmed.completeExceptionally(new ForwardingException("message to '" + p.topic + "': " + why, keptAs));
            return true;
        }
        return false;
    }

    private static String quoted(Collection<String> nodes) {
        List<String> names = new ArrayList<>();
        for (String n : new TreeSet<>(nodes)) {
            names.add("'" + n + "'");
        }
        return String.join(", ", names);
    }

    private static final class Pending {
        final Set<String> waitingFor;
        final String topic;
        final long sent;
        final long deadline;
        final Retry retry;
        final CompletableFuture<Void> confirmed = new CompletableFuture<>();

        Pending(Set<String> waitingFor, String topic, long sent, long deadline, Retry retry) {
            this.waitingFor = waitingFor;
            this.topic = topic;
            this.sent = sent;
            this.deadline = deadline;
            this.retry = retry;
        }

        /** Nodes that left before confirming, while others were still awaited (null: none). */
        private Set<String> leftNodes;

        /** How many nodes are left to confirm after {@code node} did (0: it was the last); -1 if it was not awaited. */
        synchronized int confirmedBy(String node) {
            return waitingFor.remove(node) ? waitingFor.size() : -1;
        }

        /** {@code node} left without confirming: how many other nodes are still awaited. */
        synchronized int nodeLeft(String node) {
            if (waitingFor.remove(node)) {
                if (leftNodes == null) {
                    leftNodes = new TreeSet<>();
                }
                leftNodes.add(node);
            }
            return waitingFor.size();
        }

        /** A node that left before confirming, or null. */
        synchronized String leftNode() {
            return leftNodes == null ? null : leftNodes.iterator().next();
        }

        /** The nodes that have not confirmed: still awaited, or left. */
        synchronized Set<String> notConfirmed() {
            Set<String> not = new TreeSet<>(waitingFor);
            if (leftNodes != null) {
                not.addAll(leftNodes);
            }
            return not;
        }

        synchronized boolean awaits(String node) {
            return waitingFor.contains(node);
        }

        synchronized Set<String> remaining() {
            return new TreeSet<>(waitingFor);
        }
    }
}
