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
 * <p>The limit is passed in with each call, so a configuration change applies to existing buckets at
 * once: the first call with a new limit converts the bucket, keeping the tokens it has used (a bucket
 * that was full stays full; one short of 3 tokens is 3 short of the new burst).
 * Times are {@link System#nanoTime()} values (or a test clock), compared by difference, so they may wrap.
 */
class Bucket {

    private final AtomicLong tat;
    /** The limit {@code tat} is measured in. */
    private volatile Limit scale;
    private final AtomicLong passed = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();

    /** A full bucket at {@code now}. */
    Bucket(Limit limit, long now) {
        this.tat = new AtomicLong(now);
        this.scale = limit;
    }

    /** Takes one token at {@code now} if there is one; counts the outcome. */
    boolean tryTake(Limit limit, long now) {
        if (limit != scale) {
            rescale(limit, now);
        }
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
    void giveBack() {
        tat.addAndGet(-scale.interval());
        passed.decrementAndGet();
    }

    /** The tokens available at {@code now}, from 0 to {@code limit}'s burst; fractional while refilling. */
    double tokens(Limit limit, long now) {
        Limit s = scale;
        long t = tat.get();
        long debt = t - now > 0 ? t - now : 0;
        double tokens = Math.max(0, (double) s.burst() * s.interval() - debt) / s.interval();
        return s == limit ? tokens : Math.max(0, limit.burst() - (s.burst() - tokens));
    }

    /**
     * The limit changed (a new configuration): re-expresses the bucket in the new limit's units, keeping
     * the tokens used. Rare, so a lock is fine; a message taken concurrently at the very moment of the
     * change may be counted in either unit.
     */
    private synchronized void rescale(Limit limit, long now) {
        Limit old = scale;
        if (old == limit) {
            return;
        }
        if (!old.equals(limit)) {
            double used = limit.burst() - tokens(limit, now);
            tat.set(now + (long) (used * limit.interval()));
        }
        scale = limit;
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
