package io.switchboard.observability.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.switchboard.api.admin.ClusterStatistics;
import io.switchboard.api.admin.ClusterStats;

/**
 * The cluster as this node sees it ({@code sb:cluster}), read at scrape time from {@link ClusterStatistics}; left out
 * on a single node (no cluster bundle configured, so no such service).
 */
final class ClusterMetrics implements MultiCollector {

    private final Supplier<ClusterStatistics> cluster;

    ClusterMetrics(Supplier<ClusterStatistics> cluster) {
        this.cluster = cluster;
    }

    @Override
    public MetricSnapshots collect() {
        ClusterStatistics statistics = cluster.get();
        if (statistics == null) {
            return new MetricSnapshots();
        }
        ClusterStats stats = statistics.cluster();
        List<Snapshots.Point> filters = new ArrayList<>();
        List<Snapshots.Point> users = new ArrayList<>();
        List<Snapshots.Point> sessions = new ArrayList<>();
        List<Snapshots.Point> sent = new ArrayList<>();
        List<Snapshots.Point> received = new ArrayList<>();
        List<Snapshots.Point> unconfirmed = new ArrayList<>();
        List<Snapshots.Point> confirmed = new ArrayList<>();
        List<Snapshots.Point> confirmationSeconds = new ArrayList<>();
        for (ClusterStats.Member m : stats.members()) {
            Labels node = Labels.of("node", m.name());
            filters.add(new Snapshots.Point(node, m.filters().size()));
            users.add(new Snapshots.Point(node, m.usersOnline()));
            if (m.sessions() >= 0) {
                sessions.add(new Snapshots.Point(node, m.sessions()));
            }
            if (!m.local()) {
                sent.add(new Snapshots.Point(node, m.sentTo()));
                received.add(new Snapshots.Point(node, m.receivedFrom()));
                unconfirmed.add(new Snapshots.Point(node, m.unconfirmed()));
                confirmed.add(new Snapshots.Point(node, m.confirmed()));
                confirmationSeconds.add(new Snapshots.Point(node, m.confirmationSeconds()));
            }
        }
        List<MetricSnapshot> out = new ArrayList<>();
        out.add(Snapshots.gauge("switchboard_cluster_members", "Members of the cluster now, this node included.",
                stats.members().size()));
        out.add(Snapshots.gauge("switchboard_cluster_filters", "Topic filters each node subscribes to, as this node routes by.",
                filters));
        out.add(Snapshots.gauge("switchboard_cluster_sessions",
                "Sessions each node holds, by the cluster's owner map (connected or not, clean or persistent).", sessions));
        out.add(Snapshots.gauge("switchboard_cluster_users_online",
                "Distinct users with a session online on each node, as this node's presence view holds them.", users));
        out.add(Snapshots.gauge("switchboard_cluster_forwarded_unconfirmed", "QoS 1/2 messages this node forwarded "
                + "that wait for another node's confirmation now (their publishers are not acknowledged yet).",
                stats.unconfirmed()));
        out.add(Snapshots.counter("switchboard_cluster_forwarded_sent", "Messages this node forwarded to each other node.",
                sent));
        out.add(Snapshots.counter("switchboard_cluster_forwarded_received",
                "Messages this node received from each other node.", received));
        out.add(Snapshots.gauge("switchboard_cluster_unconfirmed", "QoS 1/2 messages this node forwarded or relayed to "
                + "each other node that wait for that node's confirmation now.", unconfirmed));
        out.add(Snapshots.counter("switchboard_cluster_confirmations",
                "Confirmations each other node sent this node for the QoS 1/2 messages it forwarded or relayed there.",
                confirmed));
        out.add(Snapshots.counter("switchboard_cluster_confirmation_seconds", "Time the confirmations of each other node "
                + "took in all, from the send to the confirmation's arrival: divided by the confirmations, the mean wait "
                + "of a publisher for that node.", confirmationSeconds));
        return new MetricSnapshots(out);
    }
}
