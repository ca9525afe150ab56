package io.switchboard.api.admin;

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
 */
public record ModuleCounters(long calls, long passes, long consumes, long replaces, long errors, long timeouts,
        long totalNanos, long maxNanos) {

    /** Mean decision time in microseconds; 0 before the first call. */
    public double meanMicros() {
        return calls == 0 ? 0 : totalNanos / 1000.0 / calls;
    }
}
