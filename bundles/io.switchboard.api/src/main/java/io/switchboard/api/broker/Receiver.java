package io.switchboard.api.broker;

import io.switchboard.api.Message;
import org.osgi.annotation.versioning.ConsumerType;

/** Receives the messages routed to a session; implemented by the front door or in-process client. */
@ConsumerType
public interface Receiver {

    /**
     * Delivers one message. Must not block: queue or write it and report the outcome on
     * {@code delivery} when known (acknowledged, written at QoS 0, or failed).
     */
    void deliver(Message message, Delivery delivery);

    /**
     * The connection holding the session no longer does: its front door detached it
     * ({@link ClientSession#detach}, {@link ClientConnection#closed(String, boolean)}), or a login resuming the
     * session takes it over. The session stays; deliveries go on. Called in the order of the client id's logins,
     * detaches and closes, before a login resuming the session goes on; must not block.
     *
     * @since 2.1
     */
    default void detached(String reason) {
    }

    /**
     * The session ends for good (closed by its front door, its connection closed, replaced by a clean start of its
     * client id), not when the broker stops: the last call but for the outcomes of earlier deliveries. Called in the
     * order of the client id's logins, detaches and closes, while the session can still publish (a will through its
     * {@link ClientSession}); routing to it stops when this returns. Must not block.
     *
     * @since 2.1
     */
    default void closing(String reason) {
    }
}
