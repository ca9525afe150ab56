package io.switchboard.api;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Call signalling carried over ordinary messages. A message whose topic is
 * {@code $call/<callee>/<callId>/<state>} is a call event: {@code <state>} is one of
 * {@code setup}, {@code ringing}, {@code answered}, {@code rejected}, {@code busy}, {@code missed},
 * {@code ended} (case-insensitive). The caller is the message's sender. A callee receives its calls by
 * subscribing to {@code $call/<callee>/#}. A {@code setup} goes through {@link MessageModule#onCall}
 * (which may refuse it); every later state through {@link MessageModule#onCallStatus}. Call messages
 * are then routed like any other message.
 */
@ProviderType
public interface Call {

    /** Call topic prefix. */
    String TOPIC_PREFIX = "$call/";

    /** The states of a call. */
    enum State {
        /** The caller asks to set up the call. */
        SETUP,
        /** The callee's device is alerting. */
        RINGING,
        /** The callee answered. */
        ANSWERED,
        /** The callee refused. */
        REJECTED,
        /** The callee is in another call. */
        BUSY,
        /** No answer in time. */
        MISSED,
        /** Either side hung up. */
        ENDED
    }

    /** The call's id, chosen by the caller. */
    String callId();

    /** Who sends this signal (for {@link State#SETUP}, the caller). */
    String from();

    /** The callee. */
    String callee();

    /** The state this signal announces. */
    State state();

    /** The message carrying the signal. */
    Message message();
}
