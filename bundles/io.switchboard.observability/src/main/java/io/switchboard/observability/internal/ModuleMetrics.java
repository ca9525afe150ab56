package io.switchboard.observability.internal;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot.HistogramDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.switchboard.api.admin.BrokerAdmin;
import io.switchboard.api.admin.ModuleCounters;
import io.switchboard.api.admin.ModuleInfo;

/**
 * Each module's counters ({@code sb:modules}) as Prometheus metrics labelled by module, read at scrape time
 * from {@link BrokerAdmin#modules()}: calls by verdict, time spent deciding (a histogram with the core's
 * duration buckets, {@link ModuleCounters#DURATION_BOUNDS_NANOS}), the longest decision, and whether the module
 * is in the chain. Of two
 * versions of one module only the first listed (the one in the chain) counts.
 */
final class ModuleMetrics implements MultiCollector {

    static final String ACTIVE = "ACTIVE";
    private static final double NANOS_PER_SECOND = 1e9;
    private static final double[] BOUNDS_SECONDS = bucketBounds();

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
        HistogramSnapshot.Builder duration = HistogramSnapshot.builder().name("switchboard_module_call_duration_seconds")
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
            duration.dataPoint(HistogramDataPointSnapshot.builder().labels(module).classicHistogramBuckets(buckets(c))
                    .sum(c.totalNanos() / NANOS_PER_SECOND).build());
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

    /** The core's buckets; a module without a distribution (an older core) has only the +Inf bucket. */
    private static ClassicHistogramBuckets buckets(ModuleCounters c) {
        List<Long> counts = c.durationCounts();
        if (counts.isEmpty()) {
            return ClassicHistogramBuckets.of(new double[] {Double.POSITIVE_INFINITY}, new long[] {c.calls()});
        }
        return ClassicHistogramBuckets.of(BOUNDS_SECONDS, counts.stream().mapToLong(Long::longValue).toArray());
    }

    private static double[] bucketBounds() {
        List<Long> nanos = ModuleCounters.DURATION_BOUNDS_NANOS;
        double[] seconds = new double[nanos.size() + 1];
        for (int i = 0; i < nanos.size(); i++) {
            seconds[i] = nanos.get(i) / NANOS_PER_SECOND;
        }
        seconds[nanos.size()] = Double.POSITIVE_INFINITY;
        return seconds;
    }

    private static Snapshots.Point verdict(String module, String verdict, long count) {
        return new Snapshots.Point(Labels.of("module", module, "verdict", verdict), count);
    }
}
