package io.switchboard.module.auth.internal;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
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
        PasswordFile p = passwords;
        Stamp ps = passwordStamp;
        AclFile a = acl;
        Stamp as = aclStamp;
        if (passwordPath != null && !Objects.equals(Stamp.of(passwordPath), passwordStamp)) {
            ps = Stamp.of(passwordPath);
            try {
                p = PasswordFile.read(passwordPath);
                problems.applied(passwordPath);
            } catch (AuthFileException e) {
                problems.report(e);
            }
        }
        if (aclPath != null && !Objects.equals(Stamp.of(aclPath), aclStamp)) {
            as = Stamp.of(aclPath);
            try {
                a = AclFile.read(aclPath);
                problems.applied(aclPath);
            } catch (AuthFileException e) {
                problems.report(e);
            }
        }
        return p == passwords && a == acl && ps == passwordStamp && as == aclStamp ? this
                : new AuthRules(passwordPath, p, ps, aclPath, a, as);
    }
}
