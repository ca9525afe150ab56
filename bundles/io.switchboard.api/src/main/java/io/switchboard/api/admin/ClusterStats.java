package io.switchboard.api.admin;

import java.util.List;

/**
 * A node's view of its cluster, read from {@link ClusterStatistics} (since 1.2).
 *
 * @param clusterName the cluster's name
 * @param nodeName this node's name
 * @param state the cluster's state as its engine names it (e.g. {@code ACTIVE})
 * @param members the members now, this node among them
 */
public record ClusterStats(String clusterName, String nodeName, String state, List<Member> members) {

    /** Copies the list (unmodifiable). */
    public ClusterStats {
        members = List.copyOf(members);
    }

    /**
     * One member.
     *
     * @param name its node name
     * @param address its cluster address ({@code host:port})
     * @param local whether it is this node
     * @param filters topic filters it subscribes to, as this node's routing view holds them
     * @param sentTo messages this node forwarded to it since this node joined (0 for this node)
     * @param receivedFrom messages this node received from it since this node joined (0 for this node)
     */
    public record Member(String name, String address, boolean local, List<String> filters, long sentTo, long receivedFrom) {

        /** Copies the list (unmodifiable). */
        public Member {
            filters = List.copyOf(filters);
        }
    }
}
