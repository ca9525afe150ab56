package io.switchboard.cluster.internal;

/** The Gogo command {@code sb:cluster}: this node's view of the cluster (members, routes, forwarded counts). */
public final class ClusterCommand {

    private final ClusterNode node;

    ClusterCommand(ClusterNode node) {
        this.node = node;
    }

    /** Members with their address, filters and forwarded counts; then each node's filters. */
    public String cluster() {
        return node.describe();
    }
}
