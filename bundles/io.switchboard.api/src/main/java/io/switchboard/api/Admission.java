package io.switchboard.api;

import java.util.Objects;
import java.util.concurrent.CompletionStage;

/**
 * A module's decision about a connection, a login or a subscription: {@link #accept() accept},
 * {@link #refuse(ReasonCode, String) refuse} with a reason, or decide {@link #later(CompletionStage) later}.
 */
public final class Admission {

    private static final Admission ACCEPT = new Admission(null, null, null);

    private final ReasonCode reasonCode;
    private final String reason;
    private final CompletionStage<Admission> stage;

    private Admission(ReasonCode reasonCode, String reason, CompletionStage<Admission> stage) {
        this.reasonCode = reasonCode;
        this.reason = reason;
        this.stage = stage;
    }

    /** Let the next module decide; accepted if every module accepts. */
    public static Admission accept() {
        return ACCEPT;
    }

    /**
     * Refuse. The reason code reaches the client where its protocol has a place for it (MQTT CONNACK,
     * SUBACK); the reason is logged and, for MQTT 5, sent as the reason string.
     */
    public static Admission refuse(ReasonCode code, String reason) {
        return new Admission(Objects.requireNonNull(code, "code"), reason, null);
    }

    /**
     * Decide later without blocking. The stage must not complete with another {@code later} admission;
     * if it fails or outlives the module's time budget, the module's failure policy decides.
     */
    public static Admission later(CompletionStage<Admission> decision) {
        return new Admission(null, null, Objects.requireNonNull(decision, "decision"));
    }

    /** Whether this is an acceptance. */
    public boolean isAccepted() {
        return reasonCode == null && stage == null;
    }

    /** Whether this is a refusal. */
    public boolean isRefused() {
        return reasonCode != null;
    }

    /** The refusal's reason code, or {@code null}. */
    public ReasonCode reasonCode() {
        return reasonCode;
    }

    /** The refusal's reason in plain words, or {@code null}. */
    public String reason() {
        return reason;
    }

    /** The pending decision of a {@link #later} admission, otherwise {@code null}. */
    public CompletionStage<Admission> stage() {
        return stage;
    }

    @Override
    public String toString() {
        if (stage != null) {
            return "later";
        }
        return reasonCode == null ? "accept" : "refuse(" + reasonCode + (reason == null ? "" : ": " + reason) + ")";
    }
}
