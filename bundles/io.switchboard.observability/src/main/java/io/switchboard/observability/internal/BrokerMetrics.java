package io.switchboard.observability.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.switchboard.api.admin.BrokerAdmin;
import io.switchboard.api.admin.BrokerStats;
import io.switchboard.store.StateStore;

/**
 * The broker's counters ({@code sb:stats}) as Prometheus metrics, read at scrape time: one
 * {@link BrokerAdmin#stats()} and one {@link StateStore#status()} per scrape, nothing on the message path.
 * Metrics of a service that is not there (the core or the store stopped) are left out.
 */
final class BrokerMetrics implements MultiCollector {

    private static final double MILLIS_PER_SECOND = 1000.0;

    private final Supplier<BrokerAdmin> admin;
    private final Supplier<StateStore> store;

    BrokerMetrics(Supplier<BrokerAdmin> admin, Supplier<StateStore> store) {
        this.admin = admin;
        this.store = store;
    }

    @Override
    public MetricSnapshots collect() {
        List<MetricSnapshot> out = new ArrayList<>();
        BrokerAdmin a = admin.get();
        if (a != null) {
            broker(a.stats(), out);
        }
        StateStore s = store.get();
        if (s != null) {
            store(s.status(), out);
        }
        return new MetricSnapshots(out);
    }

    private static void broker(BrokerStats s, List<MetricSnapshot> out) {
        out.add(Snapshots.gauge("switchboard_uptime_seconds", "Time since the broker core started.",
                s.uptimeMillis() / MILLIS_PER_SECOND));
        out.add(Snapshots.gauge("switchboard_sessions", "Client sessions open now.", s.sessions()));
        out.add(Snapshots.gauge("switchboard_subscriptions", "Subscriptions held now.", s.subscriptions()));
        out.add(Snapshots.gauge("switchboard_modules_in_chain", "Modules in a chain now.", s.modules()));
        out.add(Snapshots.counter("switchboard_messages_published", "Messages that entered the module chain.",
                s.published()));
        out.add(Snapshots.counter("switchboard_messages_routed", "Messages that passed the module chain.", s.routed()));
        out.add(Snapshots.counter("switchboard_messages_consumed", "Messages a module consumed (dropped).",
                s.consumed()));
        out.add(Snapshots.counter("switchboard_messages_expired", "Messages that expired before delivery.",
                s.expired()));
        out.add(Snapshots.counter("switchboard_deliveries", "Messages handed to subscribers.", s.deliveries()));
        out.add(Snapshots.counter("switchboard_deliveries_confirmed",
                "Deliveries confirmed (acknowledged, or written at QoS 0).", s.delivered()));
        out.add(Snapshots.counter("switchboard_failures", "Deliveries or messages that failed.", s.failed()));
        out.add(Snapshots.gauge("switchboard_messages_in_flight",
                "Messages inside the module chain now, asynchronous decisions included.", s.inFlight()));
        out.add(Snapshots.gauge("switchboard_retained_messages", "Topics holding a retained message now ($SYS ones included).",
                s.retainedMessages()));
        out.add(Snapshots.gauge("switchboard_worker_threads_abandoned",
                "Worker threads abandoned to module calls blocking past their budget.", s.abandonedThreads()));
        out.add(Snapshots.gauge("switchboard_worker_threads_abandoned_limit",
                "Worker threads that may be abandoned at once.", s.abandonedThreadLimit()));
    }

    private static void store(StateStore.Status s, List<MetricSnapshot> out) {
        out.add(Snapshots.gauge("switchboard_store_disk_bytes", "Bytes the store takes on disk.", s.diskBytes()));
        out.add(Snapshots.gauge("switchboard_store_open_seconds", "How long opening (recovering) the store took.",
                s.openMillis() / MILLIS_PER_SECOND));
        out.add(Snapshots.counter("switchboard_store_commits", "Group commits written.", s.batches()));
        out.add(Snapshots.counter("switchboard_store_commits_failed", "Group commits that failed (and were retried).",
                s.failedBatches()));
        out.add(Snapshots.gauge("switchboard_store_pending_changes", "Changes waiting for the next group commit.",
                s.pending()));
        out.add(Snapshots.counter("switchboard_store_skipped_changes",
                "Changes never written because a later change of the same key replaced them first.", s.skipped()));
        List<Snapshots.Point> recovered = new ArrayList<>();
        for (Map.Entry<String, Long> space : s.recovered().entrySet()) {
            recovered.add(new Snapshots.Point(Labels.of("space", space.getKey()), space.getValue()));
        }
        out.add(Snapshots.gauge("switchboard_store_recovered_records", "Records per space read back at start.",
                recovered));
    }
}
