package io.switchboard.cluster.internal.sessions;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;

import io.switchboard.api.Message;
import io.switchboard.api.broker.Broker;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the node a session leaves relays to this node, which takes it: held from before this node asks that node to
 * let go until the session is restored here, then handed to it through its subscriptions ({@link Broker#deliverTo})
 * after what its records brought; relayed later, handed to it at once. Under one lock, and each on the worker of its
 * publisher's order key (the one its direct copies get), so a publisher's relayed messages reach the session in the
 * order they came, and in order with its direct ones. A relayed message for a session that is no longer here goes on to the node it
 * moved to, if it moved on ({@code onward}). At most {@link #LIMIT} held at once: past it a relayed message is dropped
 * and logged (relays are not confirmed; a move holds them for milliseconds).
 *
 * <p>Duplicates: once the session is restored here, a message may reach this node twice, routed here directly (this
 * node subscribes now) and relayed by the node the session left (which routes to it until every member sees this
 * node's routes). From the restore until its window closes ({@link #closeWindow}), every message routed here directly
 * is remembered by its identity ({@link #arrived}: the node it entered, that node's id), and a relayed one for the
 * session's plain subscriptions with an identity remembered is dropped: the direct one reached the session, as it
 * came after the restore. What is relayed before the direct copy arrives still reaches the session twice (the relay
 * took two hops, the direct copy one: rare).
 */
public final class IncomingRelays {

    private static final Logger LOG = LoggerFactory.getLogger(IncomingRelays.class);
    static final int LIMIT = 100_000;
    /** Identities of direct arrivals remembered at most while a window is open (the oldest go first). */
    static final int RECENT_LIMIT = 200_000;

    /** A routed message's identity: the node it entered and the id that node gave it. */
    public record Identity(String origin, long id) {
    }

    private record Relayed(Message message, String orderKey, Set<String> sharedHere) {
    }

    /** Where a relayed message for a session that moved on from here goes. */
    public interface Onward {
        void relay(String clientId, Message message, Set<String> sharedHere);
    }

    private final Broker broker;
    private final Map<String, List<Relayed>> holding = new HashMap<>();
    private final int limit;
    private int count;
    /** Sessions restored here whose relays may repeat direct arrivals, with how many moves opened their window. */
    private final Map<String, Integer> windows = new HashMap<>();
    /** Whether a window is open: direct arrivals are remembered. Set under this object's lock. */
    private volatile boolean remembering;
    /** Direct arrivals while a window is open, without a lock (the routing threads add), oldest first in {@link #order}. */
    private final Set<Identity> recent = ConcurrentHashMap.newKeySet();
    private final Queue<Identity> order = new ConcurrentLinkedQueue<>();
    private long duplicates;
    /** {@link #duplicates} as last logged. */
    private long reported;

    public IncomingRelays(Broker broker) {
        this(broker, LIMIT);
    }

    IncomingRelays(Broker broker, int limit) {
        this.broker = broker;
        this.limit = limit;
    }

    /** This node is about to take the session of {@code clientId}: what is relayed for it is held until restored. */
    synchronized void expect(String clientId) {
        holding.putIfAbsent(clientId, new ArrayList<>());
    }

    /**
     * A message relayed for the session of {@code clientId}: held, or handed to it; when it is not here (it moved on),
     * {@code onward} gets it.
     */
    public synchronized void relayed(String clientId, Message message, String orderKey, Identity identity,
            Set<String> sharedHere, Onward onward) {
        List<Relayed> held = holding.get(clientId);
        if (held == null && identity != null && sharedHere.isEmpty() && windows.containsKey(clientId)
                && recent.contains(identity)) {
            duplicates++; // routed here directly after the restore: the session has it
            return;
        }
        if (held == null) {
            broker.deliverTo(clientId, message, orderKey, sharedHere).thenAccept(handed -> {
                if (handed == 0) {
                    onward.relay(clientId, message, sharedHere);
                }
            });
        } else if (count < limit) {
            held.add(new Relayed(message, orderKey, sharedHere));
            count++;
        } else {
            LOG.warn("Message to '{}' relayed for client '{}' dropped: {} relayed messages are held already",
                    message.topic(), clientId, limit);
        }
    }

    /**
     * Restores the session of {@code clientId} with {@code restore} and hands it what was relayed for it meanwhile.
     * Completes with how many it was handed.
     */
    CompletionStage<Integer> restoreAndHandOver(String clientId, Runnable restore) {
        CompletionStage<Integer> total = CompletableFuture.completedFuture(0);
        synchronized (this) {
            List<Relayed> held = holding.remove(clientId);
            HandOvers.restore(broker, clientId, restore);
            windows.merge(clientId, 1, Integer::sum);
            remembering = true;
            if (held != null) {
                count -= held.size();
                for (Relayed r : held) {
                    total = total.thenCombine(broker.deliverTo(clientId, r.message(), r.orderKey(), r.sharedHere()),
                            Integer::sum);
                }
            }
        }
        return HandOvers.thenRelease(broker, clientId, total);
    }

    /**
     * A message routed to this node directly (not relayed) arrives, or one published here is routed: before its
     * delivery here.
     */
    public void arrived(String origin, long id) {
        if (!remembering) {
            return;
        }
        Identity identity = new Identity(origin, id);
        if (recent.add(identity)) {
            order.add(identity);
            if (recent.size() > RECENT_LIMIT) {
                Identity oldest = order.poll();
                if (oldest != null) {
                    recent.remove(oldest);
                }
            }
        }
    }

    /**
     * The node the session of {@code clientId} left relays no more (and what it relayed last has arrived): its window
     * opened at the restore closes; with the last one, what was remembered goes.
     */
    synchronized void closeWindow(String clientId) {
        windows.computeIfPresent(clientId, (k, n) -> n > 1 ? n - 1 : null);
        if (duplicates > reported) {
            LOG.info("{} relayed message(s) dropped since the last report: the sessions they were for had them routed"
                    + " here directly", duplicates - reported);
            reported = duplicates;
        }
        if (windows.isEmpty()) {
            remembering = false;
            // an arrival racing this may stay: ids are unique per node, so it matches no later relay
            recent.clear();
            order.clear();
        }
    }

    /** Relayed messages dropped because the session had them routed here directly. */
    synchronized long duplicates() {
        return duplicates;
    }

    /** The session of {@code clientId} was not taken here: what was held for it goes. */
    synchronized void forget(String clientId) {
        List<Relayed> held = holding.remove(clientId);
        if (held != null) {
            count -= held.size();
        }
    }

    /** Messages held now. */
    synchronized int heldCount() {
        return count;
    }
}
