package io.switchboard.mqtt.internal.protocol;

import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/** Failures as log lines and reason strings show them. */
final class Failures {

    private Failures() {
    }

    /** The cause a completion stage or future wraps. */
    static Throwable unwrap(Throwable t) {
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    /** The message of {@code cause}, else its type. */
    static String describe(Throwable cause) {
        return cause == null ? "?" : cause.getMessage() != null ? cause.getMessage() : cause.toString();
    }
}
