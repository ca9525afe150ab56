package io.switchboard.observability.internal;

/**
 * Mosquitto's load figures ({@code $SYS/broker/load/.../1min|5min|15min}): exponential moving averages of a
 * counter's rate, per minute, over 1, 5 and 15 minutes, updated at each publication as Mosquitto's
 * {@code sys_tree.c} does: the rate over the last interval {@code r = delta * 60 / seconds}, then
 * {@code load = r + exp(-seconds / period) * (load - r)} for each period (60, 300, 900 s). Starts at 0. Not
 * thread-safe (one publisher thread).
 */
final class LoadAverage {

    private static final double[] PERIODS_SECONDS = {60, 300, 900};

    private final double[] loads = new double[PERIODS_SECONDS.length];
    private long last;
    private boolean started;

    /** Feeds the counter's current total, {@code seconds} after the previous update (the first one sets the start). */
    void update(long total, double seconds) {
        if (!started || seconds <= 0) {
            started = true;
            last = total;
            return;
        }
        // a total that went down (a listener removed took its counts along) is no traffic, not a negative rate
        double rate = Math.max(0, total - last) * 60.0 / seconds;
        last = total;
        for (int i = 0; i < loads.length; i++) {
            loads[i] = rate + Math.exp(-seconds / PERIODS_SECONDS[i]) * (loads[i] - rate);
        }
    }

    double oneMinute() {
        return loads[0];
    }

    double fiveMinutes() {
        return loads[1];
    }

    double fifteenMinutes() {
        return loads[2];
    }
}
