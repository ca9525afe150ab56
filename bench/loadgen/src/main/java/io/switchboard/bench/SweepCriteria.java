package io.switchboard.bench;

/**
 * When a sweep trial counts as sustained: every message delivered within the grace period after sending
 * ended (QoS 0 too), the publishers sent at least {@code minSendRatio} of the offered messages (a
 * broker that cannot keep up makes publishers fall behind), and p99 latency is within the bound (a
 * growing backlog pushes it up).
 */
record SweepCriteria(double minSendRatio, double p99BoundMillis) {

    static final SweepCriteria DEFAULT = new SweepCriteria(0.97, 100);

    boolean passes(RateResult r) {
        return failure(r) == null;
    }

    /** Why the trial failed, or null if it passed. */
    String failure(RateResult r) {
        if (r.error != null) {
            return r.error;
        }
        if (r.sent < minSendRatio * r.offered) {
            return String.format("sent %.1f%% of offered", 100.0 * r.sent / r.offered);
        }
        if (r.received < r.expected) {
            return "lost " + r.lost();
        }
        double p99 = r.latencyMicros(99) / 1000;
        if (!(p99 <= p99BoundMillis)) {
            return String.format("p99 %.1f ms > %.0f ms", p99, p99BoundMillis);
        }
        return null;
    }
}
