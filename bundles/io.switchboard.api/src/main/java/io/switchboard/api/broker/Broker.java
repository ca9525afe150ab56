package io.switchboard.api.broker;

import java.net.InetSocketAddress;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.function.BiConsumer;
import java.util.function.BiPredicate;
import java.util.function.UnaryOperator;

import io.switchboard.api.Message;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The broker, as a protocol front door or an in-process client uses it. Registered as a service by
 * the core. All methods return at once; their stages complete when the module chain has decided.
 */
@ProviderType
public interface Broker {

    /**
     * A network connection was accepted: runs the connect chain.
     *
     * @return completes with the admitted connection, or exceptionally with {@link RefusedException}
     */
    CompletionStage<ClientConnection> accept(InetSocketAddress remote, InetSocketAddress local, String listener);

    /**
     * Logs a client in and opens its session: runs the login chain, then the session-open chain. If a
     * session with the same client id exists, a login with {@link LoginRequest#cleanStart()} false
     * resumes it (its subscriptions stay; it delivers to {@code receiver} from now on; the receiver that
     * served the connection holding it, if still online, is told with {@link Receiver#detached}), and a
     * clean login ends it ("session taken over", {@link Receiver#closing}) and opens a new one. Logins,
     * detaches and closes of one client id take effect one after another, in the order they were asked for.
     *
     * @param request who logs in, on which connection ({@code null} connection: an in-process client)
     * @param receiver receives the messages routed to the session
     * @return completes with the open session, or exceptionally with {@link RefusedException}
     */
    CompletionStage<ClientSession> login(LoginRequest request, Receiver receiver);

    /**
     * Logs in like {@link #login(LoginRequest, Receiver)}, for a front door that keeps its own state of a session
     * in the session's receiver (MQTT: queued and in-flight messages, packet ids), so that the broker's session is
     * the one place to find it. The logins, detaches and closes of one client id are taken one after another; this
     * login's turn ends when {@code then} returns, so the front door's part of it (taking the session over from the
     * connection that held it, answering the client) cannot overlap another login of the client id.
     *
     * @param receiverFor gives the receiver the session delivers to from now on; called in the login's turn with
     *        the receiver of the session it resumes, or {@code null} for a new session
     * @param then called in the login's turn with the open session, or with the failure ({@link RefusedException}
     *        when a module refused the login)
     * @since 2.1
     */
    void login(LoginRequest request, UnaryOperator<Receiver> receiverFor, BiConsumer<ClientSession, Throwable> then);

    /**
     * Checks who a client is without logging it in, for a front door that authenticates each request (HTTP
     * administration): runs the login chain as {@link #login} does (modules see an ordinary login and observers
     * hear the decision), but opens, resumes and ends no session.
     *
     * @param request who claims to be whom, on which connection (admitted with {@link #accept})
     * @return completes with the user a module established ({@link io.switchboard.api.Admission#authenticated}), or
     *         exceptionally with {@link RefusedException} when the chain refused the login, or accepted it without
     *         any module vouching for a user (an anonymous client has no identity to check)
     * @since 2.1
     */
    CompletionStage<String> authenticate(LoginRequest request);

    /**
     * Re-creates a persistent session a front door recovered from its store after a restart: offline, with
     * its subscriptions in place, delivering to {@code receiver}, without running any chain (the modules
     * saw the login and the subscriptions before the restart, and retained messages are not sent again).
     * A later {@link #login} of the client id with {@link LoginRequest#cleanStart()} false resumes it like
     * any kept session; {@link ClientSession#close} ends it.
     *
     * @throws IllegalStateException if a session of that client id exists already
     * @throws IllegalArgumentException if a subscription's topic filter is not valid
     */
    ClientSession restore(RestoredSession session, Receiver receiver);

    /**
     * Delivers a message another node of the broker routed ({@link ClusterPeer#routed}) to this node's matching
     * subscribers, without running the message chain again (it ran once, on the node the message entered); the
     * delivery chain runs for each recipient as for any message. Of the shared subscriptions, only those in
     * {@code sharedHere} are served (one member of each group, as for a local publish): the node the message
     * entered chose this node for them. A retained message is kept as retained here too (an empty retained
     * payload clears the topic). Messages with the same {@code orderKey} are handed to the subscribers in the
     * order of these calls. Returns at once.
     *
     * @param message the message as the other node's chain left it
     * @param orderKey the publisher, as given to {@link ClusterPeer#routed}
     * @param sharedHere the shared subscriptions ({@code $share/group/filter}) this node serves for this message
     * @since 2.2
     */
    void deliverForwarded(Message message, String orderKey, Set<String> sharedHere);

    /**
     * Delivers like {@link #deliverForwarded}, and says when the message was handed to every matching session
     * (their front doors have queued it, and queued its write to the store for persistent sessions), so that the
     * cluster can confirm it to the node it entered once the store wrote it. Since 2.7 it also waits until what was
     * relayed of it to sessions moving away confirmed ({@link ClusterPeer#relayConfirmed}).
     *
     * @return completes with the number of sessions it was handed to; fails when a relay of it failed
     * @since 2.3
     */
    CompletionStage<Integer> acceptForwarded(Message message, String orderKey, Set<String> sharedHere);

