package io.switchboard.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * Finds the highest rate that passes a trial: rising trials (the start rate, doubling up to a ceiling)
 * until one fails, then bisection between the highest passing and the lowest failing rate until they are
 * within the precision. If the start rate already fails, the rate halves until one passes. The number of
 * trials is bounded.
 */
final class RateSweep {
    /** Below this the search gives up: the broker sustains (almost) nothing. */
    static final double MIN_RATE = 10;

    final double startRate;
    final double maxRate;
    final int maxTrials;
    /** Stop when (lowest failing - highest passing) / highest passing is at most this. */
    final double precision;

    /** Runs one trial at a rate. */
    @FunctionalInterface
    interface Trial<T> {
        T run(double rate) throws Exception;
    }

    record Step<T>(double rate, boolean passed, T result) {
    }

    /**
     * @param maxSustainedRate the highest passing rate, 0 if none passed
     * @param lowestFailedRate the lowest failing rate, or +infinity if none failed
     */
    record Outcome<T>(double maxSustainedRate, double lowestFailedRate, List<Step<T>> steps) {
        boolean hitCeiling(double maxRate) {
            return maxSustainedRate >= maxRate;
        }
    }

    RateSweep(double startRate, double maxRate, int maxTrials, double precision) {
        if (startRate < MIN_RATE || maxRate < startRate || maxTrials < 1 || precision <= 0) {
            throw new IllegalArgumentException("sweep needs start >= " + MIN_RATE + ", max >= start, trials >= 1, precision > 0");
        }
        this.startRate = startRate;
        this.maxRate = maxRate;
        this.maxTrials = maxTrials;
        this.precision = precision;
    }

    <T> Outcome<T> search(Trial<T> trial, Predicate<T> passed) throws Exception {
        List<Step<T>> steps = new ArrayList<>();
        double highestPass = 0;
        double lowestFail = Double.POSITIVE_INFINITY;
        double rate = startRate;
        while (steps.size() < maxTrials) {
            T result = trial.run(rate);
            boolean ok = passed.test(result);
            steps.add(new Step<>(rate, ok, result));
            if (ok) {
                highestPass = Math.max(highestPass, rate);
                if (rate >= maxRate) {
                    break; // the ceiling passes: nothing higher to try
                }
            } else {
                lowestFail = Math.min(lowestFail, rate);
            }
            if (Double.isInfinite(lowestFail)) {
                rate = Math.min(rate * 2, maxRate);
            } else if (highestPass == 0) {
                rate = lowestFail / 2;
                if (rate < MIN_RATE) {
                    break;
                }
            } else {
                if ((lowestFail - highestPass) / highestPass <= precision) {
                    break;
                }
                rate = Math.round((highestPass + lowestFail) / 2);
            }
        }
        return new Outcome<>(highestPass, lowestFail, steps);
    }
}
