package io.switchboard.cluster.internal.sessions;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import com.hazelcast.aggregation.Aggregators;
import com.hazelcast.map.IMap;
import com.hazelcast.query.Predicates;

/**
 * Which sessions this node holds: the cluster-wide map {@link RecordKeys#OWNERS} (client id to node, with backups)
 * and this node's own set of them, which decides whose records are copied to the cluster (a node that let go of a
 * session never writes it there again, whatever its late changes).
 */
final class Ownership {

    private final IMap<String, String> owners;
    private final String self;
    private final Set<String> held = ConcurrentHashMap.newKeySet();
    /** Decisions about the sessions the local store had at start (blocking calls: at activation only). */
    private final Map<String, Boolean> keptAtStart = new ConcurrentHashMap<>();

    Ownership(IMap<String, String> owners, String self) {
        this.owners = owners;
        this.self = self;
    }

    String self() {
        return self;
    }

    IMap<String, String> owners() {
        return owners;
    }

    boolean holds(String clientId) {
        return held.contains(clientId);
    }

    void hold(String clientId) {
        held.add(clientId);
    }

    void letGo(String clientId) {
        held.remove(clientId);
    }

    int heldCount() {
        return held.size();
    }

    /** How many sessions the owner map gives {@code node} (a query on every member: for the shell and metrics). */
    long ownedBy(String node) {
        return owners.aggregate(Aggregators.count(), Predicates.equal("this", node));
    }

    /**
     * A session the local store kept from an earlier run: this node keeps it if no node owns it (the whole cluster
     * restarted) or this node does; another node's (it moved, or a survivor took it when this node died) is stale here.
     */
    boolean keepFromLocalStore(String clientId) {
        return keptAtStart.computeIfAbsent(clientId, c -> {
            String owner = owners.putIfAbsent(c, self);
            boolean keep = owner == null || owner.equals(self);
            if (keep) {
                held.add(c);
            }
            return keep;
        });
    }
}
