package io.switchboard.testkit;

import java.util.Locale;
import java.util.Objects;

import io.switchboard.api.Call;
import io.switchboard.api.Message;

/**
 * A {@link Call} double following the API's topic convention {@code $call/<callee>/<callId>/<state>}:
 * {@code FakeCall.setup("alice", "bob", "c1")} is alice calling bob, carried by a message to
 * {@code $call/bob/c1/setup} from alice; {@code FakeCall.signal(State.ENDED, "bob", "bob", "c1")} is bob
 * hanging up.
 */
public final class FakeCall implements Call {

    private final String callId;
    private final String from;
    private final String callee;
    private final State state;
    private final Message message;

    private FakeCall(String callId, String from, String callee, State state, Message message) {
        this.callId = callId;
        this.from = from;
        this.callee = callee;
        this.state = state;
        this.message = message;
    }

    /** {@code caller} sets up call {@code callId} to {@code callee}. */
    public static FakeCall setup(String caller, String callee, String callId) {
        return signal(State.SETUP, caller, callee, callId);
    }

    /** A signal of {@code state} sent by {@code from} about call {@code callId} to {@code callee}. */
    public static FakeCall signal(State state, String from, String callee, String callId) {
        Objects.requireNonNull(state, "state");
        String topic = TOPIC_PREFIX + callee + "/" + callId + "/" + state.name().toLowerCase(Locale.ROOT);
        return new FakeCall(callId, from, callee, state, TestMessages.builder(topic).from(from).build());
    }

    /**
     * The call {@code message} signals, read as the broker reads it.
     *
     * @throws IllegalArgumentException if its topic does not follow the convention
     */
    public static FakeCall of(Message message) {
        String topic = message.topic();
        String[] parts = topic.startsWith(TOPIC_PREFIX) ? topic.substring(TOPIC_PREFIX.length()).split("/", -1) : new String[0];
        if (parts.length != 3 || parts[0].isEmpty() || parts[1].isEmpty()) {
            throw new IllegalArgumentException("not a call topic ($call/<callee>/<callId>/<state>): " + topic);
        }
        State state;
        try {
            state = State.valueOf(parts[2].toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown call state '" + parts[2] + "' in " + topic, e);
        }
        return new FakeCall(parts[1], message.from(), parts[0], state, message);
    }

    @Override
    public String callId() {
        return callId;
    }

    @Override
    public String from() {
        return from;
    }

    @Override
    public String callee() {
        return callee;
    }

    @Override
    public State state() {
        return state;
    }

    @Override
    public Message message() {
        return message;
    }

    @Override
    public String toString() {
        return "FakeCall[" + callId + " " + state + " " + from + " -> " + callee + "]";
    }
}
