package io.switchboard.core.internal.chain;

import io.switchboard.api.Decision;

/** A module's decision with its reason, as observers get it. */
public record DecisionImpl(Subject subject, String module, boolean accepted, String reason, String clientId, String user,
        String topic, long timestamp) implements Decision {

    /** What a run decides on: the subject, whose it is and its topic ({@code null} for a login). */
    public record About(Subject subject, String clientId, String user, String topic) {
    }
}
