package io.switchboard.cluster.internal.sessions;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import io.switchboard.api.Message;
import io.switchboard.api.broker.Broker;
import io.switchboard.api.broker.ForwardingException;

/**
 * What this node, adopting the sessions of nodes that left, keeps for them until it restored them: every message the
 * nodes routed to a left node's filters (pointed at this node, see docs/cluster.md) from the moment they saw it leave,
 * in arrival order, held per left node. Once a session of the left node is restored here, the messages held for its
 * node are handed to it through its subscriptions ({@link Broker#deliverTo}); when the adoption is over they are
 * dropped, and what arrives later for that node is not held (the adopted sessions have their own routes by then).
 * Which sessions came from which left node is remembered a while longer, for a QoS 2 message forwarded again after
 * that node failed to confirm it ({@link #holdOrHand}).
 *
 * <p>A message is held before it is delivered to this node's sessions and before it is confirmed to the node it entered:
 * a session restored before the delivery matched gets it from the delivery, a session restored after finds it here.
 * One restored in between has it in both; the core keeps the delivery behind the hand-over and drops it at the
 * release, since the hand-over gives it the same message object ({@link Broker#releaseDeliveries}). A session is
 * restored, and its hand-over queued on the publishers' workers, under the lock that holding takes, so a message held later is queued for delivery after the hand-over and a
 * publisher's messages reach the session in order: the session's deliveries by routing wait until its hand-over
 * ran ({@link Broker#holdDeliveries}). Held in memory only: if this node dies too, they are lost. At most {@link #LIMIT} at once: past it
 * a message is not held, and the caller does not acknowledge it (its publisher sends it again later).
 */
public final class HeldMessages {

    /** Messages held at once (one per left node it is held for), over every adoption: an adoption takes seconds, this bounds the memory it may take. */
    public static final int LIMIT = 100_000;

    /** One held message, as it is handed to a session: with its publisher's order key and the shared subscriptions it may serve. */
    record Held(Message message, String orderKey, Set<String> sharedHere) {
    }

    private final Broker broker;
    private final Map<String, List<Held>> byNode = new HashMap<>();
    /** The left nodes whose adoption is over here: nothing more is held for them until they come back. */
    private final Set<String> over = new HashSet<>();
    private final int limit;
    /** Entries of {@link #byNode}'s lists. */
    private int count;
    /**
     * The sessions restored here from each left node's records, kept after its adoption is over (until it rejoins, or
     * {@link #forgetAdoptionsOverBefore}): a QoS 2 message forwarded again reaches them ({@link #holdOrHand}).
     */
    private final Map<String, Set<String>> adopted = new HashMap<>();
    /** When each adoption in {@link #over} ended ({@link System#nanoTime}). */
    private final Map<String, Long> overAt = new HashMap<>();
    /** The left nodes whose sessions this node adopts (the oldest member), the adoption running or over. */
    private final Set<String> adopting = new HashSet<>();

    public HeldMessages(Broker broker) {
        this(broker, LIMIT);
    }

    HeldMessages(Broker broker, int limit) {
        this.broker = broker;
        this.limit = limit;
    }

    /**
     * Holds {@code message} for the sessions of each of {@code leftNodes} whose adoption here is not over.
     *
     * @return false if it had to be held and was not: {@link #LIMIT} messages are held already
     */
    public synchronized boolean hold(Set<String> leftNodes, Message message, String orderKey, Set<String> sharedHere) {
        List<String> holding = new ArrayList<>(leftNodes.size());
        for (String node : leftNodes) {
            if (!over.contains(node)) {
                holding.add(node);
            }
        }
        if (holding.isEmpty()) {
            return true;
        }
        if (count + holding.size() > limit) {
            return false;
        }
        Held held = new Held(message, orderKey, Set.copyOf(sharedHere));
        for (String node : holding) {
            byNode.computeIfAbsent(node, n -> new ArrayList<>()).add(held);
        }
        count += holding.size();
        return true;
    }

