package io.switchboard.observability.internal;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * User names and passwords the login chain accepted lately, so that a page polling every second does not run
 * the chain (and a password hash) per request. Only a digest of the password is kept; a changed password
 * misses. One entry per user, so the table is bounded by the administrators allowed.
 */
final class VerifiedLogins {

    private record Entry(byte[] digest, long expiresNanos) {
    }

    private final Map<String, Entry> byUser = new ConcurrentHashMap<>();
    private final long rememberNanos;
    private final LongSupplier clock;

    VerifiedLogins(long rememberNanos, LongSupplier clock) {
        this.rememberNanos = rememberNanos;
        this.clock = clock;
    }

    /** Whether {@code credentials} were accepted within the remembered time. */
    boolean remembers(BasicCredentials credentials) {
        Entry e = byUser.get(credentials.user());
        return e != null && clock.getAsLong() - e.expiresNanos() < 0
                && MessageDigest.isEqual(e.digest(), digest(credentials.password()));
    }

    /** Remembers {@code credentials} as accepted now. */
    void accepted(BasicCredentials credentials) {
        if (rememberNanos > 0) {
            byUser.put(credentials.user(), new Entry(digest(credentials.password()), clock.getAsLong() + rememberNanos));
        }
    }

    /** Forgets the user's login (it was refused since). */
    void refused(BasicCredentials credentials) {
        byUser.remove(credentials.user());
    }

    private static byte[] digest(byte[] password) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(password);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }
}
