package io.switchboard.module.auth.internal;

import java.nio.file.Path;

/** A password or ACL file that cannot be used: names the file and, for a bad line, its number. */
final class AuthFileException extends Exception {

    private static final long serialVersionUID = 1L;

    AuthFileException(Path file, int line, String problem) {
        super(file + (line > 0 ? ":" + line : "") + ": " + problem);
    }
}
