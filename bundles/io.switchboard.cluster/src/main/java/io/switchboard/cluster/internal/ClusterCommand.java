package io.switchboard.cluster.internal;

import io.switchboard.api.admin.ClusterStatistics;
import io.switchboard.api.admin.ClusterStats;

/** The Gogo command {@code sb:cluster}: this node's view of the cluster (members, routes, forwarded counts). */
public final class ClusterCommand {

    private final ClusterStatistics statistics;

    ClusterCommand(ClusterStatistics statistics) {
        this.statistics = statistics;
    }

    /** Members with their address, filters and forwarded counts; then each node's filters. */
    public String cluster() {
        return format(statistics.cluster());
    }

    static String format(ClusterStats stats) {
        StringBuilder out = new StringBuilder();
        out.append("cluster '").append(stats.clusterName()).append("': ").append(stats.members().size())
                .append(" members, state ").append(stats.state()).append(", this node '").append(stats.nodeName()).append("'\n");
        out.append(String.format("%-16s %-24s %8s %10s %10s%n", "NODE", "ADDRESS", "FILTERS", "SENT-TO", "RECEIVED"));
        long sent = 0;
        long received = 0;
        for (ClusterStats.Member m : stats.members()) {
            out.append(String.format("%-16s %-24s %8d %10s %10s%n", m.name() + (m.local() ? " *" : ""), m.address(),
                    m.filters().size(), m.local() ? "-" : Long.toString(m.sentTo()),
                    m.local() ? "-" : Long.toString(m.receivedFrom())));
            sent += m.sentTo();
            received += m.receivedFrom();
        }
        out.append("forwarded: sent ").append(sent).append(", received ").append(received).append('\n');
        out.append("subscriptions per node:\n");
        for (ClusterStats.Member m : stats.members()) {
            out.append("  ").append(m.name()).append(": ").append(String.join(" ", m.filters())).append('\n');
        }
        return out.toString();
    }
}
