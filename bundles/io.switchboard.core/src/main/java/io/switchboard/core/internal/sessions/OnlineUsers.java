package io.switchboard.core.internal.sessions;

import java.util.concurrent.ConcurrentHashMap;

import io.switchboard.api.broker.ClusterPeer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which users have a session online, on this node (counted here per user) and, when several nodes form one broker,
 * on the others (asked of the {@link ClusterPeer}, which answers from its local copy). The peer hears of a user's
 * first session online on this node and of its last one going offline, never of the ones in between, and for one
 * user in the order of the changes: it is told under the user's entry lock, as {@code ClusterLink} tells filters.
 */
public final class OnlineUsers {

    private static final Logger LOG = LoggerFactory.getLogger(OnlineUsers.class);

    /** Sessions online per user on this node; a user without any has no entry. */
    private final ConcurrentHashMap<String, Integer> sessionsOnline = new ConcurrentHashMap<>();
    /** {@code null} on a single node. */
    private volatile ClusterPeer peer;

    /** Uses {@code clusterPeer} from now on ({@code null}: a single node again), after telling it who is online here. */
    public void setPeer(ClusterPeer clusterPeer) {
        this.peer = clusterPeer;
        if (clusterPeer != null) {
            for (String user : sessionsOnline.keySet()) {
                // under the user's lock, so it cannot overtake the user's going offline
                sessionsOnline.computeIfPresent(user, (u, n) -> {
                    tell(clusterPeer, u, true);
                    return n;
                });
            }
        }
    }

    /** One more session of {@code user} is online on this node. */
    void online(String user) {
        sessionsOnline.compute(user, (u, n) -> {
            if (n == null) {
                tell(peer, u, true);
                return 1;
            }
            return n + 1;
        });
    }

    /** One session of {@code user} on this node went offline. */
    void offline(String user) {
        sessionsOnline.computeIfPresent(user, (u, n) -> {
            if (n > 1) {
                return n - 1;
            }
            tell(peer, u, false);
            return null;
        });
    }

    /** Whether {@code user} has a session online on this node or, as far as this node knows, on another one. */
    public boolean isOnline(String user) {
        if (sessionsOnline.containsKey(user)) {
            return true;
        }
        ClusterPeer clusterPeer = peer;
        if (clusterPeer == null) {
            return false;
        }
        try {
            return clusterPeer.onlineElsewhere(user);
        } catch (RuntimeException e) {
            LOG.warn("The other nodes' presence of user '{}' could not be read: answering for this node only", user, e);
            return false;
        }
    }

    /** A failing peer must not fail the login or logout that changed the user's presence. */
    private static void tell(ClusterPeer clusterPeer, String user, boolean online) {
        if (clusterPeer == null) {
            return;
        }
        try {
            if (online) {
                clusterPeer.userOnline(user);
            } else {
                clusterPeer.userOffline(user);
            }
        } catch (RuntimeException e) {
            LOG.warn("The other nodes were not told that user '{}' is {} on this node", user, online ? "online" : "offline", e);
        }
    }
}
