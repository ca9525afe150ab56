package io.switchboard.module.ratelimit.internal;

import java.util.concurrent.atomic.AtomicLong;

/**
 * A token bucket kept as one number, lock-free: the generic cell rate algorithm (GCRA). The bucket
 * holds the "theoretical arrival time" {@code tat} of the next message; a message at {@code now}
 * conforms if {@code tat} is at most {@link Limit#tolerance()} ahead of {@code now}, and then pushes
 * {@code tat} one {@link Limit#interval()} further. An idle bucket ({@code tat <= now}) is full: it
 * lets {@link Limit#burst()} messages through at once, then one per interval. This is the same as a
 * bucket of {@code burst} tokens refilled at the rate, without a refill task or a lock: taking a token
 * is one compare-and-set.
 *
 * <p>The limit is not kept here but passed in, so a configuration change applies to existing buckets
 * at once. Times are {@link System#nanoTime()} values (or a test clock), compared by difference.
 */
class Bucket {

    private final AtomicLong tat;
    private final AtomicLong passed = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();

    /** A full bucket at {@code now}. */
    Bucket(long now) {
        this.tat = new AtomicLong(now);
    }

    /** Takes one token at {@code now} if there is one; counts the outcome. */
    boolean tryTake(Limit limit, long now) {
        long interval = limit.interval();
        long tolerance = limit.tolerance();
        while (true) {
            long t = tat.get();
            long from = t - now > 0 ? t : now;
            if (from - now > tolerance) {
                refused.incrementAndGet();
                return false;
            }
            if (tat.compareAndSet(t, from + interval)) {
                passed.incrementAndGet();
                return true;
            }
        }
    }

    /** Gives back the token just taken (the message was refused by another bucket after all). */
    void giveBack(Limit limit) {
        tat.addAndGet(-limit.interval());
        passed.decrementAndGet();
    }

    /** The tokens available at {@code now}, from 0 to the burst; fractional while refilling. */
    double tokens(Limit limit, long now) {
        long t = tat.get();
        long debt = t - now > 0 ? t - now : 0;
        double capacity = (double) limit.burst() * limit.interval();
        return Math.max(0, capacity - debt) / limit.interval();
    }

    /** Messages that took a token. */
    long passed() {
        return passed.get();
    }

    /** Messages refused for want of a token. */
    long refused() {
        return refused.get();
    }
}