    /**
     * Like {@link #acceptForwarded(Message, String, Set)}, but not through the plain (not shared) subscriptions of the
     * sessions of {@code notTo}: they have this message already, relayed to them while they moved to this node
     * ({@link ClusterPeer#relayConfirmed}). The default ignores {@code notTo}, so those sessions may get it twice.
     *
     * @param notTo the client ids of the sessions that have the message already
     * @return completes with the number of sessions it was handed to
     * @since 2.6
     */
    default CompletionStage<Integer> acceptForwarded(Message message, String orderKey, Set<String> sharedHere,
            Set<String> notTo) {
        return acceptForwarded(message, orderKey, sharedHere);
    }

    /**
     * Delivers a message another node routed to this node's members of the shared subscriptions {@code sharedHere}
     * only (one member of each group, as {@link #acceptForwarded} does for them), not through plain subscriptions and
     * not retained again: a message forwarded again ({@link ClusterPeer#forwardAgain}) to a node that had accepted it
     * the first time, for the groups whose chosen node had not.
     *
     * @return completes with the number of sessions it was handed to
     * @since 2.8
     */
    CompletionStage<Integer> deliverShared(Message message, String orderKey, Set<String> sharedHere);

    /**
     * Delivers a message another node routed, or this node's cluster held, to one session only: the session of
     * {@code clientId}, through its subscriptions matching the message's topic (one delivery at the highest QoS of
     * them, as for any message; of its shared subscriptions only those in {@code sharedHere}), running only the
     * delivery chain, as {@link #deliverForwarded} does for every session. For a cluster that kept the messages
     * published for a session while the session was on its way to this node (its node died), to hand them to it once
     * it is here ({@link #restore}). Messages with the same {@code orderKey} are handed over in the order of these
     * calls, and in order with {@link #deliverForwarded} of that key; a key that is the client id of a session on
     * this node (a publisher here) in order with that session's own publishes.
     *
     * @param clientId the session's client id
     * @param message the message as the chain of the node it entered left it
     * @param orderKey the publisher, as given to {@link ClusterPeer#routed}
     * @param sharedHere the shared subscriptions ({@code $share/group/filter}) this delivery may go through
     * @return completes with 1 once the message was handed to the session (its front door queued it, and its store
     *         write for a persistent session), or 0 when there is no such session, none of its subscriptions matches,
     *         or a delivery module consumed it
     * @since 2.4
     */
    CompletionStage<Integer> deliverTo(String clientId, Message message, String orderKey, Set<String> sharedHere);

    /**
     * The session of {@code clientId}, about to be restored here ({@link #restore}), first gets the messages it missed
     * ({@link #deliverTo}): until {@link #releaseDeliveries} the broker keeps, in order, what routing would deliver to
     * it, so that no message published after those it missed overtakes them; {@link #deliverTo} still delivers at
     * once. Call before the restore; a later call for a session already here holds from then on.
     *
     * @since 2.5
     */
    default void holdDeliveries(String clientId) {
    }

    /**
     * Delivers what {@link #holdDeliveries} kept for the session of {@code clientId}, in the order routing handed it,
     * and from now on routes to it directly. Call once every {@link #deliverTo} of its hand-over completed (or failed).
     * A kept message the hand-over delivered too is not delivered again: one given to {@link #deliverTo} as the
     * same object routing got ({@link #acceptForwarded}, {@link #deliverForwarded}, {@link ClusterPeer#forward}),
     * i.e. a message that raced the session's restore reaches it once.
     *
     * @since 2.5
     */
    default void releaseDeliveries(String clientId) {
    }

    /**
     * Like {@link #releaseDeliveries(String)}, but a kept message that {@code had} accepts is not delivered: the
     * session has it already, another way (relayed to it while it moved to this node, {@link #deliverTo}).
     *
     * @param had gets each kept message as routing got it, and its publisher's order key (null when not known: a
     *        retained message), on the calling thread, in order; true: drop it
     * @since 2.9
     */
    void releaseDeliveries(String clientId, BiPredicate<Message, String> had);

    /**
     * Completes once every message handed to this broker to route before this call has been routed: matched, and
     * handed to the sessions here, forwarded ({@link ClusterPeer#forward}) or relayed ({@link ClusterPeer#relayConfirmed})
     * as routing decided. This covers {@link #deliverForwarded}, {@link #acceptForwarded}, {@link #deliverShared},
     * {@link #deliverTo} and the publishes whose chain had passed them; a publish still in its chain is routed later.
     * A cluster puts a marker behind what this node routed by an older view of the other nodes' routes.
     *
     * @since 2.9
     */
    CompletionStage<Void> routedSoFar();
}
