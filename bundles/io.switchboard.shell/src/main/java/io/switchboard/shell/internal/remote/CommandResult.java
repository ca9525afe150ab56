package io.switchboard.shell.internal.remote;

import java.util.Objects;

/**
 * What one command run through the channel produced.
 *
 * @param status {@link #SUCCESS}, {@link #FAILED} or {@link #BAD_REQUEST}
 * @param output what the command printed, then its formatted result
 * @param error  what the command printed on stderr, then the reason it failed
 */
record CommandResult(int status, String output, String error) {

    static final int SUCCESS = 0;
    static final int FAILED = 1;
    static final int BAD_REQUEST = 2;

    CommandResult {
        Objects.requireNonNull(output, "output");
        Objects.requireNonNull(error, "error");
        if (status < SUCCESS || status > BAD_REQUEST) {
            throw new IllegalArgumentException("status " + status);
        }
    }

    static CommandResult badRequest(String reason) {
        return new CommandResult(BAD_REQUEST, "", reason);
    }
}
