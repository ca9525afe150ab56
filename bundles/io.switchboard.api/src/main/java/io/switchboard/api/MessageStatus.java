package io.switchboard.api;

import org.osgi.annotation.versioning.ProviderType;

/** A change in a message's state, seen by {@link MessageModule#onStatus}. */
@ProviderType
public interface MessageStatus {

    /** The states a message goes through. */
    enum State {
        /** The broker accepted the message from its publisher. */
        SENT,
        /** A subscriber acknowledged it (QoS 1/2) or it was written to the subscriber (QoS 0). */
        DELIVERED,
        /** A subscriber's client reported it read (a client receipt). */
        READ,
        /** It expired before it could be delivered. */
        EXPIRED,
        /** It could not be delivered or was refused; {@link MessageStatus#reason()} says why. */
        FAILED
    }

    /** The message's id. */
    long messageId();

    /** The new state. */
    State state();

    /** The message's topic. */
    String topic();

    /** The publisher. */
    String from();

    /** The recipient this status is about, or {@code null} for {@link State#SENT} and message-wide failures. */
    String recipient();

    /** Why, for {@link State#FAILED} and {@link State#EXPIRED}; otherwise {@code null}. */
    String reason();

    /** When the state changed, in milliseconds since the epoch. */
    long timestamp();
}
