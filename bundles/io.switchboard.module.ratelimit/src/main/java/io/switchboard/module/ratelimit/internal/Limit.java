package io.switchboard.module.ratelimit.internal;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A rate with a burst: on average {@code perSecond} messages a second, at most {@code burst} at once.
 * Precomputes what {@link Bucket} needs, in nanoseconds: the {@link #interval()} one message costs and
 * the {@link #tolerance()} a bucket may run ahead of time.
 *
 * @param perSecond messages a second (more than 0)
 * @param burst how many messages may come at once (at least 1)
 * @param text the rate as configured, for messages ({@code 100/s})
 */
record Limit(double perSecond, long burst, String text) {

    /** The highest rate accepted: one message a microsecond. */
    static final double MAX_PER_SECOND = 1_000_000;
    /** The lowest rate accepted: one message an hour. */
    static final double MIN_PER_SECOND = 1.0 / 3600;
    /** The largest burst accepted. */
    static final long MAX_BURST = 1_000_000;

    private static final Pattern RATE = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(?:/\\s*([a-z]+))?");

    /** Nanoseconds one message costs. */
    long interval() {
        return Math.max(1, Math.round(1e9 / perSecond));
    }

    /** Nanoseconds a bucket's clock may run ahead of now: the burst beyond the first message. */
    long tolerance() {
        return (burst - 1) * interval();
    }

    /** The burst when none is configured: one second's worth, at least 1. */
    static long defaultBurst(double perSecond) {
        return Math.max(1, (long) Math.ceil(perSecond));
    }

    /**
     * Reads a rate: a number of messages per second ({@code 100}, {@code 0.5}), or per unit
     * ({@code 100/s}, {@code 600/m}, {@code 10/h}; also {@code sec}, {@code min}, {@code hour}).
     *
     * @return messages per second; 0 for {@code 0}
     * @throws IllegalArgumentException saying what is wrong (without an attribute name)
     */
    static double parseRate(String value) {
        String text = value == null ? "" : value.trim().toLowerCase(Locale.ROOT);
        Matcher m = RATE.matcher(text);
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + value + "' is not a rate like 100/s, 600/m or 10/h");
        }
        double count = Double.parseDouble(m.group(1));
        String unit = m.group(2) == null ? "s" : m.group(2);
        double seconds = switch (unit) {
            case "s", "sec", "second" -> 1;
            case "m", "min", "minute" -> 60;
            case "h", "hour" -> 3600;
            default -> throw new IllegalArgumentException("'" + value + "': unknown unit '" + unit + "' (s, m or h)");
        };
        double perSecond = count / seconds;
        if (perSecond != 0 && (perSecond < MIN_PER_SECOND || perSecond > MAX_PER_SECOND)) {
            throw new IllegalArgumentException("'" + value + "' is outside 1/h to " + (long) MAX_PER_SECOND + "/s");
        }
        return perSecond;
    }

    /** For the shell: {@code 100/s burst 200}. */
    @Override
    public String toString() {
        return text + " burst " + burst;
    }
}
