package io.switchboard.testkit;

import java.time.Duration;
import java.util.concurrent.CompletionStage;

import io.switchboard.api.Admission;
import io.switchboard.api.ReasonCode;

/**
 * A module's {@link Admission} of a connection, TLS handshake, login or subscription, with assertions that
 * wait (up to the probe's timeout) for a {@code later} admission:
 *
 * <pre>{@code
 * probe.login(FakeLogin.of("alice", "secret")).assertAccepted();
 * probe.login(FakeLogin.of("alice", "wrong")).assertRefused(ReasonCode.BAD_USER_NAME_OR_PASSWORD);
 * }</pre>
 */
public final class AdmissionResult extends DecisionResult<Admission> {

    AdmissionResult(String call, Admission immediate, Throwable thrown, Duration timeout) {
        super(call, immediate, thrown, timeout);
    }

    @Override
    CompletionStage<Admission> stageOf(Admission decision) {
        return decision.stage();
    }

    /** The admission the callback returned, possibly {@code later}; fails if it threw. */
    public Admission admission() {
        return decision();
    }

    /** The final admission, waiting up to {@code limit} for a {@code later} one. */
    public Admission awaitAdmission(Duration limit) {
        return awaitDecision(limit);
    }

    /** The final admission, waiting up to the probe's timeout. */
    public Admission awaitAdmission() {
        return awaitDecision();
    }

    /** Asserts the final admission accepts. */
    public AdmissionResult assertAccepted() {
        Admission a = awaitAdmission();
        if (!a.isAccepted()) {
            throw unexpected("accept", a);
        }
        return this;
    }

    /**
     * Asserts the final admission accepts a login as {@code user} ({@link Admission#authenticated}), the identity the
     * broker then gives the session.
     *
     * @since 1.1
     */
    public AdmissionResult assertAuthenticated(String user) {
        Admission a = awaitAdmission();
        if (!a.isAccepted() || !user.equals(a.user())) {
            throw unexpected("accept as '" + user + "'", a);
        }
        return this;
    }

    /** Asserts the final admission refuses; returns it (its reason code and reason). */
    public Admission assertRefused() {
        Admission a = awaitAdmission();
        if (!a.isRefused()) {
            throw unexpected("refuse", a);
        }
        return a;
    }

    /** Asserts the final admission refuses with {@code code}; returns it. */
    public Admission assertRefused(ReasonCode code) {
        Admission a = assertRefused();
        if (a.reasonCode() != code) {
            throw unexpected("refuse(" + code + ")", a);
        }
        return a;
    }

    @Override
    public AdmissionResult assertPending() {
        super.assertPending();
        return this;
    }

    @Override
    public AdmissionResult assertStillPendingAfter(Duration duration) {
        super.assertStillPendingAfter(duration);
        return this;
    }
}
