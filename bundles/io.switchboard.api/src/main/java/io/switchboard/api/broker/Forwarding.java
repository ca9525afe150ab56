package io.switchboard.api.broker;

import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * What a {@link ClusterPeer} did with a message this node routed ({@link ClusterPeer#forward}): which shared
 * subscriptions another node serves, and when every node it was sent to has accepted it.
 *
 * @param sharedElsewhere the shared subscriptions (whole filters, {@code $share/group/filter}) another node serves for
 *        this message, which this node skips; empty when this node delivers to all its matching subscriptions
 * @param accepted completes when every node the message was sent to has handed it to its matching sessions and
 *        stored it for its persistent ones (as a local publish is before its acknowledgement); completes at once when
 *        no node needs to confirm (no other node, or QoS 0); fails with {@link ForwardingException} when a node left
 *        or did not confirm in time, in which case the publisher must not be told the message was accepted
 * @since 2.3
 */
public record Forwarding(Set<String> sharedElsewhere, CompletionStage<Void> accepted) {

    private static final CompletionStage<Void> DONE = CompletableFuture.completedStage(null);

    /** Nothing to wait for: sent without confirmation, or to no node. */
    public static Forwarding unconfirmed(Set<String> sharedElsewhere) {
        return new Forwarding(sharedElsewhere, DONE);
    }

    public Forwarding {
        sharedElsewhere = sharedElsewhere == null ? Set.of() : sharedElsewhere;
        accepted = accepted == null ? DONE : accepted;
    }
}
