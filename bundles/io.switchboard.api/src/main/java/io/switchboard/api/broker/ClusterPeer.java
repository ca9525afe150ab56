package io.switchboard.api.broker;

import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import io.switchboard.api.Message;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Carries messages to the broker's other nodes, when several nodes form one broker: a service a cluster bundle
 * registers and the core uses while it is there (at most one; without it the broker is a single node and pays one
 * {@code null} check per message). The other nodes hand what it carries to their own broker with
 * {@link Broker#deliverForwarded}.
 *
 * <p>All calls come from the broker's worker threads and must not block: queue the work and return.
 *
 * @since 2.2
 */
@ConsumerType
public interface ClusterPeer {

    /**
     * A message passed this node's message chain: carry it to every other node with a subscription matching its
     * topic (a retained message to every node, which keeps it for later subscribers), each node once, in the order
     * of the calls with the same {@code orderKey}; and choose, for each shared subscription matching it, the one
     * node that delivers it to a member of the group. Called before this node delivers the message.
     *
     * @param message the message as the chain left it (stamped with this node's id, sender and time)
     * @param orderKey the publisher (its client id): messages of one key must arrive in the order given here
     * @return the shared subscriptions (whole filters, {@code $share/group/filter}) another node serves for this
     *         message, which this node skips; empty when this node delivers to all its matching subscriptions
     */
    Set<String> routed(Message message, String orderKey);

    /**
     * Like {@link #routed}, and says when the nodes the message was sent to have accepted it: the core completes
     * the publish (and so the publisher's PUBACK/PUBREC waits) only then. A peer that confirms nothing need not
     * implement it.
     *
     * @param message the message as the chain left it (stamped with this node's id, sender and time)
     * @param orderKey the publisher (its client id): messages of one key must arrive in the order given here
     * @return the shared subscriptions another node serves, and the other nodes' acceptance
     * @since 2.3
     */
    default Forwarding forward(Message message, String orderKey) {
        return Forwarding.unconfirmed(routed(message, orderKey));
    }

    /**
     * This node now has a subscription to {@code filter} (the first one; a shared subscription's filter is given
     * whole, {@code $share/group/filter}). Called once per change, in order for one filter; also called for each
     * filter present when the peer is bound, so a repeated call must be harmless.
     */
    void filterAdded(String filter);

    /** This node's last subscription to {@code filter} is gone. */
    void filterRemoved(String filter);

    /**
     * {@code user} has a session online on this node now: the first one (the core counts a user's sessions and calls
     * this for the first one only). Calls for one user come in the order of the changes, alternating with
     * {@link #userOffline}; also called for each user online when the peer is bound, so a repeated call must be
     * harmless. A peer that shares no presence need not implement it.
     *
     * @since 2.4
     */
    default void userOnline(String user) {
    }

    /**
     * {@code user}'s last session online on this node went offline (disconnected, taken over or closed).
     *
     * @since 2.4
     */
    default void userOffline(String user) {
    }

    /**
     * Whether {@code user} has a session online on another node of the broker, as this node knows it now. Called
     * from module callbacks ({@link io.switchboard.api.HostServices#isOnline}) when {@code user} is not online on
     * this node: it must answer from what the peer holds locally, never wait on the network. A peer that shares no
     * presence need not implement it.
     *
     * @return {@code false} unless another member reported the user online and is still a member
     * @since 2.4
     */
    default boolean onlineElsewhere(String user) {
        return false;
    }

    /**
     * The session of {@code clientId} is leaving this node ({@link ClientSession#release}): if another node is taking
     * it over, the returned stage completes once every node routes that session's messages to the new node. Until
     * then the core keeps the session's subscriptions here and hands what they match to {@link #relayConfirmed} instead of
     * the session, so that nothing published during the move is lost. Called once, before the session leaves.
     *
     * @return when the relay may end, or {@code null} when the session is not moving to another node (its
     *         subscriptions go at once)
     * @since 2.5
     */
    default CompletionStage<Void> leaving(String clientId) {
        return null;
    }

    /**
     * A message for the session of {@code clientId}, which is moving to another node ({@link #leaving}): carry it
     * there, where it reaches the session once restored (through its subscriptions; with {@code sharedFilter}, only
     * through that shared subscription). Relayed messages of one publisher reach the session in the order of the
     * calls. Must not block.
     *
     * @param message the message as it reached this node's routing: as the chain left it here, or as another node
     *        forwarded it (with that node's id, so the node taking the session can tell a message it also got
     *        directly); the node taking the session runs its delivery chain
     * @param orderKey the order key it was routed with (the publisher's client id here; as given to
     *        {@link Broker#deliverForwarded} for another node's message), or {@code null} when not known
     * @param sharedFilter the shared subscription ({@code $share/group/filter}) the message came through, or
     *        {@code null} for the session's plain subscriptions
     * @return false when no move of {@code clientId} is known any more: the message is not delivered to it
     * @since 2.5
     */
    default boolean relay(String clientId, Message message, String orderKey, String sharedFilter) {
        return false;
    }

    /**
     * Forwards again a QoS 2 message whose {@link #forward} failed with a {@link ForwardingException} that
     * {@linkplain ForwardingException#canForwardAgain() can forward again} (this peer kept it): to the nodes that did
     * not accept it the first time (as the routes are now), and for the shared subscriptions whose chosen node did not
     * accept it, to a node serving them now; not again to this node's own subscribers. Called on the front door's
     * thread when the client sends the message again, before its later publishes reach {@link #forward}; must not
     * block.
     *
     * @param messageId the message's id, as {@link ForwardingException#messageId()} gave it
     * @param orderKey the publisher, as given to {@link #forward}
     * @return completes when every node it went to accepted it, fails as {@link Forwarding#accepted()} does (maybe with
     *         a new {@link ForwardingException} that can forward again); {@code null} when this peer does not keep the
     *         message (any more)
     * @since 2.8
     */
    default CompletionStage<Void> forwardAgain(long messageId, String orderKey) {
        return null;
    }

    /**
     * Like {@link #relay}, and says when the node taking the session has the message: the core acknowledges a QoS 1
     * or 2 message to its publisher (or confirms it to the node it came from) only once every relay of it completed,
     * so that a node dying during a move loses no acknowledged message. The core calls this method, not
     * {@link #relay}; the default relays with {@link #relay} and confirms at once.
     *
     * @return a stage that completes when the node taking the session handed the message to it and stored it, or
     *         fails with a {@link ForwardingException} when that node refused it, left, or did not confirm in time
     *         (the publisher is not acknowledged and sends it again); {@code null} when no move of {@code clientId}
     *         is known any more (the message is not delivered to it)
     * @since 2.7
     */
    default CompletionStage<Void> relayConfirmed(String clientId, Message message, String orderKey,
            String sharedFilter) {
        return relay(clientId, message, orderKey, sharedFilter) ? CompletableFuture.completedStage(null) : null;
    }
}
