package io.switchboard.core.internal.routing;

import java.util.Locale;

import io.switchboard.api.Call;
import io.switchboard.api.Message;

/** A call signal parsed from a {@code $call/<callee>/<callId>/<state>} message. */
record CallImpl(String callId, String from, String callee, State state, Message message) implements Call {

    /** The call this message signals, or {@code null} if its topic does not follow the convention. */
    static CallImpl parse(Message message) {
        String topic = message.topic();
        if (!topic.startsWith(TOPIC_PREFIX)) {
            return null;
        }
        String[] parts = topic.substring(TOPIC_PREFIX.length()).split("/", -1);
        if (parts.length != 3 || parts[0].isEmpty() || parts[1].isEmpty()) {
            return null;
        }
        try {
            State state = State.valueOf(parts[2].toUpperCase(Locale.ROOT));
            return new CallImpl(parts[1], message.from(), parts[0], state, message);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
