package io.switchboard.observability.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.switchboard.api.admin.BrokerStats;
import io.switchboard.api.admin.ModuleCounters;
import io.switchboard.store.MemoryStateStore;
import org.junit.jupiter.api.Test;

class MetricsTest {

    private static final BrokerStats STATS = new BrokerStats(2500, 3, 4, 2, 100, 90, 10, 180, 170, 5, 1, 2, 1, 16);

    @Test
    void brokerCountersFollowPrometheusNaming() throws IOException {
        String text = scrape(new BrokerMetrics(() -> new FakeAdmin(STATS, List.of()), MemoryStateStore::new));
        assertThat(text).contains("# TYPE switchboard_messages_published_total counter\n")
                .contains("switchboard_messages_published_total 100.0\n")
                .contains("switchboard_messages_consumed_total 10.0\n")
                .contains("switchboard_deliveries_confirmed_total 170.0\n")
                .contains("# TYPE switchboard_sessions gauge\nswitchboard_sessions 3.0\n")
                .contains("switchboard_uptime_seconds 2.5\n")
                .contains("switchboard_worker_threads_abandoned_limit 16.0\n")
                .contains("# TYPE switchboard_store_commits_total counter\n");
    }

    @Test
    void withoutCoreAndStoreThereIsNothingToReport() throws IOException {
        assertThat(scrape(new BrokerMetrics(() -> null, () -> null))).isEmpty();
        assertThat(scrape(new ModuleMetrics(() -> null))).isEmpty();
    }

    @Test
    void moduleCountersAreLabelledByModuleAndVerdict() throws IOException {
        ModuleCounters counters = new ModuleCounters(10, 6, 1, 1, 1, 1, 2_000_000_000L, 500_000_000L);
        FakeAdmin admin = new FakeAdmin(STATS, List.of(FakeAdmin.module("profanity:default", "ACTIVE", counters),
                FakeAdmin.module("profanity:default", "SUPERSEDED", new ModuleCounters(99, 99, 0, 0, 0, 0, 0, 0)),
                FakeAdmin.module("gone", "QUARANTINED", new ModuleCounters(0, 0, 0, 0, 0, 0, 0, 0))));
        String text = scrape(new ModuleMetrics(() -> admin));
        assertThat(text).contains("switchboard_module_calls_total{module=\"profanity:default\",verdict=\"pass\"} 6.0\n")
                .contains("switchboard_module_calls_total{module=\"profanity:default\",verdict=\"timeout\"} 1.0\n")
                .contains("# TYPE switchboard_module_call_duration_seconds histogram\n")
                .contains("switchboard_module_call_duration_seconds_bucket{module=\"profanity:default\",le=\"+Inf\"} 10\n")
                .contains("switchboard_module_call_duration_seconds_count{module=\"profanity:default\"} 10\n")
                .contains("switchboard_module_call_duration_seconds_sum{module=\"profanity:default\"} 2.0\n")
                .contains("switchboard_module_call_duration_max_seconds{module=\"profanity:default\"} 0.5\n")
                .contains("switchboard_module_active{module=\"profanity:default\"} 1.0\n")
                .contains("switchboard_module_active{module=\"gone\"} 0.0\n")
                .doesNotContain("99");
    }

    @Test
    void callDurationsAreAHistogramWithTheCoresBuckets() throws IOException {
        List<Long> counts = new ArrayList<>(Collections.nCopies(ModuleCounters.DURATION_BOUNDS_NANOS.size() + 1, 0L));
        counts.set(0, 3L); // ≤ 1 µs
        counts.set(ModuleCounters.DURATION_BOUNDS_NANOS.indexOf(5_000_000L), 2L); // 2.5 to 5 ms
        counts.set(ModuleCounters.DURATION_BOUNDS_NANOS.size(), 1L); // beyond 5 s
        ModuleCounters counters = new ModuleCounters(6, 6, 0, 0, 0, 0, 6_007_000_000L, 6_000_000_000L, counts);
        FakeAdmin admin = new FakeAdmin(STATS, List.of(FakeAdmin.module("audit", "ACTIVE", counters)));

        String text = scrape(new ModuleMetrics(() -> admin));

        assertThat(text).contains("switchboard_module_call_duration_seconds_bucket{module=\"audit\",le=\"1.0E-6\"} 3\n")
                .contains("switchboard_module_call_duration_seconds_bucket{module=\"audit\",le=\"0.0025\"} 3\n")
                .contains("switchboard_module_call_duration_seconds_bucket{module=\"audit\",le=\"0.005\"} 5\n")
                .contains("switchboard_module_call_duration_seconds_bucket{module=\"audit\",le=\"5.0\"} 5\n")
                .contains("switchboard_module_call_duration_seconds_bucket{module=\"audit\",le=\"+Inf\"} 6\n")
                .contains("switchboard_module_call_duration_seconds_count{module=\"audit\"} 6\n");
    }

    private static String scrape(io.prometheus.metrics.model.registry.MultiCollector collector) throws IOException {
        PrometheusRegistry registry = new PrometheusRegistry();
        registry.register(collector);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrometheusTextFormatWriter.create().write(out, registry.scrape());
        return out.toString(StandardCharsets.UTF_8);
    }
}
