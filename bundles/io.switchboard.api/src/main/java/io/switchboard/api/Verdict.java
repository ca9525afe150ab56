package io.switchboard.api;

import java.util.Objects;
import java.util.concurrent.CompletionStage;

/**
 * A module's decision about a message: {@link #pass() pass} it on, {@link #consume() consume} it,
 * pass a {@link #replace(Message) changed} copy, or decide {@link #later(CompletionStage) later}.
 * Instances are immutable; {@link #pass()} and {@link #consume()} allocate nothing.
 */
public final class Verdict {

    /** What the broker does with the message. */
    public enum Kind {
        /** Hand the message, unchanged, to the next module. */
        PASS,
        /** Stop here: no later module and no subscriber sees the message. */
        CONSUME,
        /** Hand {@link Verdict#message()} to the next module instead of the original. */
        REPLACE,
        /** The decision comes when {@link Verdict#stage()} completes. */
        LATER
    }

    private static final Verdict PASS = new Verdict(Kind.PASS, null, null, null, null);
    private static final Verdict CONSUME = new Verdict(Kind.CONSUME, null, null, null, null);

    private final Kind kind;
    private final Message message;
    private final ReasonCode reasonCode;
    private final String reason;
    private final CompletionStage<Verdict> stage;

    private Verdict(Kind kind, Message message, ReasonCode reasonCode, String reason, CompletionStage<Verdict> stage) {
        this.kind = kind;
        this.message = message;
        this.reasonCode = reasonCode;
        this.reason = reason;
        this.stage = stage;
    }

    /** Pass the message on unchanged. */
    public static Verdict pass() {
        return PASS;
    }

    /**
     * Pass the message on unchanged, saying why (e.g. the rule that allows it), for {@code sb:trace} and audit
     * logs. Build such verdicts once (one per rule) and return them, so that passing allocates nothing.
     *
     * @param reason why in plain words, or {@code null} (then the same as {@link #pass()})
     * @since 1.1
     */
    public static Verdict pass(String reason) {
        return reason == null ? PASS : new Verdict(Kind.PASS, null, null, reason, null);
    }

    /** Consume the message silently: the publisher sees it accepted. */
    public static Verdict consume() {
        return CONSUME;
    }

    /**
     * Consume the message and tell the publisher why, where its protocol allows (an MQTT 5 PUBACK/PUBREC
     * reason code and reason string).
     */
    public static Verdict consume(ReasonCode code, String reason) {
        return new Verdict(Kind.CONSUME, null, Objects.requireNonNull(code, "code"), reason, null);
    }

    /** Pass {@code changed} on instead of the message this module received. */
    public static Verdict replace(Message changed) {
        return new Verdict(Kind.REPLACE, Objects.requireNonNull(changed, "changed"), null, null, null);
    }

    /**
     * Decide later without blocking: the chain continues when {@code decision} completes. The stage
     * must not complete with another {@code later} verdict; if it fails or outlives the module's time
     * budget, the module's failure policy decides.
     */
    public static Verdict later(CompletionStage<Verdict> decision) {
        return new Verdict(Kind.LATER, null, null, null, Objects.requireNonNull(decision, "decision"));
    }

    /** The kind of decision. */
    public Kind kind() {
        return kind;
    }

    /** The changed message of a {@link Kind#REPLACE} verdict, otherwise {@code null}. */
    public Message message() {
        return message;
    }

    /** The reason code of a {@link Kind#CONSUME} verdict given one, otherwise {@code null}. */
    public ReasonCode reasonCode() {
        return reasonCode;
    }

    /**
     * The reason in plain words given with {@link #consume(ReasonCode, String)} or {@link #pass(String)}, otherwise
     * {@code null}.
     */
    public String reason() {
        return reason;
    }

    /** The pending decision of a {@link Kind#LATER} verdict, otherwise {@code null}. */
    public CompletionStage<Verdict> stage() {
        return stage;
    }

    @Override
    public String toString() {
        return switch (kind) {
            case PASS -> reason == null ? "pass" : "pass (" + reason + ")";
            case CONSUME -> reasonCode == null ? "consume" : "consume(" + reasonCode + (reason == null ? "" : ": " + reason) + ")";
            case REPLACE -> "replace";
            case LATER -> "later";
        };
    }
}
