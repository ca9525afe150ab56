package io.switchboard.cluster.internal;

import java.util.Locale;

import io.switchboard.api.admin.ClusterStatistics;
import io.switchboard.api.admin.ClusterStats;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/**
 * The Gogo command {@code sb:cluster}: this node's view of the cluster (members, routes, forwarded counts). There
 * on every node, so a node that runs alone says so instead of "command not found".
 */
@Component(service = ClusterCommand.class, property = {"osgi.command.scope=sb", "osgi.command.function=cluster"})
public final class ClusterCommand {

    static final String ALONE = "no cluster member runs on this node: it runs alone. A cluster starts when "
            + "configadmin/io.switchboard.cluster.cfg exists (see docs/cluster.md); if it does, the member is still "
            + "joining or did not start (see the log)\n";

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    volatile ClusterStatistics statistics;

    /**
     * Members with their address, sessions, users online, filters, forwarded counts, messages waiting for their
     * confirmation and the mean wait for one (since this node joined); then each node's filters.
     */
    public String cluster() {
        ClusterStatistics current = statistics;
        return current == null ? ALONE : format(current.cluster());
    }

    static String format(ClusterStats stats) {
        StringBuilder out = new StringBuilder();
        out.append("cluster '").append(stats.clusterName()).append("': ").append(stats.members().size())
                .append(" members, state ").append(stats.state()).append(", this node '").append(stats.nodeName()).append("'\n");
        out.append(String.format("%-16s %-24s %8s %8s %8s %10s %10s %11s %10s%n", "NODE", "ADDRESS", "SESSIONS", "USERS",
                "FILTERS", "SENT-TO", "RECEIVED", "UNCONFIRMED", "CONFIRM-MS"));
        long sent = 0;
        long received = 0;
        for (ClusterStats.Member m : stats.members()) {
            out.append(String.format("%-16s %-24s %8s %8d %8d %10s %10s %11s %10s%n", m.name() + (m.local() ? " *" : ""),
                    m.address(), m.sessions() < 0 ? "?" : Long.toString(m.sessions()), m.usersOnline(), m.filters().size(),
                    m.local() ? "-" : Long.toString(m.sentTo()),
                    m.local() ? "-" : Long.toString(m.receivedFrom()),
                    m.local() ? "-" : Integer.toString(m.unconfirmed()),
                    m.local() || m.confirmed() == 0 ? "-"
                            : String.format(Locale.ROOT, "%.2f", m.confirmationSeconds() * 1000 / m.confirmed())));
            sent += m.sentTo();
            received += m.receivedFrom();
        }
        out.append("forwarded: sent ").append(sent).append(", received ").append(received).append(", unconfirmed now ")
                .append(stats.unconfirmed()).append('\n');
        out.append("subscriptions per node:\n");
        for (ClusterStats.Member m : stats.members()) {
            out.append("  ").append(m.name()).append(": ").append(String.join(" ", m.filters())).append('\n');
        }
        return out.toString();
    }
}
