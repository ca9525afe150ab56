package io.switchboard.module.auth.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Objects;

/**
 * The files in force: a password file and an ACL file, each with the stamp (modification time and size)
 * it was read at. {@link #reloaded} reads a file again only when its stamp changed, and keeps the last
 * good rules of a file that fails to read.
 */
record AuthRules(Path passwordPath, PasswordFile passwords, Stamp passwordStamp, Path aclPath, AclFile acl,
        Stamp aclStamp) {

    /** When and how large a file was; a missing file has no stamp. */
    record Stamp(FileTime modified, long size) {
        static Stamp of(Path file) {
            try {
                return new Stamp(Files.getLastModifiedTime(file), Files.size(file));
            } catch (java.io.IOException e) {
                return null;
            }
        }
    }

    /** Reads both files; a file that cannot be used fails. */
    static AuthRules read(Path passwordPath, Path aclPath) throws AuthFileException {
        Stamp ps = passwordPath == null ? null : Stamp.of(passwordPath);
        PasswordFile passwords = passwordPath == null ? null : PasswordFile.read(passwordPath);
        Stamp as = aclPath == null ? null : Stamp.of(aclPath);
        AclFile acl = aclPath == null ? null : AclFile.read(aclPath);
        return new AuthRules(passwordPath, passwords, ps, aclPath, acl, as);
    }

    /** Whether the broker checks passwords (a password file is configured). */
    boolean checksPasswords() {
        return passwords != null;
    }

    /** What to do when a file changed and cannot be used. */
    interface Problems {
        void report(AuthFileException problem);

        void applied(Path file);
    }

    /** These rules with every changed file read again; a file that fails keeps its last good rules. */
    AuthRules reloaded(Problems problems) {
        Loaded<PasswordFile> p = reread(passwordPath, passwords, passwordStamp, PasswordFile::read, problems);
        Loaded<AclFile> a = reread(aclPath, acl, aclStamp, AclFile::read, problems);
        return p.value() == passwords && a.value() == acl && p.stamp() == passwordStamp && a.stamp() == aclStamp ? this
                : new AuthRules(passwordPath, p.value(), p.stamp(), aclPath, a.value(), a.stamp());
    }

    private interface Reader<T> {
        T read(Path file) throws AuthFileException;
    }

    private record Loaded<T>(T value, Stamp stamp) {
    }

    private static <T> Loaded<T> reread(Path path, T current, Stamp stamp, Reader<T> reader, Problems problems) {
        Stamp now = path == null ? null : Stamp.of(path);
        if (path == null || Objects.equals(now, stamp)) {
            return new Loaded<>(current, stamp);
        }
        try {
            T value = reader.read(path);
            problems.applied(path);
            return new Loaded<>(value, now);
        } catch (AuthFileException e) {
            problems.report(e);
            return new Loaded<>(current, now);
        }
    }

    /** The lines of an auth file, or why it cannot be read. */
    static List<String> lines(Path file) throws AuthFileException {
        try {
            return Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new AuthFileException(file, 0, "cannot be read: " + e);
        }
    }
}
