package io.switchboard.store.internal;

import java.nio.file.Path;

/** The store's file cannot be opened: says which file, why, and what an operator can do. */
final class StoreOpenException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    StoreOpenException(Path file, Throwable cause) {
        super("cannot open the broker's store " + file + ": " + cause.getMessage() + ". If another Switchboard uses it, stop"
                + " that one; if the file is damaged, move it away to start with an empty state (or restore it from a"
                + " backup); to run without persistence set persistence=false in configadmin/io.switchboard.store.cfg",
                cause);
    }
}
