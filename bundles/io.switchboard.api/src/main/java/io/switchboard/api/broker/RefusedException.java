package io.switchboard.api.broker;

import java.util.Objects;

import io.switchboard.api.ReasonCode;

/** A module refused a connection, TLS session or login; carries the reason code for the client. */
public class RefusedException extends Exception {

    private static final long serialVersionUID = 1L;

    private final ReasonCode reasonCode;

    /** A refusal with its reason code and plain-words reason. */
    public RefusedException(ReasonCode reasonCode, String reason) {
        super(reason == null ? reasonCode.toString() : reason);
        this.reasonCode = Objects.requireNonNull(reasonCode, "reasonCode");
    }

    /** The reason code to give the client. */
    public ReasonCode reasonCode() {
        return reasonCode;
    }
}
