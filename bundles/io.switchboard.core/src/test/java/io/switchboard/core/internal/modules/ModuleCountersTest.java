package io.switchboard.core.internal.modules;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.switchboard.api.admin.ModuleCounters;

/** A module's counters keep the distribution of its call durations, bucket by bucket, beside the totals. */
class ModuleCountersTest {

    private static final List<Long> BOUNDS = ModuleCounters.DURATION_BOUNDS_NANOS;

    @Test
    void aDurationFallsInTheFirstBucketWhoseBoundItDoesNotExceed() {
        assertThat(ModuleEntry.Counters.bucket(0)).isZero();
        assertThat(ModuleEntry.Counters.bucket(1_000)).as("bounds are inclusive").isZero();
        assertThat(ModuleEntry.Counters.bucket(1_001)).isEqualTo(1);
        assertThat(ModuleEntry.Counters.bucket(3_000_000)).isEqualTo(BOUNDS.indexOf(5_000_000L));
        assertThat(ModuleEntry.Counters.bucket(Long.MAX_VALUE)).as("beyond every bound").isEqualTo(BOUNDS.size());
    }

    @Test
    void everyCallCountsInOneBucketWhateverItsOutcome() {
        ModuleEntry.Counters counters = new ModuleEntry.Counters();
        counters.record(null, ModuleEntry.Outcome.PASS, 500);
        counters.record(null, ModuleEntry.Outcome.CONSUME, 3_000_000);
        counters.record(null, null, 10_000_000_000L); // a call that failed or timed out

        ModuleCounters snapshot = counters.snapshot();

        assertThat(snapshot.durationCounts()).hasSize(BOUNDS.size() + 1);
        assertThat(snapshot.durationCounts().get(0)).isEqualTo(1);
        assertThat(snapshot.durationCounts().get(BOUNDS.indexOf(5_000_000L))).isEqualTo(1);
        assertThat(snapshot.durationCounts().get(BOUNDS.size())).isEqualTo(1);
        assertThat(snapshot.durationCounts().stream().mapToLong(Long::longValue).sum()).isEqualTo(snapshot.calls());
    }
}
