package io.switchboard.testkit;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;

import org.opentest4j.AssertionFailedError;

import io.switchboard.api.Message;
import io.switchboard.api.ReasonCode;
import io.switchboard.api.Verdict;

/**
 * A module's {@link Verdict} on one message ({@code onMessage}, {@code onDelivery}, {@code onCall}), with
 * assertions that wait (up to the probe's timeout) for a {@code later} verdict:
 *
 * <pre>{@code
 * probe.message(msg).from(alice).assertPassed();
 * probe.message(msg).from(alice).assertConsumed(ReasonCode.QUOTA_EXCEEDED);
 * Message changed = probe.message(msg).from(alice).assertReplaced();
 * probe.message(msg).from(alice).assertReplacedWithPayload("hola");
 * Verdict v = probe.message(msg).from(alice).awaitVerdict(Duration.ofSeconds(2));
 * }</pre>
 */
public final class VerdictResult extends DecisionResult<Verdict> {

    private final Message message;

    VerdictResult(String call, Message message, Verdict immediate, Throwable thrown, Duration timeout) {
        super(call, immediate, thrown, timeout);
        this.message = message;
    }

    @Override
    CompletionStage<Verdict> stageOf(Verdict decision) {
        return decision.kind() == Verdict.Kind.LATER ? decision.stage() : null;
    }

    /** The message the module was given. */
    public Message message() {
        return message;
    }

    /** The verdict the callback returned, possibly {@code later}; fails if it threw. */
    public Verdict verdict() {
        return decision();
    }

    /** The final verdict, waiting up to {@code limit} for a {@code later} one; see {@link #awaitDecision(Duration)}. */
    public Verdict awaitVerdict(Duration limit) {
        return awaitDecision(limit);
    }

    /** The final verdict, waiting up to the probe's timeout. */
    public Verdict awaitVerdict() {
        return awaitDecision();
    }

    /** Asserts the final verdict is pass. */
    public VerdictResult assertPassed() {
        Verdict v = awaitVerdict();
        if (v.kind() != Verdict.Kind.PASS) {
            throw unexpected("pass", v);
        }
        return this;
    }

    /** Asserts the final verdict is consume (with or without a reason); returns it. */
    public Verdict assertConsumed() {
        Verdict v = awaitVerdict();
        if (v.kind() != Verdict.Kind.CONSUME) {
            throw unexpected("consume", v);
        }
        return v;
    }

    /** Asserts the final verdict is consume with {@code code}; returns it (its {@link Verdict#reason()} too). */
    public Verdict assertConsumed(ReasonCode code) {
        Verdict v = assertConsumed();
        if (v.reasonCode() != code) {
            throw unexpected("consume(" + code + ")", v);
        }
        return v;
    }

    /** Asserts the final verdict is replace; returns the changed message. */
    public Message assertReplaced() {
        Verdict v = awaitVerdict();
        if (v.kind() != Verdict.Kind.REPLACE) {
            throw unexpected("replace", v);
        }
        return v.message();
    }

    /** Asserts the final verdict replaces the message with one equal to {@code expected}. */
    public Message assertReplacedWith(Message expected) {
        Message actual = assertReplaced();
        if (!Objects.equals(actual, expected)) {
            throw new AssertionFailedError("expected " + call() + " to replace the message with " + expected
                    + ", but it replaced it with " + actual, expected, actual);
        }
        return actual;
    }

    /** Asserts the final verdict replaces the message with one whose UTF-8 payload is {@code text}. */
    public Message assertReplacedWithPayload(String text) {
        Message actual = assertReplaced();
        if (!actual.payloadText().equals(text)) {
            throw new AssertionFailedError("expected " + call() + " to replace the payload with '" + text
                    + "', but it replaced it with '" + actual.payloadText() + "'", text, actual.payloadText());
        }
        return actual;
    }

    /** Asserts the final verdict is replace and runs {@code check} (e.g. AssertJ assertions) on the changed message. */
    public Message assertReplaced(Consumer<Message> check) {
        Message actual = assertReplaced();
        check.accept(actual);
        return actual;
    }

    /**
     * What the next module in the chain would see: the message for pass, the changed message for replace,
     * {@code null} for consume (waiting for a {@code later} verdict).
     */
    public Message messageAfter() {
        Verdict v = awaitVerdict();
        return switch (v.kind()) {
            case PASS -> message;
            case REPLACE -> v.message();
            default -> null;
        };
    }

    @Override
    public VerdictResult assertPending() {
        super.assertPending();
        return this;
    }

    @Override
    public VerdictResult assertStillPendingAfter(Duration duration) {
        super.assertStillPendingAfter(duration);
        return this;
    }
}
