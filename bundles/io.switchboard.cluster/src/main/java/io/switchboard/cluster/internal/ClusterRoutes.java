package io.switchboard.cluster.internal;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import com.hazelcast.core.EntryAdapter;
import com.hazelcast.core.EntryEvent;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.replicatedmap.ReplicatedMap;
import io.switchboard.cluster.internal.sessions.RouteView;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster-wide subscription view: the replicated map {@value #ROUTES} (one entry per node and filter), this node's
 * {@link FilterIndex} of it, kept up to date by the map's events, and where the routes of nodes that left lead
 * ({@link OrphanRoutes}). This node's own route changes are written one after another by one thread of its own, so a
 * broker worker never waits on the network.
 */
final class ClusterRoutes implements RouteView, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ClusterRoutes.class);

    /** The replicated map of routes: key {@code node + '\0' + filter}, value the node. */
    static final String ROUTES = "switchboard.routes";
    private static final char SEPARATOR = '\0';

    private final String self;
    private final FilterIndex index = new FilterIndex();
    /** This node's own filters. */
    private final Set<String> own = ConcurrentHashMap.newKeySet();
    private final OrphanRoutes orphans = new OrphanRoutes();
    private ReplicatedMap<String, String> routes;
    private final ChangeWriter writer = new ChangeWriter("routes");

    /** The routes of node {@code self}; {@link #start} once its member runs. */
    ClusterRoutes(String self) {
        this.self = self;
    }

    /** Reads the other nodes' routes and follows their changes; removes what an earlier run of this node left. */
    void start(HazelcastInstance hazelcast) {
        routes = hazelcast.getReplicatedMap(ROUTES);
        routes.addEntryListener(new Listener());
        for (Map.Entry<String, String> route : routes.entrySet()) {
            apply(route.getKey(), true);
        }
        forgetOwnRoutesOfEarlierRuns();
    }

    /** Where a message to {@code topic} goes: the nodes whose filters match it, the routes of nodes that left pointed at their adopters. */
    OrphanRoutes.Resolved match(String topic) {
        return orphans.resolve(index.match(topic));
    }

    /** The filters of each node, sorted. */
    Map<String, Set<String>> filtersByNode() {
        return index.filtersByNode();
    }

    /** This node has a subscription to {@code filter} now. */
    void added(String filter) {
        own.add(filter);
        String key = key(self, filter);
        writer.write(() -> routes.put(key, self));
    }

    /** This node's last subscription to {@code filter} is gone. */
    void removed(String filter) {
        own.remove(filter);
        String key = key(self, filter);
        writer.write(() -> routes.remove(key));
    }

    @Override
    public Set<String> ownFilters() {
        return Set.copyOf(own);
    }

    @Override
    public boolean sees(String node, Collection<String> filters) {
        return index.holdsAll(node, filters);
    }

    /**
     * The routes of nodes that are not members (of {@code members}): nodes that left, whose sessions {@code oldest} is
     * adopting (it removes their routes when done), so they lead there as on the members that saw them leave.
     */
    void pointAbsentNodesAt(Set<String> members, String oldest) {
        for (String node : index.filtersByNode().keySet()) {
            if (!members.contains(node)) {
                orphans.pointAt(node, oldest);
            }
        }
    }

    /**
     * {@code node} left and {@code adopter} takes its sessions: its routes lead there from now on. Returns the nodes
     * whose sessions {@code node} was adopting: their routes lead nowhere any more (what it held for them is gone).
     */
    Set<String> left(String node, String adopter) {
        Set<String> orphaned = orphans.adoptedBy(node);
        orphaned.forEach(index::removeNode);
        if (index.holds(node)) {
            orphans.pointAt(node, adopter);
        }
        return orphaned;
    }

    /** {@code node} is a member again: its routes lead to it (it removes those of its earlier run and announces its own). */
    void back(String node) {
        orphans.forget(node);
    }

    /**
     * Removes every route of {@code node} (a node that left) from the map, after this node's own route changes queued
     * so far.
     */
    void removeRoutesOf(String node) {
        String prefix = node + SEPARATOR;
        writer.write(() -> {
            for (String key : new ArrayList<>(routes.keySet())) {
                if (key.startsWith(prefix)) {
                    routes.remove(key);
                }
            }
        });
    }

    /** Writes the route changes still queued (up to 5 s); the adopter of this node's sessions removes its routes. */
    @Override
    public void close() {
        writer.close();
    }

    static String key(String node, String filter) {
        return node + SEPARATOR + filter;
    }

    private void apply(String key, boolean present) {
        int separator = key.indexOf(SEPARATOR);
        if (separator <= 0) {
            return;
        }
        String node = key.substring(0, separator);
        String filter = key.substring(separator + 1);
        if (present) {
            index.add(node, filter);
        } else {
            index.remove(node, filter);
            if (!index.holds(node)) {
                orphans.forget(node); // a node that left: the adopter removed its routes, the adoption is over
            }
        }
    }

    /** Routes under this node's name left by a run that died before the others noticed: this run announces its own. */
    private void forgetOwnRoutesOfEarlierRuns() {
        String prefix = self + SEPARATOR;
        for (String key : new ArrayList<>(routes.keySet())) {
            if (key.startsWith(prefix)) {
                routes.remove(key);
                apply(key, false);
            }
        }
    }

    private final class Listener extends EntryAdapter<String, String> {
        @Override
        public void entryAdded(EntryEvent<String, String> event) {
            apply(event.getKey(), true);
        }

        @Override
        public void entryUpdated(EntryEvent<String, String> event) {
            apply(event.getKey(), true);
        }

        @Override
        public void entryRemoved(EntryEvent<String, String> event) {
            apply(event.getKey(), false);
        }
    }
}
