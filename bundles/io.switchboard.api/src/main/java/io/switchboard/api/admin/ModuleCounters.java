package io.switchboard.api.admin;

/**
 * A module's counters since it joined the chain.
 *
 * @param calls callbacks made
 * @param passes decisions to pass (or accept)
 * @param consumes decisions to consume (or refuse)
 * @param replaces decisions to pass a changed message
 * @param errors callbacks that threw or whose asynchronous decision failed
 * @param timeouts decisions that exceeded the time budget
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
