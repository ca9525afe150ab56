package io.switchboard.testkit;

import java.util.Objects;

import io.switchboard.api.Message;
import io.switchboard.api.MessageStatus;

/**
 * A {@link MessageStatus} double: {@code FakeStatus.of(State.SENT, message)},
 * {@code FakeStatus.builder(State.DELIVERED).message(message).recipient("bob").build()}, or
 * {@code FakeStatus.builder(State.FAILED).messageId(42).topic("chat/x").from("alice").reason("no route").build()}.
 */
public final class FakeStatus implements MessageStatus {

    private final long messageId;
    private final State state;
    private final String topic;
    private final String from;
    private final String recipient;
    private final String reason;
    private final long timestamp;

    private FakeStatus(Builder b) {
        this.messageId = b.messageId;
        this.state = b.state;
        this.topic = b.topic;
        this.from = b.from;
        this.recipient = b.recipient;
        this.reason = b.reason;
        this.timestamp = b.timestamp != 0 ? b.timestamp : System.currentTimeMillis();
    }

    /** {@code state} of {@code message} (no recipient, no reason, now). */
    public static FakeStatus of(State state, Message message) {
        return builder(state).message(message).build();
    }

    /** Starts a status in {@code state}. */
    public static Builder builder(State state) {
        return new Builder(state);
    }

    @Override
    public long messageId() {
        return messageId;
    }

    @Override
    public State state() {
        return state;
    }

    @Override
    public String topic() {
        return topic;
    }

    @Override
    public String from() {
        return from;
    }

    @Override
    public String recipient() {
        return recipient;
    }

    @Override
    public String reason() {
        return reason;
    }

    @Override
    public long timestamp() {
        return timestamp;
    }

    @Override
    public String toString() {
        return "FakeStatus[" + messageId + " " + state + " " + topic + (recipient == null ? "" : " to " + recipient)
                + (reason == null ? "" : ": " + reason) + "]";
    }

    /** Builds a {@link FakeStatus}. */
    public static final class Builder {
        private final State state;
        private long messageId;
        private String topic = "topic";
        private String from;
        private String recipient;
        private String reason;
        private long timestamp;

        private Builder(State state) {
            this.state = Objects.requireNonNull(state, "state");
        }

        /** Takes the id, topic and sender from {@code message}. */
        public Builder message(Message message) {
            this.messageId = message.id();
            this.topic = message.topic();
            this.from = message.from();
            return this;
        }

        /** Sets the message id. */
        public Builder messageId(long messageId) {
            this.messageId = messageId;
            return this;
        }

        /** Sets the topic. */
        public Builder topic(String topic) {
            this.topic = topic;
            return this;
        }

        /** Sets the publisher. */
        public Builder from(String from) {
            this.from = from;
            return this;
        }

        /** Sets the recipient this status is about. */
        public Builder recipient(String recipient) {
            this.recipient = recipient;
            return this;
        }

        /** Sets why (FAILED, EXPIRED). */
        public Builder reason(String reason) {
            this.reason = reason;
            return this;
        }

        /** Sets when, in milliseconds since the epoch (default: now). */
        public Builder timestamp(long timestamp) {
            this.timestamp = timestamp;
            return this;
        }

        /** Builds the status. */
        public FakeStatus build() {
            return new FakeStatus(this);
        }
    }
}
