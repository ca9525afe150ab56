package io.switchboard.store.internal;

import java.nio.file.Path;

/** The store cannot be opened: says where it is, why, and what an operator can do. */
final class StoreOpenException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    StoreOpenException(Path dir, Throwable cause) {
        super("cannot open the broker's store " + dir + ": " + cause.getMessage() + ". If another Switchboard uses it, stop"
                + " that one; if it is damaged, move the directory away to start with an empty state (or restore it from a"
                + " backup); to run without persistence set persistence=false in configadmin/io.switchboard.store.cfg",
                cause);
    }
}
