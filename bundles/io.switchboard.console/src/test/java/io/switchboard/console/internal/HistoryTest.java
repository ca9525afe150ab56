package io.switchboard.console.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

class HistoryTest {

    private static Map<String, Sample.ModuleTotals> modules(Object... nameCallsNanos) {
        Map<String, Sample.ModuleTotals> out = new LinkedHashMap<>();
        for (int i = 0; i < nameCallsNanos.length; i += 3) {
            out.put((String) nameCallsNanos[i], new Sample.ModuleTotals((Long) nameCallsNanos[i + 1], (Long) nameCallsNanos[i + 2]));
        }
        return out;
    }

    @Test
    void ratesPerSecondAndMeanDecisionTimesPerInterval() {
        Sample a = new Sample(10_000, 100, 50, modules("auth", 10L, 10_000L, "profanity", 100L, 1_000_000L, "audit", 5L, 500L),
                Set.of("profanity", "audit"));
        Sample b = new Sample(12_000, 300, 450, modules("auth", 10L, 10_000L, "profanity", 300L, 3_000_000L, "audit", 205L, 40_500L),
                Set.of("profanity", "audit"));

        History.Point p = History.between(a, b);

        assertThat(p.epochMillis()).isEqualTo(12_000);
        assertThat(p.publishedPerSecond()).isEqualTo(100.0);
        assertThat(p.deliveredPerSecond()).isEqualTo(200.0);
        // profanity: 2 ms over 200 calls = 10 µs; audit: 40 µs over 200 calls = 0.2 µs; auth not called
        assertThat(p.moduleMicros()).containsOnlyKeys("profanity", "audit");
        assertThat(p.moduleMicros().get("profanity")).isCloseTo(10.0, within(1e-9));
        assertThat(p.moduleMicros().get("audit")).isCloseTo(0.2, within(1e-9));
        assertThat(p.chainMicros()).isCloseTo(10.2, within(1e-9));
    }

    @Test
    void onlyTheMessageChainAddsUpToTheChainTotal() {
        Sample a = new Sample(0, 0, 0, modules("auth", 0L, 0L, "profanity", 0L, 0L), Set.of("profanity"));
        Sample b = new Sample(1000, 0, 0, modules("auth", 1L, 7_000L, "profanity", 1L, 3_000L), Set.of("profanity"));

        History.Point p = History.between(a, b);

        assertThat(p.moduleMicros()).containsEntry("auth", 7.0).containsEntry("profanity", 3.0);
        assertThat(p.chainMicros()).isEqualTo(3.0);
    }

    @Test
    void countersThatWentDownCountFromZeroAgain() {
        // the core restarted (published 1000 -> 30) and the module re-joined the chain (calls 500 -> 4)
        Sample a = new Sample(0, 1000, 1000, modules("profanity", 500L, 5_000_000L), Set.of("profanity"));
        Sample b = new Sample(1000, 30, 20, modules("profanity", 4L, 8_000L), Set.of("profanity"));

        History.Point p = History.between(a, b);

        assertThat(p.publishedPerSecond()).isEqualTo(30.0);
        assertThat(p.deliveredPerSecond()).isEqualTo(20.0);
        assertThat(p.moduleMicros()).containsEntry("profanity", 2.0);
    }

    @Test
    void aModuleNewInTheIntervalCountsFromZero() {
        Sample a = new Sample(0, 0, 0, modules(), Set.of());
        Sample b = new Sample(1000, 0, 0, modules("late", 2L, 4_000L), Set.of("late"));

        assertThat(History.between(a, b).moduleMicros()).containsEntry("late", 2.0);
    }

    @Test
    void oneIntervalPerPairOfSamples() {
        Sample a = new Sample(0, 0, 0, modules(), Set.of());
        Sample b = new Sample(1000, 5, 5, modules(), Set.of());
        Sample c = new Sample(2000, 15, 5, modules(), Set.of());

        assertThat(History.of(List.of())).isEmpty();
        assertThat(History.of(List.of(a))).isEmpty();
        assertThat(History.of(List.of(a, b, c))).extracting(History.Point::publishedPerSecond).containsExactly(5.0, 10.0);
    }
}
