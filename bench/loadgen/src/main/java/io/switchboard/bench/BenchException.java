package io.switchboard.bench;

/** A run that could not be done or completed (broker unreachable, silent, closed the connection). */
final class BenchException extends RuntimeException {
    BenchException(String message) {
        super(message);
    }

    BenchException(String message, Throwable cause) {
        super(message, cause);
    }
}
