package io.switchboard.testkit;

import java.time.Duration;
import java.util.function.BooleanSupplier;

import org.opentest4j.AssertionFailedError;

/** Bounded waits on a condition (polling; never a fixed sleep). */
final class Waits {

    private Waits() {
    }

    /** Waits until {@code condition} holds, for at most {@code timeout}; fails naming {@code what} otherwise. */
    static void until(String what, Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        long pause = 1;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline >= 0) {
                throw new AssertionFailedError("timed out after " + timeout.toMillis() + " ms waiting for " + what);
            }
            try {
                Thread.sleep(pause);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionFailedError("interrupted while waiting for " + what, e);
            }
            pause = Math.min(pause * 2, 20);
        }
    }
}
