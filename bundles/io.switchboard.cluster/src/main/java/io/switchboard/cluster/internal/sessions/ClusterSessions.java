package io.switchboard.cluster.internal.sessions;

import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import com.hazelcast.config.Config;
import com.hazelcast.config.MapConfig;
import com.hazelcast.config.PartitioningStrategyConfig;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import io.switchboard.api.broker.SessionHandover;
import io.switchboard.api.broker.SessionHolder;
import io.switchboard.store.StateStore;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceRegistration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sessions across nodes, as one piece for the cluster node to start, register and stop: the replicating
 * {@link StateStore} (ranked above the local one, with {@value #STORE_PROPERTY}{@code =replicated}), the
 * {@link SessionHandover} and the {@code sb:clustersessions} command.
 */
public final class ClusterSessions implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ClusterSessions.class);

    /** The service property telling the replicating store from the local one. */
    public static final String STORE_PROPERTY = "switchboard.store";
    /** The filter selecting the local store (the one this store writes to). */
    public static final String LOCAL_STORE = "(!(" + STORE_PROPERTY + "=replicated))";
    private static final int STORE_RANKING = 100;

    private final RecordMirror mirror;
    private final Ownership ownership;
    private final ReplicatedStateStore store;
    private final SessionMoves moves;
    private final ExecutorService blocking;
    /** Polls the end of session moves. */
    private final ScheduledExecutorService timer;
    private final IMap<String, byte[]> records;

    /**
     * Starts on a running member; {@code holder} gives the front door's {@link SessionHolder}, if there is one;
     * {@code held} has what this node holds for the sessions of nodes that left, which it hands to them once taken;
     * {@code relays} carry what is published for a session while it moves between live nodes.
     */
    public ClusterSessions(HazelcastInstance hazelcast, String nodeName, String nodeAttribute, StateStore local,
            Supplier<SessionHolder> holder, HeldMessages held, Relays relays) {
        AtomicInteger threads = new AtomicInteger();
        blocking = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "switchboard-cluster-sessions-" + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "switchboard-cluster-moves");
            t.setDaemon(true);
            return t;
        });
        records = hazelcast.getMap(RecordKeys.RECORDS);
        ownership = new Ownership(hazelcast.getMap(RecordKeys.OWNERS), nodeName);
        mirror = new RecordMirror(records, nodeName);
        store = new ReplicatedStateStore(local, mirror, ownership);
        moves = new SessionMoves(hazelcast, ownership, records, local, holder, blocking, timer, nodeAttribute, held,
                relays);
    }

    /** The store that writes locally and to the cluster: what the front door writes its sessions to. */
    public StateStore store() {
        return store;
    }

    /** The maps' settings: {@code backupCount} synchronous backups; every record of a client id in its partition. */
    public static void configure(Config config, int backupCount) {
        MapConfig recordsConfig = new MapConfig(RecordKeys.RECORDS).setBackupCount(backupCount).setAsyncBackupCount(0)
                .setPartitioningStrategyConfig(new PartitioningStrategyConfig(new RecordKeys.ByClientId()));
        config.addMapConfig(recordsConfig);
        config.addMapConfig(new MapConfig(RecordKeys.OWNERS).setBackupCount(backupCount).setAsyncBackupCount(0));
    }

    /**
     * Registers the handover first (a login from now on claims its client id), then the store (the MQTT front door
     * restarts onto it, with the handover bound from its start), then the command.
     */
    public List<ServiceRegistration<?>> register(BundleContext context) {
        Dictionary<String, Object> storeProperties = new Hashtable<>();
        storeProperties.put(STORE_PROPERTY, "replicated");
        storeProperties.put(Constants.SERVICE_RANKING, STORE_RANKING);
        Dictionary<String, Object> command = new Hashtable<>();
        command.put("osgi.command.scope", "sb");
        command.put("osgi.command.function", new String[] {"clustersessions"});
        return List.of(context.registerService(SessionHandover.class, moves, null),
                context.registerService(StateStore.class, store, storeProperties),
                context.registerService(Object.class, new SessionsCommand(ownership, records, moves), command));
    }

    /** How many sessions {@code node} holds, by the cluster's owner map; -1 when the map cannot be read now. */
    public long sessionsOf(String node) {
        try {
            return ownership.ownedBy(node);
        } catch (RuntimeException e) {
            LOG.debug("Sessions of node '{}' not counted: {}", node, e.toString());
            return -1;
        }
    }

    /**
     * A member left, and this node adopts its sessions (the oldest member does): takes them; {@code over} runs once
     * every one is taken.
     */
    public void adopt(String node, Runnable over) {
        moves.memberLeft(node, over);
    }

    /** After the services are gone, before the member stops: the last changes reach the cluster. */
    @Override
    public void close() {
        mirror.close();
        blocking.shutdown();
        timer.shutdownNow();
    }
}
