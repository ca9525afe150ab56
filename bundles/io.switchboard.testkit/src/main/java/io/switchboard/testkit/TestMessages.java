package io.switchboard.testkit;

import java.util.concurrent.atomic.AtomicLong;

import io.switchboard.api.Message;

/**
 * Messages as the chain sees them: stamped with a unique id and the current time, as the broker stamps
 * an accepted message. {@code TestMessages.text("alice", "chat/room", "hello")}; for anything else,
 * {@code TestMessages.builder("chat/room").qos(1).userProperty("lang", "en").payload("hi").build()}.
 */
public final class TestMessages {

    private static final AtomicLong IDS = new AtomicLong(1_000_000);

    private TestMessages() {
    }

    /** A QoS 0 UTF-8 text message to {@code topic} from {@code from}. */
    public static Message text(String from, String topic, String text) {
        return builder(topic).from(from).payload(text).build();
    }

    /** A QoS 0 UTF-8 text message to {@code topic} from {@code user}. */
    public static Message text(String topic, String text) {
        return text("user", topic, text);
    }

    /** A QoS 0 binary message to {@code topic} from {@code from} (payload format indicator unset). */
    public static Message binary(String from, String topic, byte[] payload) {
        return builder(topic).from(from).payload(payload).build();
    }

    /** A builder for {@code topic} with a fresh id and the current time already set. */
    public static Message.Builder builder(String topic) {
        return stamp(Message.builder(topic));
    }

    /** Stamps {@code message} like the broker: a fresh id and the current time (its other values kept). */
    public static Message accepted(Message message) {
        return stamp(message.toBuilder()).build();
    }

    private static Message.Builder stamp(Message.Builder builder) {
        return builder.id(IDS.getAndIncrement()).timestamp(System.currentTimeMillis());
    }
}
