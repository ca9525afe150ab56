package io.switchboard.api;

import java.util.Objects;
import java.util.concurrent.CompletionStage;

/**
 * A module's decision about a connection, a login or a subscription: {@link #accept() accept} (optionally saying
 * why, or, for a login, {@link #authenticated(String, String) establishing who the client is}),
 * {@link #refuse(ReasonCode, String) refuse} with a reason, or decide {@link #later(CompletionStage) later}.
 */
public final class Admission {

    private static final Admission ACCEPT = new Admission(null, null, null, null);

    private final ReasonCode reasonCode;
    private final String reason;
    private final CompletionStage<Admission> stage;
    private final String user;

    private Admission(ReasonCode reasonCode, String reason, CompletionStage<Admission> stage, String user) {
        this.reasonCode = reasonCode;
        this.reason = reason;
        this.stage = stage;
        this.user = user;
    }

    /** Let the next module decide; accepted if every module accepts. */
    public static Admission accept() {
        return ACCEPT;
    }

    /**
     * Accept, saying why (e.g. the rule that allows it), for {@code sb:trace} and audit logs. A module keeping its
     * reasons in fields (one admission per rule) accepts without allocating.
     *
     * @param reason why in plain words, or {@code null} (then the same as {@link #accept()})
     * @since 1.1
     */
    public static Admission accept(String reason) {
        return reason == null ? ACCEPT : new Admission(null, reason, null, null);
    }

    /**
     * Accept a login as {@code user}: the identity this module established (a checked password, a client
     * certificate), which the broker then gives the session as {@link Session#user()} instead of any name the
     * client claimed. Meant for {@link MessageModule#onLogin}; elsewhere it is a plain acceptance. The broker
     * refuses the login when two modules establish different users, or a module establishes a reserved name
     * ({@link Session#ANONYMOUS}, or one starting with {@code module:}).
     *
     * @param user the established user name, non-empty
     * @param reason how it was established in plain words, or {@code null}
     * @since 1.1
     */
    public static Admission authenticated(String user, String reason) {
        Objects.requireNonNull(user, "user");
        if (user.isEmpty()) {
            throw new IllegalArgumentException("user must not be empty");
        }
        return new Admission(null, reason, null, user);
    }

    /**
     * Refuse. The reason code reaches the client where its protocol has a place for it (MQTT CONNACK,
     * SUBACK); the reason is logged and, for MQTT 5, sent as the reason string.
     */
    public static Admission refuse(ReasonCode code, String reason) {
        return new Admission(Objects.requireNonNull(code, "code"), reason, null, null);
    }

    /**
     * Decide later without blocking. The stage must not complete with another {@code later} admission;
     * if it fails or outlives the module's time budget, the module's failure policy decides.
     */
    public static Admission later(CompletionStage<Admission> decision) {
        return new Admission(null, null, Objects.requireNonNull(decision, "decision"), null);
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

    /**
     * Why, in plain words: the refusal's reason, or the reason an acceptance gave ({@link #accept(String)},
     * {@link #authenticated(String, String)}); {@code null} when none was given.
     */
    public String reason() {
        return reason;
    }

    /**
     * The user an {@link #authenticated(String, String) authenticated} login established, otherwise {@code null}.
     *
     * @since 1.1
     */
    public String user() {
        return user;
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
        if (reasonCode != null) {
            return "refuse(" + reasonCode + (reason == null ? "" : ": " + reason) + ")";
        }
        return (user == null ? "accept" : "accept as '" + user + "'") + (reason == null ? "" : " (" + reason + ")");
    }
}
