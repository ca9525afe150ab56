package io.switchboard.observability.internal;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Refused HTTP logins per remote address. After {@code maxFailures} refusals in a row, each within {@code blockNanos}
 * of the one before, the address is turned away for {@code blockNanos} without the login chain running: guessing
 * passwords over HTTP goes no faster than that, and cannot make the broker hash passwords at will. A login accepted
 * from the address clears its count. At most {@link #MAX_ADDRESSES} addresses are tracked: past that, addresses whose
 * block ended are forgotten first, and a new address is not tracked while all are current (each of its guesses
 * still costs a password check, as an MQTT CONNECT does).
 */
final class FailedLogins {

    /** Addresses tracked at once: bounds the memory many source addresses can take. */
    static final int MAX_ADDRESSES = 10_000;

    private record Failures(int count, long lastNanos) {
    }

    private final Map<String, Failures> byAddress = new ConcurrentHashMap<>();
    private final int maxFailures;
    private final long blockNanos;
    private final LongSupplier clock;

    /** @param maxFailures refusals in a row that block an address; 0: none ever does */
    FailedLogins(int maxFailures, long blockNanos, LongSupplier clock) {
        this.maxFailures = maxFailures;
        this.blockNanos = blockNanos;
        this.clock = clock;
    }

    /** How long {@code address} is still turned away, in nanoseconds; 0 if it is not. */
    long blockedFor(String address) {
        Failures f = byAddress.get(address);
        if (maxFailures == 0 || f == null || f.count() < maxFailures) {
            return 0;
        }
        return Math.max(0, f.lastNanos() + blockNanos - clock.getAsLong());
    }

    /** A login from {@code address} was refused: true if that blocks it from now on. */
    boolean refused(String address) {
        if (maxFailures == 0) {
            return false;
        }
        long now = clock.getAsLong();
        if (!byAddress.containsKey(address) && byAddress.size() >= MAX_ADDRESSES) {
            byAddress.values().removeIf(f -> now - f.lastNanos() >= blockNanos);
            if (byAddress.size() >= MAX_ADDRESSES) {
                return false;
            }
        }
        Failures f = byAddress.merge(address, new Failures(1, now),
                (old, one) -> now - old.lastNanos() < blockNanos ? new Failures(old.count() + 1, now) : one);
        return f.count() == maxFailures;
    }

    /** A login from {@code address} was accepted: its refusals are forgotten. */
    void accepted(String address) {
        byAddress.remove(address);
    }
}
