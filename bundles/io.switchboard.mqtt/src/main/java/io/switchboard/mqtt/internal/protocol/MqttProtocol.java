package io.switchboard.mqtt.internal.protocol;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.mqtt.MqttDecoder;
import io.netty.handler.codec.mqtt.MqttEncoder;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.netty.util.concurrent.FastThreadLocal;
import io.switchboard.api.admin.TrafficStatistics;
import io.switchboard.api.admin.TrafficStats;
import io.switchboard.api.broker.Broker;
import io.switchboard.api.broker.SessionHandover;
import io.switchboard.api.broker.SessionHolder;
import io.switchboard.mqtt.internal.ConnectionCount;
import io.switchboard.mqtt.internal.ListenerInfo;
import io.switchboard.mqtt.internal.ListenerTraffic;
import io.switchboard.mqtt.internal.MqttPipeline;
import io.switchboard.mqtt.internal.Traffic;
import io.switchboard.store.StateStore;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The MQTT 3.1.1 / 5.0 protocol: adds the MQTT handlers to every connection a listener accepts and
 * keeps what outlives connections: the sessions' MQTT state, found through the broker's sessions and
 * looked after by {@link SessionLifecycle} (logins, ends, the timers of session expiry and delayed wills).
 * Configured by PID {@value #PID} ({@link MqttProtocolConfig}); a change applies to new
 * connections, a rejected change is logged and the last good configuration stays.
 *
 * <p>Persistent sessions (session expiry above 0) are kept in the {@link StateStore} through their
 * {@link SessionJournal} and recovered at activation, before any listener accepts a client
 * ({@link SessionRecovery}).
 *
 * <p>When several nodes form one broker, a cluster bundle registers a replicating {@link StateStore} (ranked higher:
 * the front door restarts once onto it, greedily, or starts only then when this configuration names it as this front
 * door's store: {@code mqttSessionStore.target = (switchboard.store=replicated)}) and a {@link SessionHandover}: every login first claims its client
 * id ({@link SessionLifecycle#login}), and this front door, as the {@link SessionHolder}, lets go of sessions other
 * nodes claim and takes the ones they held.
 *
 * <p>On deactivation every MQTT 5 client gets DISCONNECT 0x8B (server shutting down) and every
 * connection is closed; the wills of those connections are published; persistent sessions stay in the
 * store (with their pending wills and expiry), the others end.
 */
@Component(service = {MqttPipeline.class, TrafficStatistics.class, SessionHolder.class},
        configurationPid = MqttProtocol.PID, immediate = true)
@Designate(ocd = MqttProtocolConfig.class)
public final class MqttProtocol implements MqttPipeline, TrafficStatistics, SessionHolder {

    /** The configuration PID. */
    public static final String PID = "io.switchboard.mqtt";

    static final String FLUSHES = "mqtt-flushes";
    static final String SNIFFER = "mqtt-sniffer";
    static final String DECODER = "mqtt-decoder";
    static final String ENCODER = "mqtt-encoder";
    static final String COUNTING = "mqtt-counting";
    static final String HANDLER = "mqtt-connection";

    private static final Logger LOG = LoggerFactory.getLogger(MqttProtocol.class);
    /** Client ids longer than this are refused by the decoder (MQTT strings end at 65535 bytes anyway). */
    private static final int MAX_CLIENT_ID_LENGTH = 65535;
    private static final long STOP_WAIT_MILLIS = 5000;

    private final Broker broker;
    private final SessionJournal journal;
    private final ScheduledExecutorService timer;
    private final SessionLifecycle sessions;
    private final SessionRecovery recovery;
    /** Moves sessions between nodes while several nodes form one broker; {@code null} on a single node. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    volatile SessionHandover handover;
    private final Set<MqttConnectionHandler> connections = ConcurrentHashMap.newKeySet();
    /** The MQTT connections of every listener, against max.connections (sockets before their CONNECT are not in it). */
    private final ConnectionCount mqttConnections = new ConnectionCount();
    /** The listeners' counters and the messages dropped on their way to clients. */
    private final Traffic traffic = new Traffic();
    /** One packet counter per listener's counters, shared by its connections (it keeps no state of its own). */
    private final Map<ListenerTraffic, PacketCounting> packetCounting = new ConcurrentHashMap<>();
    private final ConnectionRateLimit connectionRate = new ConnectionRateLimit(System::nanoTime);
    private volatile ProtocolSettings settings;
    /** Each event loop's last PUBLISH encodings: a message fanned out to its connections is encoded once per form. */
    private final FastThreadLocal<RecentEncodings> recentEncodings = new FastThreadLocal<>() {
        @Override
        protected RecentEncodings initialValue() {
            return new RecentEncodings();
        }
    };

    /** Activated by DS with the broker and the configuration; throws naming a bad attribute. */
    @Activate
    public MqttProtocol(@Reference Broker broker,
            @Reference(name = "mqttSessionStore", policyOption = ReferencePolicyOption.GREEDY) StateStore stateStore,
            MqttProtocolConfig config) {
        this(broker, ProtocolSettings.from(config), new SessionJournal(stateStore), newTimer());
        LOG.info("MQTT protocol started: {}", settings);
    }

    /**
     * Without a framework (tests); recovers the sessions {@code journal} holds. {@code timer} runs session
     * expiry and delayed wills and is shut down by {@link #stop}.
     */
    MqttProtocol(Broker broker, ProtocolSettings settings, SessionJournal journal, ScheduledExecutorService timer) {
        this.broker = broker;
        this.settings = settings;
        this.journal = journal;
        this.timer = timer;
        this.sessions = new SessionLifecycle(broker, journal, timer, traffic, () -> handover);
        this.recovery = new SessionRecovery(this, journal);
        recovery.run();
    }

    static ScheduledExecutorService newTimer() {
        return Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "switchboard-mqtt-timer");
            t.setDaemon(true);
            return t;
        });
    }

    /** A changed configuration, for new connections; a bad one is logged and the last good one kept. */
    @Modified
    void modified(MqttProtocolConfig config) {
        try {
            settings = ProtocolSettings.from(config);
            LOG.info("MQTT protocol configuration applied to new connections: {}", settings);
        } catch (IllegalArgumentException e) {
            LOG.error("MQTT protocol ({}): configuration rejected, keeping the last good one: {}", PID, e.getMessage());
        }
    }

    /** Disconnects every client (MQTT 5: 0x8B), publishes pending wills and closes the sessions. */
    @Deactivate
    void deactivate() {
        stop();
    }

    void stop() {
        sessions.stopping();
        int open = connections.size();
        for (MqttConnectionHandler c : connections) {
            c.shutdown();
        }
        long deadline = System.currentTimeMillis() + STOP_WAIT_MILLIS;
        waitUntil(connections::isEmpty, deadline);
        // the persistent ones stay in the store with their pending wills and expiry; they continue at the next start
        int ended = sessions.closeNotPersistent("server shutting down");
        waitUntil(sessions::onlyPersistentLeft, deadline);
        // they leave the broker, and their last changes reach the store, before a new start of this bundle restores them
        List<CompletableFuture<Void>> released = sessions.releasePersistent("the MQTT front door stopped; kept in the store");
        int kept = released.size();
        awaitQuietly(CompletableFuture.allOf(released.toArray(CompletableFuture[]::new)).thenCompose(v -> journal.store().written()),
                deadline);
        timer.shutdownNow();
        LOG.info("MQTT protocol stopped: {} connection{} closed, {} session{} ended, {} kept in the store", open,
                open == 1 ? "" : "s", ended, ended == 1 ? "" : "s", kept);
    }

    private static void awaitQuietly(CompletionStage<?> stage, long deadline) {
        try {
            stage.toCompletableFuture().get(Math.max(1, deadline - System.currentTimeMillis()), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            LOG.warn("MQTT protocol stopping: the persistent sessions did not all reach the store in time: {}", e.toString());
        }
    }

    private static void waitUntil(java.util.function.BooleanSupplier done, long deadline) {
        while (!done.getAsBoolean() && System.currentTimeMillis() < deadline) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    // ---- SessionHolder: sessions moving between nodes

    @Override
    public CompletionStage<Void> letGo(String clientId, String reason) {
        return sessions.letGo(clientId, reason);
    }

    @Override
    public void take(String clientId, Map<String, SortedMap<String, byte[]>> records, long lostAt) {
        recovery.take(clientId, records, lostAt);
    }

    @Override
    public boolean holds(String clientId) {
        return sessions.holds(clientId);
    }

    // ---- MqttPipeline

    @Override
    public boolean admitsConnectionFrom(InetSocketAddress source, ListenerInfo listener) {
        if (source == null || source.getAddress() == null) {
            return true; // not an IP connection (tests over local channels): no source to count
        }
        int perSecond = settings.limits().maxConnectionRate();
        ConnectionRateLimit.Verdict verdict = connectionRate.admit(source.getAddress(), perSecond);
        if (verdict != ConnectionRateLimit.Verdict.ADMITTED) {
            listener.traffic().refused();
        }
        if (verdict == ConnectionRateLimit.Verdict.REFUSED_LOG) {
            long quiet = connectionRate.takeQuietRefusals(source.getAddress());
            LOG.info("MQTT listener '{}': connection from {} refused: more than {} new connections per second from {} "
                    + "(max.connection.rate){}; closed at accept, further refusals of this address logged at most "
                    + "once a minute", listener.name(), source.getAddress().getHostAddress() + ":" + source.getPort(),
                    perSecond, source.getAddress().getHostAddress(),
                    quiet == 0 ? "" : ", " + quiet + " more refused since the last line");
        }
        return verdict == ConnectionRateLimit.Verdict.ADMITTED;
    }

    @Override
    public void addProtocolHandlers(ChannelPipeline pipeline, ListenerInfo listener) {
        ProtocolSettings current = settings;
        ProtocolSniffer sniffer = new ProtocolSniffer();
        // acknowledgements and deliveries flush once per read burst or task batch, not once per packet
        pipeline.addLast(FLUSHES, new FlushConsolidationHandler(FlushConsolidationHandler.DEFAULT_EXPLICIT_FLUSH_AFTER_FLUSHES, true));
        pipeline.addLast(SNIFFER, sniffer);
        // Netty 4.2's limit counts the whole packet, fixed header included: exactly MQTT 5's Maximum Packet Size
        pipeline.addLast(DECODER, new MqttDecoder(listener.maxPacketSize(), MAX_CLIENT_ID_LENGTH, true));
        pipeline.addLast(ENCODER, MqttEncoder.INSTANCE);
        // between the codec and the handler: sees every decoded packet and every packet written
        pipeline.addLast(COUNTING, packetCounting.computeIfAbsent(listener.traffic(), PacketCounting::new));
        pipeline.addLast(HANDLER, new MqttConnectionHandler(this, listener, current, sniffer));
    }

    @Override
    public Traffic counters() {
        return traffic;
    }

    // ---- TrafficStatistics

    /**
     * The listeners' counters and drops, with the messages queued and in flight and the offline sessions, counted
     * per session now (each session's lock taken once, briefly).
     */
    @Override
    public TrafficStats traffic() {
        return sessions.traffic();
    }

    // ---- what connections use

    Broker broker() {
        return broker;
    }

    ProtocolSettings settings() {
        return settings;
    }

    boolean stopping() {
        return sessions.isStopping();
    }

    void opened(MqttConnectionHandler connection) {
        connections.add(connection);
    }

    void closed(MqttConnectionHandler connection) {
        connections.remove(connection);
    }

    /** The MQTT connections of every listener (max.connections). */
    ConnectionCount mqttConnections() {
        return mqttConnections;
    }

    /** The calling event loop's recent PUBLISH encodings (its thread's own). */
    RecentEncodings recentEncodings() {
        return recentEncodings.get();
    }

    /** Open connections now. */
    int connectionCount() {
        return connections.size();
    }

    /** The open connections (a live view). */
    Set<MqttConnectionHandler> connections() {
        return java.util.Collections.unmodifiableSet(connections);
    }

    /** The sessions' MQTT state: their logins and ends. */
    SessionLifecycle sessions() {
        return sessions;
    }

    /** Completes when everything recorded so far is in the store (what a PUBACK or SUBACK waits for). */
    CompletionStage<Void> written() {
        return journal.store().written();
    }

    /** A client id for a client that connected with an empty one. */
    String assignClientId(ProtocolSettings with) {
        return with.assignedClientIdPrefix() + UUID.randomUUID().toString().replace("-", "");
    }
}
