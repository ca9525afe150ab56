package io.switchboard.cluster.internal.sessions;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sessions this node let go of for another node, while not every node routes to that node yet: the core keeps
 * their subscriptions and relays what they match ({@link io.switchboard.api.broker.ClusterPeer#relay}) to the node
 * taking them, until that node says every member sees its routes ({@link #over}), the node leaves, or
 * {@value #TIMEOUT_SECONDS} s passed.
 */
public final class OutgoingRelays {

    private static final Logger LOG = LoggerFactory.getLogger(OutgoingRelays.class);
    /** How long a relay lasts at most: the new node's routes reach every member in milliseconds. */
    static final long TIMEOUT_SECONDS = 60;

    private record Relay(String node, CompletableFuture<Void> over, long startNanos, AtomicLong relayed) {
    }

    private final Map<String, Relay> byClientId = new ConcurrentHashMap<>();
    private final LongSupplier nanoClock;

    public OutgoingRelays(LongSupplier nanoClock) {
        this.nanoClock = nanoClock;
    }

    /** {@code node} takes the session of {@code clientId}: what its subscriptions here match goes there from now on. */
    public void start(String clientId, String node) {
        Relay previous = byClientId.put(clientId, new Relay(node, new CompletableFuture<>(), nanoClock.getAsLong(),
                new AtomicLong()));
        if (previous != null) {
            end(clientId, previous);
        }
    }

    /** When the relay of the session of {@code clientId} may end, or {@code null} when it is not moving away. */
    public CompletionStage<Void> leaving(String clientId) {
        Relay relay = byClientId.get(clientId);
        return relay == null ? null : relay.over();
    }

    /** The node the session of {@code clientId} moves to, or {@code null}. */
    public String target(String clientId) {
        Relay relay = byClientId.get(clientId);
        return relay == null ? null : relay.node();
    }

    /** Like {@link #target}, for a message relayed there (counted for the log line at the relay's end). */
    public String relayTo(String clientId) {
        Relay relay = byClientId.get(clientId);
        if (relay == null) {
            return null;
        }
        relay.relayed().incrementAndGet();
        return relay.node();
    }

    /** {@code node}, which took the session of {@code clientId}, is routed to by every member: the relay ends. */
    void over(String clientId, String node) {
        Relay relay = byClientId.get(clientId);
        if (relay != null && relay.node().equals(node) && byClientId.remove(clientId, relay)) {
            end(clientId, relay);
        }
    }

    /** {@code node} left: the relays to it end (its sessions are adopted from their records). */
    public void nodeLeft(String node) {
        byClientId.forEach((clientId, relay) -> {
            if (relay.node().equals(node) && byClientId.remove(clientId, relay)) {
                end(clientId, relay);
            }
        });
    }

    /** This node leaves the cluster: every relay ends (the core drops the subscriptions it kept for them). */
    public void endAll() {
        byClientId.forEach((clientId, relay) -> {
            if (byClientId.remove(clientId, relay)) {
                end(clientId, relay);
            }
        });
    }

    /** Ends the relays older than {@value #TIMEOUT_SECONDS} s. */
    public void expire() {
        long now = nanoClock.getAsLong();
        byClientId.forEach((clientId, relay) -> {
            if (now - relay.startNanos() - TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS) > 0
                    && byClientId.remove(clientId, relay)) {
                LOG.warn("Client '{}': node '{}' did not confirm within {} s that every member routes to it; messages for"
                        + " the session are no longer passed on from here", clientId, relay.node(), TIMEOUT_SECONDS);
                end(clientId, relay);
            }
        });
    }

    /** The relay ends: the core drops the subscriptions it kept; what was relayed is logged. */
    private void end(String clientId, Relay relay) {
        long relayed = relay.relayed().get();
        if (relayed > 0) {
            LOG.info("Client '{}': {} message(s) published during its move passed on to node '{}' ({} ms)", clientId,
                    relayed, relay.node(), TimeUnit.NANOSECONDS.toMillis(nanoClock.getAsLong() - relay.startNanos()));
        }
        relay.over().complete(null);
    }

    /** Sessions being relayed now. */
    public int size() {
        return byClientId.size();
    }
}
