package io.switchboard.api.admin;

import java.util.List;

/**
 * A module's counters since it joined the chain. Each call counts once, in one of passes, consumes, replaces,
 * errors and timeouts, so they add up to {@code calls}: when the module throws or runs late, its failure
 * policy decides the message, and the call counts as an error or a timeout, not as the policy's pass or
 * consume.
 *
 * @param calls callbacks made
 * @param passes decisions the module made to pass (or accept), and observation callbacks ({@code onStatus},
 *        session events...) that returned normally
 * @param consumes decisions the module made to consume (or refuse)
 * @param replaces decisions the module made to pass a changed message
 * @param errors callbacks that threw, returned null, or whose asynchronous decision failed
 * @param timeouts decisions that exceeded the time budget (late, or cut off by the watchdog for blocking)
 * @param totalNanos time spent deciding, asynchronous waits included
 * @param maxNanos the longest decision
 * @param durationCounts how many calls took how long: element {@code i} counts the calls that took more than
 *        bound {@code i - 1} and at most bound {@code i} of {@link #DURATION_BOUNDS_NANOS}, the last element those
 *        longer than every bound; so one more element than there are bounds, adding up to {@code calls}. Empty
 *        when the broker keeps no distribution (since 1.1)
 */
public record ModuleCounters(long calls, long passes, long consumes, long replaces, long errors, long timeouts,
        long totalNanos, long maxNanos, List<Long> durationCounts) {

    /**
     * The upper bounds, in nanoseconds, of the duration buckets of {@link #durationCounts()}: 1 µs to 5 s in
     * steps of 1, 2.5 and 5 (since 1.1).
     */
    public static final List<Long> DURATION_BOUNDS_NANOS = List.of(1_000L, 2_500L, 5_000L, 10_000L, 25_000L,
            50_000L, 100_000L, 250_000L, 500_000L, 1_000_000L, 2_500_000L, 5_000_000L, 10_000_000L, 25_000_000L,
            50_000_000L, 100_000_000L, 250_000_000L, 500_000_000L, 1_000_000_000L, 2_500_000_000L, 5_000_000_000L);

    /**
     * Checks the duration counts and keeps an unmodifiable copy.
     *
     * @throws IllegalArgumentException if {@code durationCounts} is neither empty nor one longer than the bounds
     */
    public ModuleCounters {
        durationCounts = List.copyOf(durationCounts);
        if (!durationCounts.isEmpty() && durationCounts.size() != DURATION_BOUNDS_NANOS.size() + 1) {
            throw new IllegalArgumentException("durationCounts needs " + (DURATION_BOUNDS_NANOS.size() + 1)
                    + " elements (one per bound and one beyond), not " + durationCounts.size());
        }
    }

    /** The constructor of admin API 1.0, kept for binary compatibility: no duration distribution. */
    public ModuleCounters(long calls, long passes, long consumes, long replaces, long errors, long timeouts,
            long totalNanos, long maxNanos) {
        this(calls, passes, consumes, replaces, errors, timeouts, totalNanos, maxNanos, List.of());
    }

    /** Mean decision time in microseconds; 0 before the first call. */
    public double meanMicros() {
        return calls == 0 ? 0 : totalNanos / 1000.0 / calls;
    }
}
