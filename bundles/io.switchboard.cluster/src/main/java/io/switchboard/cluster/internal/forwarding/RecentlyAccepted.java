package io.switchboard.cluster.internal.forwarding;

import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The QoS 2 messages from other nodes this node handed to its sessions lately, by identity (the node a message
 * entered and that node's id for it): one sent again because this node's confirmation came too late (or not at all)
 * is not delivered twice. At most {@value #LIMIT}, the oldest go first. Thread-safe.
 */
public final class RecentlyAccepted {

    static final int LIMIT = 100_000;

    private record Identity(String origin, long id) {
    }

    private final Set<Identity> recent = new LinkedHashSet<>();
    private final int limit;

    public RecentlyAccepted() {
        this(LIMIT);
    }

    RecentlyAccepted(int limit) {
        this.limit = limit;
    }

    /** The message {@code id} of node {@code origin} was handed to this node's sessions. */
    public synchronized void add(String origin, long id) {
        if (recent.add(new Identity(origin, id)) && recent.size() > limit) {
            Iterator<Identity> oldest = recent.iterator();
            oldest.next();
            oldest.remove();
        }
    }

    /** Whether the message {@code id} of node {@code origin} was handed to this node's sessions lately. */
    public synchronized boolean contains(String origin, long id) {
        return recent.contains(new Identity(origin, id));
    }
}
