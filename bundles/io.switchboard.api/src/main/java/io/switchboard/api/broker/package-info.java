/**
 * The broker's in-process publish/subscribe entry points, used by protocol front doors (MQTT), the
 * shell and tests: accept connections, log clients in, publish, subscribe, receive deliveries. Every
 * call here runs the module chain for its event.
 *
 * <p>2.0.0: {@link io.switchboard.api.broker.ClientSession#unsubscribe} became an ordered, asynchronous step
 * (it returned a boolean at once and could overtake an earlier subscribe). Only front doors import this
 * package; modules, which import {@code io.switchboard.api}, are not affected.
 *
 * <p>2.1.0 (since the 2.0.0 release, all in this unreleased minor line): {@link io.switchboard.api.broker.Broker#restore}
 * and {@link io.switchboard.api.broker.RestoredSession} bring back persistent sessions a front door recovered from its
 * store. One session model: {@link io.switchboard.api.broker.Delivery#subscriptionIds()}: a delivery carries the
 * identifiers of the subscriptions it came through, so a front door does not match the topic against its client's
 * filters again. A front door keeping state with a session finds it as the session's receiver
 * ({@link io.switchboard.api.broker.Broker#login(LoginRequest, java.util.function.UnaryOperator,
 * java.util.function.BiConsumer)}) and hears of takeovers and ends ({@link io.switchboard.api.broker.Receiver#detached},
 * {@link io.switchboard.api.broker.Receiver#closing}) in the order the broker takes the client id's logins, detaches
 * and closes, so it needs no map or ordering of its own; {@link io.switchboard.api.broker.ClientConnection#closed(String,
 * boolean)} detaches or closes in that order. {@link io.switchboard.api.broker.Broker#authenticate} checks a user
 * through the login chain without a session (HTTP administration). Additions only (default methods where front doors implement the
 * interface), but for one narrowing: {@link io.switchboard.api.broker.ClientSession#close} of a stale handle is
 * ignored, as its detach was (ending the session of a later login through it was never meant).
 *
 * <p>2.2.0: several nodes form one broker. {@link io.switchboard.api.broker.ClusterPeer}, registered by a cluster
 * bundle, hears of each message after the chain (and picks the node serving each matching shared subscription) and
 * of this node's subscription filters; {@link io.switchboard.api.broker.Broker#deliverForwarded} delivers what
 * another node routed. Additions only.
 *
 * <p>2.3.0: persistent sessions move between nodes. {@link io.switchboard.api.broker.SessionHandover}, registered by
 * a cluster bundle, makes this node a session's owner before a login (the node that held it lets go);
 * {@link io.switchboard.api.broker.SessionHolder}, registered by a front door that keeps sessions in its store, lets
 * go of a session and takes one another node held. And acknowledged forwarding:
 * {@link io.switchboard.api.broker.ClusterPeer#forward} (a default method, so
 * existing peers still work) also returns when the other nodes accepted the message ({@link
 * io.switchboard.api.broker.Forwarding}), which the publish waits for, or {@link
 * io.switchboard.api.broker.ForwardingException}; {@link io.switchboard.api.broker.Broker#acceptForwarded} says when a
 * forwarded message reached this node's sessions. Additions only.
 *
 * <p>2.4.0: presence across nodes. {@link io.switchboard.api.broker.ClusterPeer#userOnline} and {@link
 * io.switchboard.api.broker.ClusterPeer#userOffline} tell the cluster of a user's first session online on this node
 * and of its last one going offline; {@link io.switchboard.api.broker.ClusterPeer#onlineElsewhere} answers whether
 * another node has the user online, so {@link io.switchboard.api.HostServices#isOnline} sees every node. Default
 * methods only: existing peers still work (and share no presence). And {@link io.switchboard.api.broker.Broker#deliverTo}
 * delivers a message to one named session through its subscriptions (delivery chain only), so that a cluster node
 * that adopts a dead node's persistent sessions can hand each, once restored, the messages it held for it meanwhile.
 * Additions only.
 *
 * <p>2.5.0: nothing published while a session moves between nodes is lost. {@link
 * io.switchboard.api.broker.ClusterPeer#leaving} tells the cluster that a session leaves this node and keeps its
 * subscriptions until the new node is routed to; what they match meanwhile goes to {@link
 * io.switchboard.api.broker.ClusterPeer#relay} (with the order key it was routed with, so that the new node can tell
 * a message it also got directly), and a delivery the front door gets after it let go of the session is
 * passed on with {@link io.switchboard.api.broker.Delivery#moved}. {@link io.switchboard.api.broker.Broker#holdDeliveries}
 * and {@link io.switchboard.api.broker.Broker#releaseDeliveries} keep a restored session's new messages behind the
 * hand-over of those it missed. Default methods only.
 *
 * <p>2.6.0: {@link io.switchboard.api.broker.Broker#acceptForwarded(io.switchboard.api.Message, String, java.util.Set,
 * java.util.Set)} leaves out the sessions a message was relayed to already, so that a session moving to this node gets
 * a message once even when the relay arrives before the direct copy. A default method only.
 *
 * <p>2.7.0: {@link io.switchboard.api.broker.ClusterPeer#relayConfirmed}: the core waits for the node taking a
 * moving session to confirm what is relayed to it before it acknowledges the message, so a node dying during a move
 * loses no acknowledged message. A default method only (over {@code relay}, confirming at once).
 *
 * <p>2.8.0: QoS 2 exactly once when a node fails to accept a forwarded message: {@link
 * io.switchboard.api.broker.ForwardingException#messageId()}, {@link
 * io.switchboard.api.broker.ClientSession#forwardAgain}, {@link io.switchboard.api.broker.ClusterPeer#forwardAgain}
 * and {@link io.switchboard.api.broker.Broker#deliverShared} (a provider's method: the core implements it). Additions
 * only.
 *
 * <p>2.9.0: a session moving between nodes gets each publisher's messages in order at the end of its move: {@link
 * io.switchboard.api.broker.Broker#routedSoFar} (a marker behind what a node routed) and {@link
 * io.switchboard.api.broker.Broker#releaseDeliveries(String, java.util.function.BiPredicate)} (what was kept, but
 * what the session had another way). Provider's methods: the core implements them.
 */
@Export
@Version("2.9.0")
package io.switchboard.api.broker;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