    /** The messages held for {@code leftNode}'s sessions so far, in arrival order. */
    synchronized List<Held> heldFor(String leftNode) {
        return List.copyOf(byNode.getOrDefault(leftNode, List.of()));
    }

    /**
     * Restores the session of {@code clientId} with {@code restore} and hands it what is held for {@code leftNode}:
     * each message its subscriptions match, in arrival order per publisher, queued before any message held later.
     * Completes with how many it was handed once all are.
     */
    CompletionStage<Integer> restoreAndHandOver(String leftNode, String clientId, Runnable restore) {
        CompletableFuture<Integer> total = CompletableFuture.completedFuture(0);
        synchronized (this) {
            HandOvers.restore(broker, clientId, restore);
            adopted.computeIfAbsent(leftNode, n -> new HashSet<>()).add(clientId);
            for (Held h : byNode.getOrDefault(leftNode, List.of())) {
                CompletionStage<Integer> handed = broker.deliverTo(clientId, h.message(), h.orderKey(), h.sharedHere());
                total = total.thenCombine(handed, Integer::sum);
            }
        }
        return HandOvers.thenRelease(broker, clientId, total);
    }

    /** This node adopts the sessions of {@code leftNode}: a message forwarded again for them is held here. */
    public synchronized void adopting(String leftNode) {
        adopting.add(leftNode);
    }

    /** Every session of {@code leftNode} is taken: what was held for them goes, and nothing more is held for it. */
    public synchronized void adoptionOver(String leftNode) {
        forget(leftNode);
        over.add(leftNode);
        overAt.put(leftNode, System.nanoTime());
    }

    /** {@code node} is a member again: if it leaves again, what is routed for it is held again. */
    public synchronized void rejoined(String node) {
        forget(node);
        over.remove(node);
        overAt.remove(node);
        adopted.remove(node);
        adopting.remove(node);
    }

    /**
     * A message forwarded again (QoS 2, after a failed forward) for the sessions of {@code leftNodes}: held for those
     * still to be restored here, as {@link #hold}, and handed at once to those restored here already (this node's own
     * sessions now, which did not get it: their node had not confirmed it, and a message forwarded again does not go
     * through this node's plain subscriptions). Under the lock a restore takes: each session gets it one way. Only on
     * the node adopting them ({@link #adopting}): the others have nothing to do.
     *
     * @return completes when handed; fails when it had to be held and was not ({@link #LIMIT})
     */
    public synchronized CompletionStage<Void> holdOrHand(Set<String> leftNodes, Message message, String orderKey,
            Set<String> sharedHere) {
        Set<String> adoptedHere = new HashSet<>(leftNodes);
        adoptedHere.retainAll(adopting);
        if (!hold(adoptedHere, message, orderKey, sharedHere)) {
            return CompletableFuture.failedFuture(new ForwardingException("not held for the sessions this node adopts: "
                    + LIMIT + " messages are held already"));
        }
        CompletionStage<Integer> handed = CompletableFuture.completedFuture(0);
        for (String node : adoptedHere) {
            for (String clientId : adopted.getOrDefault(node, Set.of())) {
                handed = handed.thenCombine(broker.deliverTo(clientId, message, orderKey, sharedHere), Integer::sum);
            }
        }
        return handed.thenApply(n -> null);
    }

    /** Forgets the sessions of the adoptions that ended before {@code nanoTime}: no retry comes for them any more. */
    public synchronized void forgetAdoptionsOverBefore(long nanoTime) {
        overAt.entrySet().removeIf(e -> {
            boolean old = e.getValue() - nanoTime < 0;
            if (old) {
                adopted.remove(e.getKey());
                adopting.remove(e.getKey());
            }
            return old;
        });
    }

    private void forget(String node) {
        List<Held> gone = byNode.remove(node);
        if (gone != null) {
            count -= gone.size();
        }
    }
}
