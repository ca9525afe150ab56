package io.switchboard.api.admin;

import java.util.List;

/**
 * A node's view of its cluster, read from {@link ClusterStatistics} (since 1.2).
 *
 * @param clusterName the cluster's name
 * @param nodeName this node's name
 * @param state the cluster's state as its engine names it (e.g. {@code ACTIVE})
 * @param members the members now, this node among them
 * @param unconfirmed QoS 1/2 messages this node forwarded that wait for another node's confirmation now (their
 *        publishers are not acknowledged yet) (since 1.3)
 */
public record ClusterStats(String clusterName, String nodeName, String state, List<Member> members, int unconfirmed) {

    /** Copies the list (unmodifiable). */
    public ClusterStats {
        members = List.copyOf(members);
    }

    /** The constructor of admin API 1.2, kept for binary compatibility: no unconfirmed messages reported (0). */
    public ClusterStats(String clusterName, String nodeName, String state, List<Member> members) {
        this(clusterName, nodeName, state, members, 0);
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
     * @param usersOnline distinct users with a session online on it, as this node's presence view holds them
     *        (since 1.3)
     * @param sessions sessions it holds (the client ids the cluster's owner map gives it: connected or not, clean or
     *        persistent); -1 when the map could not be read (since 1.3)
     * @param unconfirmed QoS 1/2 messages this node forwarded or relayed to it that wait for its confirmation now
     *        (0 for this node) (since 1.4)
     * @param confirmed messages it confirmed to this node since this node joined (0 for this node) (since 1.4)
     * @param confirmationSeconds the time those confirmations took in all, from the send to the confirmation's
     *        arrival, in seconds: divided by {@code confirmed}, the mean wait of a publisher for that node (since 1.4)
     */
    public record Member(String name, String address, boolean local, List<String> filters, long sentTo, long receivedFrom,
            int usersOnline, long sessions, int unconfirmed, long confirmed, double confirmationSeconds) {

        /** Copies the list (unmodifiable). */
        public Member {
            filters = List.copyOf(filters);
        }

        /** The constructor of admin API 1.2, kept for binary compatibility: no users online or sessions reported (0). */
        public Member(String name, String address, boolean local, List<String> filters, long sentTo, long receivedFrom) {
            this(name, address, local, filters, sentTo, receivedFrom, 0, 0);
        }

        /** The constructor of admin API 1.3, kept for binary compatibility: no confirmations reported (0). */
        public Member(String name, String address, boolean local, List<String> filters, long sentTo, long receivedFrom,
                int usersOnline, long sessions) {
            this(name, address, local, filters, sentTo, receivedFrom, usersOnline, sessions, 0, 0, 0);
        }
    }
}
