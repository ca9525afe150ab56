package io.switchboard.observability.internal;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.Quantiles;
import io.prometheus.metrics.model.snapshots.SummarySnapshot;
import io.prometheus.metrics.model.snapshots.SummarySnapshot.SummaryDataPointSnapshot;
import io.switchboard.api.admin.BrokerAdmin;
import io.switchboard.api.admin.ModuleCounters;
import io.switchboard.api.admin.ModuleInfo;

/**
 * Each module's counters ({@code sb:modules}) as Prometheus metrics labelled by module, read at scrape time
 * from {@link BrokerAdmin#modules()}: calls by verdict, time spent deciding (a summary: count and sum, the
 * core keeps no distribution), the longest decision, and whether the module is in the chain. Of two
 * versions of one module only the first listed (the one in the chain) counts.
 */
final class ModuleMetrics implements MultiCollector {

    static final String ACTIVE = "ACTIVE";
    private static final double NANOS_PER_SECOND = 1e9;

    private final Supplier<BrokerAdmin> admin;

    ModuleMetrics(Supplier<BrokerAdmin> admin) {
        this.admin = admin;
    }

    @Override
    public MetricSnapshots collect() {
        BrokerAdmin a = admin.get();
        if (a == null) {
            return new MetricSnapshots();
        }
        List<Snapshots.Point> calls = new ArrayList<>();
        List<Snapshots.Point> max = new ArrayList<>();
        List<Snapshots.Point> active = new ArrayList<>();
        SummarySnapshot.Builder duration = SummarySnapshot.builder().name("switchboard_module_call_duration_seconds")
                .help("Time modules spent deciding, asynchronous waits included.");
        Set<String> seen = new HashSet<>();
        for (ModuleInfo m : a.modules()) {
            if (!seen.add(m.name())) {
                continue; // an older version beside the one in the chain (listed first): one series per name
            }
            Labels module = Labels.of("module", m.name());
            ModuleCounters c = m.counters();
            calls.add(verdict(m.name(), "pass", c.passes()));
            calls.add(verdict(m.name(), "consume", c.consumes()));
            calls.add(verdict(m.name(), "replace", c.replaces()));
            calls.add(verdict(m.name(), "error", c.errors()));
            calls.add(verdict(m.name(), "timeout", c.timeouts()));
            duration.dataPoint(SummaryDataPointSnapshot.builder().labels(module).count(c.calls())
                    .sum(c.totalNanos() / NANOS_PER_SECOND).quantiles(Quantiles.EMPTY).build());
            max.add(new Snapshots.Point(module, c.maxNanos() / NANOS_PER_SECOND));
            active.add(new Snapshots.Point(module, ACTIVE.equals(m.state()) ? 1 : 0));
        }
        return MetricSnapshots.of(
                Snapshots.counter("switchboard_module_calls", "Module calls by verdict (error and timeout: the "
                        + "module's failure policy decided).", calls),
                duration.build(),
                Snapshots.gauge("switchboard_module_call_duration_max_seconds", "The module's longest decision.", max),
                Snapshots.gauge("switchboard_module_active", "1 when the module is in the chain (ACTIVE), else 0.",
                        active));
    }

    private static Snapshots.Point verdict(String module, String verdict, long count) {
        return new Snapshots.Point(Labels.of("module", module, "verdict", verdict), count);
    }
}
