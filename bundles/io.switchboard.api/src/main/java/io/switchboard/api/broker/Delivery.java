package io.switchboard.api.broker;

import java.util.List;

import org.osgi.annotation.versioning.ProviderType;

/** The outcome handle of one delivery to one session; the first report wins, later ones are ignored. */
@ProviderType
public interface Delivery {

    /** The subscriber acknowledged the message, or it was written at QoS 0: raises DELIVERED. */
    void delivered();

    /** The message could not be delivered: raises FAILED with {@code reason}. */
    void failed(String reason);

    /**
     * The identifiers ({@link io.switchboard.api.Subscription#identifier()}) of the session's subscriptions this
     * delivery stands for, ascending: of every matching subscription of the session when they share one copy of
     * the message, of the member's subscription for a shared subscription. Empty when none has an identifier.
     *
     * @since 2.1
     */
    default List<Integer> subscriptionIds() {
        return List.of();
    }

    /**
     * The session left this node for another node of the broker before the message reached it (its front door let
     * go of it, {@link SessionHolder#letGo}): the broker passes the message on to that node
     * ({@link ClusterPeer#relay}), or fails it when no node took the session. Use it instead of {@link #failed} for
     * a session let go of that way, so that no message published during the move is lost.
     *
     * @since 2.5
     */
    default void moved() {
        failed("the session left this node");
    }
}
