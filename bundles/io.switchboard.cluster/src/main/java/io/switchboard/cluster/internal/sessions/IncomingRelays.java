package io.switchboard.cluster.internal.sessions;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;

import io.switchboard.api.Message;
import io.switchboard.api.broker.Broker;
import io.switchboard.api.broker.ForwardingException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the node a session leaves relays to this node, which takes it: held from before this node asks that node to
 * let go until the session is restored here, then handed to it through its subscriptions ({@link Broker#deliverTo})
 * after what its records brought; relayed later, handed to it at once. Under one lock, and each on the worker of its
 * publisher's order key (the one its direct copies get), so a publisher's relayed messages reach the session in the
 * order they came. What routing delivers to the session directly waits behind them until the move's end
 * ({@link #release}: every member's marker came through the node it left, {@link MoveFlushes}), so that a publisher's
 * message that came directly never overtakes its earlier one that went the long way. A relayed message for a session
 * that is no longer here goes on to the node it moved to, if it moved on ({@code onward}). Each relay says when the
 * session has it ({@link #relayed}'s stage, which the node that relayed it waits for before it acknowledges the
 * message). At most {@link #LIMIT} held at once: past it a relayed message is refused and logged (a move holds them
 * for milliseconds).
 *
 * <p>Duplicates: a message may reach this node twice, routed here directly (this node subscribes to the same
 * filters, for the session or for others) and relayed by the node the session left (which routes to it until every
 * member sees this node's routes). While a move here is on (from {@link #expect} until its window closes,
 * {@link #closeWindow}), each such message is remembered by its identity (the node it entered, that node's id): when
 * it arrived here directly ({@link #arrived}), and the sessions it was relayed to. Until the move's end the relayed
 * copy wins: a direct one is not delivered through the plain subscriptions of the sessions it was relayed to already
 * ({@link Broker#acceptForwarded(Message, String, Set, Set)}), and one that waited is dropped at the release if it
 * was relayed meanwhile. After it the direct copy wins: a relayed one for the session's plain subscriptions is dropped
 * (when every member's marker came, each message relayed later came directly too; else if its direct copy came after
 * the release). A relay through a shared subscription is never dropped (the direct copy went to the member the
 * entering node chose).
 */
public final class IncomingRelays {

    private static final Logger LOG = LoggerFactory.getLogger(IncomingRelays.class);
    private static final CompletionStage<Void> DONE = CompletableFuture.completedStage(null);
    static final int LIMIT = 100_000;
    /** Identities of direct arrivals remembered at most while a window is open (the oldest go first). */
    static final int RECENT_LIMIT = 200_000;

    /** A routed message's identity: the node it entered and the id that node gave it. */
    public record Identity(String origin, long id) {

        /**
         * The identity of message {@code id} routed with {@code orderKey}: another node's message has the key
         * "node \0 publisher" (the node it entered), one published on {@code localNode} its publisher's key only.
         */
        public static Identity routed(String orderKey, String localNode, long id) {
            int separator = orderKey.indexOf('\0');
            return new Identity(separator < 0 ? localNode : orderKey.substring(0, separator), id);
        }
    }

    private record Relayed(Message message, String orderKey, Set<String> sharedHere, CompletableFuture<Void> handed) {
    }

    /**
     * What is known of one message: when it reached the session directly (its count; 0: not yet), whom it was relayed
     * to.
     */
    private record Seen(long directAt, Set<String> relayedTo) {
    }

    /** Where a relayed message for a session that moved on from here goes. */
    public interface Onward {
        /** @return when the node it goes on to has it, or null when it is not passed on (nothing to wait for) */
        CompletionStage<Void> relay(String clientId, Message message, Set<String> sharedHere);
    }

    /** Between a restore and the move's end: the relays being handed to the session, which the release waits for. */
    private static final class Handing {
        int pending;
        boolean ending;
    }

    private final String self;
    private final Broker broker;
    private final Map<String, List<Relayed>> holding = new HashMap<>();
    private final Map<String, Handing> handing = new HashMap<>();
    /** Sessions whose move ended with every member's marker: what is relayed for them later came directly too. */
    private final Set<String> directOnly = new HashSet<>();
    private final int limit;
    private int count;
    /** Sessions restored here whose relays may repeat direct arrivals, with how many moves opened their window. */
    private final Map<String, Integer> windows = new HashMap<>();
    /** Of each session in {@link #windows}: the count of direct arrivals at the release of its last move. */
    private final Map<String, Long> releasedAt = new ConcurrentHashMap<>();
    /** Whether a move here is on (held or windowed): messages are remembered. Set under this object's lock. */
    private volatile boolean remembering;
    /** Direct arrivals counted while remembering: a direct arrival counted after a session's restore reached it. */
    private final AtomicLong arrivals = new AtomicLong();
    /**
     * The messages remembered while a move is on, each changed atomically (the routing threads and the relays race),
     * oldest first in {@link #order}.
     */
    private final Map<Identity, Seen> seen = new ConcurrentHashMap<>();
    private final Queue<Identity> order = new ConcurrentLinkedQueue<>();
    private long duplicates;
    /** {@link #duplicates} as last logged. */
    private long reported;

    /** @param self this node's name (the origin of what is published here) */
    public IncomingRelays(String self, Broker broker) {
        this(self, broker, LIMIT);
    }

    IncomingRelays(String self, Broker broker, int limit) {
        this.self = self;
        this.broker = broker;
        this.limit = limit;
    }

    /** This node is about to take the session of {@code clientId}: what is relayed for it is held until restored. */
    synchronized void expect(String clientId) {
        holding.putIfAbsent(clientId, new ArrayList<>());
        releasedAt.remove(clientId); // a new move: its relays win until it ends
        directOnly.remove(clientId);
        remembering = true;
    }

    /**
     * A message relayed for the session of {@code clientId}: held, or handed to it; when it is not here (it moved on),
     * {@code onward} gets it.
     *
     * @return completes when the session has it (handed to it, or it had it already), or the node it went on to
     *         confirmed it; fails when it was refused (too many held) or the hand-over failed
     */
    public synchronized CompletionStage<Void> relayed(String clientId, Message message, String orderKey,
            Identity identity, Set<String> sharedHere, Onward onward) {
        List<Relayed> held = holding.get(clientId);
        if (held != null && count >= limit) {
            LOG.warn("Message to '{}' relayed for client '{}' refused: {} relayed messages are held already",
                    message.topic(), clientId, limit);
            // not noted as relayed: its direct copy, if one comes, still goes to the session
            return CompletableFuture.failedFuture(new ForwardingException("message to '" + message.topic()
                    + "' relayed for client '" + clientId + "': " + limit + " relayed messages are held already"));
        }
        if (identity != null && sharedHere.isEmpty() && (held != null || windows.containsKey(clientId))
                && (directOnly.contains(clientId) || !relayedOnce(clientId, identity))) {
            duplicates++; // routed here directly after the move's end: the session has it, or gets it
            return DONE;
        }
        if (held == null) {
            CompletionStage<Integer> delivered = broker.deliverTo(clientId, message, orderKey, sharedHere);
            Handing moving = handing.get(clientId);
            if (moving != null && !moving.ending) {
                moving.pending++;
                delivered.whenComplete((n, error) -> handed(clientId, moving));
            }
            return delivered.thenCompose(handed -> {
                CompletionStage<Void> wentOn = handed == 0 ? onward.relay(clientId, message, sharedHere) : null;
                return wentOn == null ? DONE : wentOn;
            });
        }
        Relayed relayed = new Relayed(message, orderKey, sharedHere, new CompletableFuture<>());
        held.add(relayed);
        count++;
        return relayed.handed();
    }

    /**
     * Restores the session of {@code clientId} with {@code restore} and hands it what was relayed for it meanwhile;
     * what routing delivers to it waits until {@link #release}. Completes with how many it was handed.
     */
    synchronized CompletionStage<Integer> restoreAndHandOver(String clientId, Runnable restore) {
        CompletionStage<Integer> total = CompletableFuture.completedFuture(0);
        List<Relayed> held = holding.remove(clientId);
        HandOvers.restore(broker, clientId, restore);
        windows.merge(clientId, 1, Integer::sum);
        remembering = true;
        Handing moving = new Handing();
        handing.put(clientId, moving);
        if (held != null) {
            count -= held.size();
            for (Relayed r : held) {
                moving.pending++;
                CompletionStage<Integer> one = broker.deliverTo(clientId, r.message(), r.orderKey(), r.sharedHere());
                one.whenComplete((handed, error) -> {
                    complete(r, error);
                    handed(clientId, moving);
                });
                total = total.thenCombine(one, Integer::sum);
            }
        }
        return total;
    }

    /**
     * The move of the session of {@code clientId} here ended: what routing delivered to it since the restore follows
     * what was relayed to it, once those relays were handed to it, but what was relayed too. {@code allAnswered}:
     * every member's marker came ({@link MoveFlushes}), so what is relayed later came directly too.
     */
    void release(String clientId, boolean allAnswered) {
        boolean now;
        synchronized (this) {
            Handing moving = handing.get(clientId);
            if (moving == null) {
                return;
            }
            releasedAt.put(clientId, arrivals.get());
            if (allAnswered) {
                directOnly.add(clientId);
            }
            moving.ending = true;
            now = moving.pending == 0 && handing.remove(clientId, moving);
        }
        if (now) {
            releaseKept(clientId);
        }
    }

    /** One relay of a moving session was handed to it (or failed): the last one before its move's end releases it. */
    private void handed(String clientId, Handing moving) {
        boolean now;
        synchronized (this) {
            moving.pending--;
            now = moving.ending && moving.pending == 0 && handing.remove(clientId, moving);
        }
        if (now) {
            releaseKept(clientId);
        }
    }

    /** Outside this object's lock: the core delivers what it kept on this thread. */
    private void releaseKept(String clientId) {
        broker.releaseDeliveries(clientId, (message, orderKey) -> relayedBefore(clientId, message, orderKey));
    }

    /**
     * At the release: whether a message routing delivered to the session of {@code clientId} was relayed to it too
     * (drop the direct copy); if not, the direct copy reaches it now, and a relay of it coming later is dropped.
     */
    private boolean relayedBefore(String clientId, Message message, String orderKey) {
        if (orderKey == null) {
            return false; // not routed by a publisher (a retained message): never relayed
        }
        Identity identity = Identity.routed(orderKey, self, message.id());
        boolean[] relayed = new boolean[1];
        update(identity, known -> {
            if (known != null && known.relayedTo().contains(clientId)) {
                relayed[0] = true;
                return known;
            }
            return new Seen(arrivals.incrementAndGet(), known == null ? Set.of() : known.relayedTo());
        });
        return relayed[0];
    }

    /**
     * A message routed to this node directly (not relayed) arrives, or one published here is routed: before its
     * delivery here.
     *
     * @return the sessions it was relayed to already, which must not get it through their plain subscriptions again
     */
    public Set<String> arrived(String origin, long id) {
        if (!remembering) {
            return Set.of();
        }
        long at = arrivals.incrementAndGet();
        Seen before = update(new Identity(origin, id),
                known -> new Seen(at, known == null ? Set.of() : known.relayedTo()));
        return before == null ? Set.of() : before.relayedTo();
    }

    /**
     * Notes that {@code identity} is relayed to the session of {@code clientId}; false if it reached the session
     * directly after its move's end.
     */
    private boolean relayedOnce(String clientId, Identity identity) {
        Long released = releasedAt.get(clientId);
        Seen before = update(identity, known -> {
            if (reachedAfter(known, released)) {
                return known;
            }
            Set<String> to = new HashSet<>(known == null ? Set.of() : known.relayedTo());
            to.add(clientId);
            return new Seen(known == null ? 0 : known.directAt(), Set.copyOf(to));
        });
        return !reachedAfter(before, released);
    }

    /** Whether the message of {@code known} reached the session directly after the release counted {@code released} (null: none yet). */
    private static boolean reachedAfter(Seen known, Long released) {
        return known != null && released != null && known.directAt() > released;
    }

    /** Changes what is known of {@code identity} atomically; returns what was known before (null: it is new). */
    private Seen update(Identity identity, UnaryOperator<Seen> change) {
        Seen[] before = new Seen[1];
        seen.compute(identity, (k, known) -> {
            before[0] = known;
            return change.apply(known);
        });
        if (before[0] == null) {
            remembered(identity);
        }
        return before[0];
    }

    /** A message newly remembered: the oldest goes past {@link #RECENT_LIMIT}. */
    private void remembered(Identity identity) {
        order.add(identity);
        if (seen.size() > RECENT_LIMIT) {
            Identity oldest = order.poll();
            if (oldest != null) {
                seen.remove(oldest);
            }
        }
    }

    /**
     * The node the session of {@code clientId} left relays no more (and what it relayed last has arrived): its window
     * opened at the restore closes; with the last one, what was remembered goes.
     */
    synchronized void closeWindow(String clientId) {
        if (windows.computeIfPresent(clientId, (k, n) -> n > 1 ? n - 1 : null) == null) {
            releasedAt.remove(clientId);
            directOnly.remove(clientId);
        }
        if (duplicates > reported) {
            LOG.info("{} relayed message(s) dropped since the last report: the sessions they were for had them routed"
                    + " here directly", duplicates - reported);
            reported = duplicates;
        }
        forgetAllIfNoMove();
    }

    /** No move here is on: nothing is remembered (an arrival racing this may stay: ids are unique per node). */
    private void forgetAllIfNoMove() {
        if (windows.isEmpty() && holding.isEmpty()) {
            remembering = false;
            seen.clear();
            order.clear();
        }
    }

    /** Relayed messages dropped because the session had them routed here directly. */
    synchronized long duplicates() {
        return duplicates;
    }

    /**
     * The session of {@code clientId} was not restored here: what was held for it goes, accepted when the session
     * {@code ended} (it was not persistent: nothing is owed to it), else refused, so that its publishers send it again.
     */
    synchronized void forget(String clientId, boolean ended) {
        List<Relayed> held = holding.remove(clientId);
        if (held != null) {
            count -= held.size();
            ForwardingException notTaken = ended ? null
                    : new ForwardingException("the session of client '" + clientId + "' was not taken here");
            held.forEach(r -> complete(r, notTaken));
        }
        forgetAllIfNoMove();
    }

    private static void complete(Relayed relayed, Throwable error) {
        if (error == null) {
            relayed.handed().complete(null);
        } else {
            relayed.handed().completeExceptionally(error);
        }
    }

    /** Messages held now. */
    synchronized int heldCount() {
        return count;
    }
}
