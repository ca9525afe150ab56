package io.switchboard.itest.support;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Bounded waits on a condition: poll until it holds or the time is up, then fail naming what was
 * awaited and what was last seen. Tests use these instead of sleeping.
 */
public final class Await {

    /** The default bound: generous for a loaded 2-core CI machine, short enough to fail fast. */
    public static final Duration DEFAULT = Duration.ofSeconds(10);

    private static final long POLL_MILLIS = 10;

    private Await() {
    }

    /** Waits up to {@link #DEFAULT} until {@code condition} holds. */
    public static void until(String what, BooleanSupplier condition) {
        until(what, DEFAULT, condition);
    }

    /** Waits up to {@code timeout} until {@code condition} holds. */
    public static void until(String what, Duration timeout, BooleanSupplier condition) {
        value(what, timeout, () -> condition.getAsBoolean(), Boolean::booleanValue);
    }

    /** Waits up to {@link #DEFAULT} until {@code probe}'s value satisfies {@code done}; returns that value. */
    public static <T> T value(String what, Supplier<T> probe, Predicate<? super T> done) {
        return value(what, DEFAULT, probe, done);
    }

    /**
     * Waits up to {@code timeout} until {@code probe}'s value satisfies {@code done}; returns that
     * value. A probe that throws counts as "not yet"; its last exception is the failure's cause.
     */
    public static <T> T value(String what, Duration timeout, Supplier<T> probe, Predicate<? super T> done) {
        long deadline = System.nanoTime() + timeout.toNanos();
        T last = null;
        RuntimeException lastError = null;
        while (true) {
            try {
                last = probe.get();
                lastError = null;
                if (done.test(last)) {
                    return last;
                }
            } catch (RuntimeException e) {
                lastError = e;
            }
            if (System.nanoTime() - deadline > 0) {
                AssertionError failure = new AssertionError("gave up after " + timeout.toMillis() + " ms waiting for "
                        + what + (lastError == null ? "; last seen: " + last : "; last attempt failed: " + lastError));
                if (lastError != null) {
                    failure.initCause(lastError);
                }
                throw failure;
            }
            try {
                Thread.sleep(POLL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting for " + what, e);
            }
        }
    }
}
