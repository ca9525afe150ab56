package io.switchboard.cluster.internal;

import java.util.ArrayList;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

import com.hazelcast.core.EntryAdapter;
import com.hazelcast.core.EntryEvent;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.replicatedmap.ReplicatedMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster-wide subscription view: the shared replicated map {@value #ROUTES} holds one entry per (node, filter) a
 * node subscribes to, and every node keeps a {@link FilterIndex} of it, which a match reads without a lock. This
 * node's route changes are written one after another on a thread of their own (a write may wait on the network; a
 * worker only queues). A node that left is forgotten by every member; a node starting removes what an earlier run of
 * it left.
 */
final class ClusterRoutes implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ClusterRoutes.class);

    /** The replicated map of routes: key {@code node + '\0' + filter}, value the node. */
    static final String ROUTES = "switchboard.routes";
    private static final char SEPARATOR = '\0';

    private final FilterIndex index = new FilterIndex();
    private final String self;
    private final ExecutorService writer = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "switchboard-cluster-routes");
        t.setDaemon(true);
        return t;
    });
    private ReplicatedMap<String, String> routes;

    /** The routes of node {@code self}; {@link #start} once its member runs. */
    ClusterRoutes(String self) {
        this.self = self;
    }

    /** Reads the other nodes' routes and follows their changes; removes what an earlier run of this node left. */
    void start(HazelcastInstance hazelcast) {
        routes = hazelcast.getReplicatedMap(ROUTES);
        routes.addEntryListener(new RouteListener());
        for (Map.Entry<String, String> route : routes.entrySet()) {
            apply(route.getKey(), true);
        }
        forgetOwnRoutesOfEarlierRuns();
    }

    /** The nodes whose filters match {@code topic}, and the node serving each matching shared subscription. */
    FilterIndex.Match match(String topic) {
        return index.match(topic);
    }

    /** Each node's filters, as this node routes by them. */
    Map<String, Set<String>> filtersByNode() {
        return index.filtersByNode();
    }

    /** This node's first subscription to {@code filter} appeared. Returns at once. */
    void added(String filter) {
        String key = key(self, filter);
        write(() -> routes.put(key, self));
    }

    /** This node's last subscription to {@code filter} is gone. Returns at once. */
    void removed(String filter) {
        String key = key(self, filter);
        write(() -> routes.remove(key));
    }

    /** {@code node} is no member: this node stops routing to it at once, and removes its routes from the map. */
    void forgetNode(String node) {
        index.removeNode(node);
        String prefix = node + SEPARATOR;
        write(() -> {
            for (String key : new ArrayList<>(routes.keySet())) {
                if (key.startsWith(prefix)) {
                    routes.remove(key); // every member does this; removing twice is harmless
                }
            }
        });
    }

    /** Finishes the queued writes (up to 5 s); the other nodes drop this node's routes when it leaves. */
    @Override
    public void close() {
        writer.shutdown();
        try {
            if (!writer.awaitTermination(5, TimeUnit.SECONDS)) {
                LOG.warn("Route changes still queued at shutdown; the other nodes forget this node's routes when it leaves");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
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

    private void write(Runnable change) {
        try {
            writer.execute(() -> {
                try {
                    change.run();
                } catch (RuntimeException e) { // the member is shutting down, or lost the cluster
                    LOG.warn("Route change not written: {}", e.toString());
                }
            });
        } catch (RejectedExecutionException leaving) {
            // deactivating: the other nodes drop all of this node's routes when it leaves
        }
    }

    private static String key(String node, String filter) {
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
        }
    }

    private final class RouteListener extends EntryAdapter<String, String> {
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
