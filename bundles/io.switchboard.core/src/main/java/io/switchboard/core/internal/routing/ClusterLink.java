package io.switchboard.core.internal.routing;

import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

import io.switchboard.api.Message;
import io.switchboard.api.broker.ClusterPeer;
import io.switchboard.api.broker.Forwarding;
import io.switchboard.api.broker.ForwardingException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The router's side of the other nodes, when several nodes form one broker: the {@link ClusterPeer} while one is
 * there, told of this node's filters as their first subscription comes and their last one goes (counted here per
 * filter: a filter held by 1,000 sessions is one route), and handed each routed message. Without a peer a message
 * costs one volatile read.
 */
final class ClusterLink {

    private static final Logger LOG = LoggerFactory.getLogger(ClusterLink.class);

    /** {@code null} on a single node. */
    private volatile ClusterPeer peer;
    /** How many of this node's subscriptions there are per filter. */
    private final ConcurrentHashMap<String, Integer> filterCounts = new ConcurrentHashMap<>();

    /** Uses {@code clusterPeer} from now on ({@code null}: a single node again), after telling it this node's filters. */
    void setPeer(ClusterPeer clusterPeer) {
        this.peer = clusterPeer;
        if (clusterPeer != null) {
            for (String filter : filterCounts.keySet()) {
                // under the filter's lock, so it cannot overtake the removal of the filter by an unsubscribe
                filterCounts.computeIfPresent(filter, (f, n) -> {
                    clusterPeer.filterAdded(f);
                    return n;
                });
            }
        }
    }

    /**
     * Hands {@code m} to the other nodes: the shared subscriptions another node serves for it and when the nodes
     * accepted it, or {@code null} on a single node. A peer that fails leaves the message unconfirmed: the publish
     * fails, and is not acknowledged.
     */
    Forwarding forward(Message m, String orderKey) {
        ClusterPeer clusterPeer = peer;
        if (clusterPeer == null) {
            return null;
        }
        try {
            return clusterPeer.forward(m, orderKey);
        } catch (RuntimeException e) {
            LOG.warn("Message {} to '{}' was not forwarded to the other nodes", m.id(), m.topic(), e);
            return new Forwarding(Set.of(), CompletableFuture.failedFuture(
                    new ForwardingException("not forwarded to the other nodes: " + e)));
        }
    }

    /** Forwards a kept QoS 2 message again ({@link ClusterPeer#forwardAgain}); null when it is not kept. */
    CompletionStage<Void> forwardAgain(long messageId, String orderKey) {
        ClusterPeer clusterPeer = peer;
        if (clusterPeer == null) {
            return null;
        }
        try {
            return clusterPeer.forwardAgain(messageId, orderKey);
        } catch (RuntimeException e) {
            LOG.warn("Message {} was not forwarded to the other nodes again", messageId, e);
            return CompletableFuture.failedFuture(new ForwardingException("not forwarded to the other nodes again: " + e));
        }
    }

    /**
     * The session of {@code clientId} leaves this node: when its relay may end if it moves to another node, or
     * {@code null} (a single node, no move, or a failing peer: its subscriptions go at once).
     */
    CompletionStage<Void> leaving(String clientId) {
        ClusterPeer clusterPeer = peer;
        if (clusterPeer == null) {
            return null;
        }
        try {
            return clusterPeer.leaving(clientId);
        } catch (RuntimeException e) {
            LOG.warn("The other nodes were not told that the session of client '{}' leaves this node", clientId, e);
            return null;
        }
    }

    /**
     * Passes {@code m} on to the node the session of {@code clientId} moves to: completes when that node has it, fails
     * when it could not take it; {@code null} when it is not passed on.
     */
    CompletionStage<Void> relay(String clientId, Message m, String orderKey, String sharedFilter) {
        ClusterPeer clusterPeer = peer;
        if (clusterPeer == null) {
            return null;
        }
        try {
            return clusterPeer.relayConfirmed(clientId, m, orderKey, sharedFilter);
        } catch (RuntimeException e) {
            LOG.warn("Message {} to '{}' was not passed on to the node client '{}' moves to", m.id(), m.topic(), clientId, e);
            return null;
        }
    }

    /** Counts a new subscription to {@code filter}; the peer hears of the filter's first one. */
    void filterAdded(String filter) {
        filterCounts.compute(filter, (f, n) -> {
            if (n == null) {
                tellPeer(f, true);
                return 1;
            }
            return n + 1;
        });
    }

    /** Counts a subscription to {@code filter} gone; the peer hears of the filter's last one. */
    void filterRemoved(String filter) {
        filterCounts.computeIfPresent(filter, (f, n) -> {
            if (n > 1) {
                return n - 1;
            }
            tellPeer(f, false);
            return null;
        });
    }

    /** A failing peer must not fail the subscribe or unsubscribe that changed the filter. */
    private void tellPeer(String filter, boolean added) {
        ClusterPeer clusterPeer = peer;
        if (clusterPeer == null) {
            return;
        }
        try {
            if (added) {
                clusterPeer.filterAdded(filter);
            } else {
                clusterPeer.filterRemoved(filter);
            }
        } catch (RuntimeException e) {
            LOG.warn("The other nodes were not told that this node {} filter '{}'", added ? "subscribes to" : "left", filter, e);
        }
    }
}
