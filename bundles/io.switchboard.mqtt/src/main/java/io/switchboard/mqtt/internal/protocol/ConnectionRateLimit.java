package io.switchboard.mqtt.internal.protocol;

import java.net.InetAddress;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * New connections per second per source address ({@code max.connection.rate}), as a token bucket per
 * source: a source may open that many connections at once, and that many more per second after.
 *
 * <p>The table of sources is bounded: at most {@link #MAX_SOURCES}, the one not seen for the longest
 * forgotten first, so addresses an attacker makes up cannot grow it. Forgetting a source only gives it a
 * full bucket again (a source that rotates through more addresses than the table holds is not limited,
 * but costs no memory). Each source's refusals are logged at most once per {@link #LOG_INTERVAL_NANOS},
 * so a flood does not flood the log. Thread safe (accepts run on every I/O thread).
 */
final class ConnectionRateLimit {

    /** Sources remembered at once: a few MiB of table at most, far more sources than a broker sees in a second. */
    static final int MAX_SOURCES = 16_384;
    /** How often one source's refusals are logged at most. */
    static final long LOG_INTERVAL_NANOS = TimeUnit.MINUTES.toNanos(1);
    private static final double NANOS_PER_SECOND = 1e9;

    /** What became of a new connection. */
    enum Verdict {
        ADMITTED,
        /** Refused, and the first refusal of its source in this log interval: worth a log line. */
        REFUSED_LOG,
        /** Refused; its source was logged within the log interval. */
        REFUSED_QUIETLY
    }

    /** One source's bucket. */
    private static final class Bucket {
        double tokens;
        long refilledAt;
        /** When a refusal of this source was last logged; only meaningful once {@link #logged}. */
        long loggedAt;
        boolean logged;
        /** Refusals since the last logged one. */
        long refusedQuietly;
    }

    private final LongSupplier nanoTime;
    private final Map<InetAddress, Bucket> buckets = new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<InetAddress, Bucket> eldest) {
            return size() > MAX_SOURCES;
        }
    };

    /** {@code nanoTime}: the clock ({@code System::nanoTime}, or a test's). */
    ConnectionRateLimit(LongSupplier nanoTime) {
        this.nanoTime = nanoTime;
    }

    /**
     * A new connection from {@code source}, with at most {@code perSecond} new connections per second from
     * one source (0: no limit, nothing is remembered).
     */
    synchronized Verdict admit(InetAddress source, int perSecond) {
        if (perSecond <= 0) {
            buckets.clear();
            return Verdict.ADMITTED;
        }
        long now = nanoTime.getAsLong();
        Bucket b = buckets.get(source);
        if (b == null) {
            b = new Bucket();
            b.tokens = perSecond;
            b.refilledAt = now;
            buckets.put(source, b);
        } else {
            b.tokens = Math.min(perSecond, b.tokens + (now - b.refilledAt) / NANOS_PER_SECOND * perSecond);
            b.refilledAt = now;
        }
        if (b.tokens >= 1) {
            b.tokens -= 1;
            return Verdict.ADMITTED;
        }
        if (b.logged && now - b.loggedAt < LOG_INTERVAL_NANOS) {
            b.refusedQuietly++;
            return Verdict.REFUSED_QUIETLY;
        }
        b.logged = true;
        b.loggedAt = now;
        return Verdict.REFUSED_LOG;
    }

    /** Refusals of {@code source} not logged since its last log line; resets the count (for the next line). */
    synchronized long takeQuietRefusals(InetAddress source) {
        Bucket b = buckets.get(source);
        if (b == null) {
            return 0;
        }
        long n = b.refusedQuietly;
        b.refusedQuietly = 0;
        return n;
    }

    /** Sources remembered now. */
    synchronized int sources() {
        return buckets.size();
    }
}
