package io.switchboard.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.TimeUnit;

import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class RateSweepTest {

    /** A broker that sustains exactly {@code capacity} msg/s. */
    private static RateSweep.Outcome<Double> sweep(RateSweep sweep, double capacity) throws Exception {
        return sweep.search(rate -> rate, rate -> rate <= capacity);
    }

    @Test
    void doublesThenBisectsToWithinThePrecision() throws Exception {
        RateSweep sweep = new RateSweep(10_000, 2_000_000, 20, 0.05);

        RateSweep.Outcome<Double> outcome = sweep(sweep, 123_000);

        List<Double> rates = outcome.steps().stream().map(RateSweep.Step::rate).toList();
        assertThat(rates).startsWith(10_000.0, 20_000.0, 40_000.0, 80_000.0, 160_000.0, 120_000.0);
        assertThat(outcome.maxSustainedRate()).isLessThanOrEqualTo(123_000).isGreaterThan(123_000 / 1.05);
        assertThat((outcome.lowestFailedRate() - outcome.maxSustainedRate()) / outcome.maxSustainedRate()).isLessThanOrEqualTo(0.05);
    }

    @Test
    void halvesWhenTheStartRateFails() throws Exception {
        RateSweep.Outcome<Double> outcome = sweep(new RateSweep(100_000, 1_000_000, 20, 0.05), 30_000);

        assertThat(outcome.steps().get(1).rate()).isEqualTo(50_000);
        assertThat(outcome.steps().get(2).rate()).isEqualTo(25_000);
        assertThat(outcome.maxSustainedRate()).isLessThanOrEqualTo(30_000).isGreaterThan(30_000 / 1.05);
    }

    @Test
    void stopsAtTheCeilingWhenEverythingPasses() throws Exception {
        RateSweep.Outcome<Double> outcome = sweep(new RateSweep(10_000, 50_000, 20, 0.05), 1e9);

        assertThat(outcome.steps()).extracting(RateSweep.Step::rate).containsExactly(10_000.0, 20_000.0, 40_000.0, 50_000.0);
        assertThat(outcome.hitCeiling(50_000)).isTrue();
        assertThat(outcome.lowestFailedRate()).isInfinite();
    }

    @Test
    void neverRunsMoreThanTheTrialBound() throws Exception {
        RateSweep.Outcome<Double> outcome = sweep(new RateSweep(10_000, 2_000_000, 3, 0.001), 123_456);

        assertThat(outcome.steps()).hasSize(3);
        assertThat(outcome.maxSustainedRate()).isEqualTo(40_000);
    }

    @Test
    void givesUpWhenNothingPasses() throws Exception {
        RateSweep.Outcome<Double> outcome = sweep(new RateSweep(1_000, 10_000, 50, 0.05), 0);

        assertThat(outcome.maxSustainedRate()).isZero();
        assertThat(outcome.steps()).hasSizeLessThan(10);
    }

    @Test
    void aTrialPassesOnlyWithEveryMessageDeliveredInTimeAndSent() {
        SweepCriteria criteria = new SweepCriteria(0.97, 100);

        assertThat(criteria.failure(result(1000, 1000, 1000, 5))).isNull();
        assertThat(criteria.failure(result(1000, 960, 960, 5))).startsWith("sent 96.0%");
        assertThat(criteria.failure(result(1000, 1000, 999, 5))).isEqualTo("lost 1");
        assertThat(criteria.failure(result(1000, 1000, 1000, 150))).startsWith("p99 150.");
    }

    private static RateResult result(long offered, long sent, long received, long latencyMillis) {
        RateOptions o = new RateOptions();
        Histogram h = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
        h.recordValue(TimeUnit.MILLISECONDS.toNanos(latencyMillis));
        return new RateResult(o, "r", offered, sent, sent, received, 0, 0, sent, received, 1, h, null);
    }
}
