package io.switchboard.api.broker;

import java.util.concurrent.CompletionStage;

import io.switchboard.api.Admission;
import io.switchboard.api.Session;
import io.switchboard.api.Subscription;
import org.osgi.annotation.versioning.ProviderType;

/** A logged-in client's handle on the broker, from {@link Broker#login}. Thread-safe. */
@ProviderType
public interface ClientSession {

    /** The session, as modules see it. */
    Session session();

    /**
     * Publishes a message as this session's user: runs the inbound chain and routes the result to the
     * matching subscribers. Messages of one session pass the chain in the order they were published.
     * The broker sets the message's id, sender and timestamp.
     *
     * @return completes with the outcome once the chain decided (subscribers may still be receiving)
     */
    CompletionStage<PublishResult> publish(io.switchboard.api.Message message);

    /**
     * Sends again a message of this session whose publish failed with a {@link ForwardingException} that
     * {@linkplain ForwardingException#canForwardAgain() can forward again}: to the nodes of the broker that did not
     * accept it the first time only (not through the message chain, not to this node's subscribers, which have it).
     * For a QoS 2 publish its client sends again under the same packet id, so that each subscriber gets it exactly
     * once. In order with this session's publishes.
     *
     * @param messageId {@link ForwardingException#messageId()}
     * @return completes once every node it went to accepted it, or fails as {@link #publish} does (with a {@link
     *         ForwardingException} when a node did not accept it again); {@code null} when the broker no longer keeps
     *         the message (then publish the resend as a new message: at least once)
     * @since 2.8
     */
    default CompletionStage<Void> forwardAgain(long messageId) {
        return null;
    }

    /**
     * Subscribes: runs the subscribe chain, then adds the subscription.
     *
     * @return accepted, or refused with the reason code for this filter
     * @throws IllegalArgumentException if the topic filter is not a valid MQTT topic filter
     */
    CompletionStage<Admission> subscribe(Subscription subscription);

    /**
     * Removes a subscription, in order with this session's earlier {@link #subscribe} and {@link #publish}
     * calls (a subscribe followed by an unsubscribe of the same filter leaves no subscription), then runs
     * the unsubscribe event.
     *
     * @return completes with whether the subscription existed; fails with {@link IllegalStateException}
     *         when the session is closed
     */
    CompletionStage<Boolean> unsubscribe(String topicFilter);

    /** The client reports it read message {@code messageId}: raises a READ status. */
    void read(long messageId);

    /**
     * Whether {@link Broker#login} resumed an existing session (the client asked not to start clean and
     * the broker still had its session): its subscriptions are in place (MQTT CONNACK "session present").
     */
    boolean sessionPresent();

    /**
     * The client's connection ended but its session lives on (MQTT persistent session): runs the logout
     * and session-close events; subscriptions stay and messages keep reaching the session's
     * {@link Receiver}, which queues them for the client's return. A later login with the same client id
     * and {@link LoginRequest#cleanStart()} false resumes it; {@link #close} ends it for good. Ignored
     * when another login has taken the session over since this handle's login.
     */
    void detach(String reason);

    /**
     * Logs out and ends the session: runs the logout, session-close and session-free events. Ignored when
     * another login has taken the session over since this handle's login (since 2.1: a stale handle, e.g. a
     * front door's expiry timer, cannot end the session a returning client just resumed).
     */
    void close(String reason);

    /**
     * The front door stops and keeps the session in its own store (MQTT: a persistent session while its bundle
     * is updated): the session leaves the broker without ending for its client: its subscriptions and the
     * session-free event go, its receiver is not told, and nothing reaches it until the front door
     * {@link Broker#restore restores} it. Ignored when another login has taken the session over since this
     * handle's login.
     *
     * @return completes when the session has left the broker (a restore of its client id may follow)
     * @since 2.1
     */
    CompletionStage<Void> release(String reason);
}
