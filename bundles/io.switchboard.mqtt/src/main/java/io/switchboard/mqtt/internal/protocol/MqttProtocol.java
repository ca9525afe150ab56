package io.switchboard.mqtt.internal.protocol;

import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.mqtt.MqttDecoder;
import io.netty.handler.codec.mqtt.MqttEncoder;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.netty.handler.timeout.IdleStateHandler;
import io.switchboard.api.ReasonCode;
import io.switchboard.api.broker.Broker;
import io.switchboard.api.broker.ClientConnection;
import io.switchboard.api.broker.ClientSession;
import io.switchboard.api.broker.LoginRequest;
import io.switchboard.api.broker.RefusedException;
import io.switchboard.mqtt.internal.ListenerInfo;
import io.switchboard.mqtt.internal.MqttPipeline;
import io.switchboard.store.StateStore;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The MQTT 3.1.1 / 5.0 protocol: adds the MQTT handlers to every connection a listener accepts and
 * keeps what outlives connections: the sessions' MQTT state ({@link SessionStore}), the per-client-id
 * ordering of logins and disconnections ({@link SerialSteps}), and the timers of session expiry and
 * delayed wills. Configured by PID {@value #PID} ({@link MqttProtocolConfig}); a change applies to new
 * connections, a rejected change is logged and the last good configuration stays.
 *
 * <p>Persistent sessions (session expiry above 0) are kept in the {@link StateStore} through their
 * {@link SessionJournal} and recovered at activation, before any listener accepts a client
 * ({@link SessionRecovery}).
 *
 * <p>On deactivation every MQTT 5 client gets DISCONNECT 0x8B (server shutting down) and every
 * connection is closed; the wills of those connections are published; persistent sessions stay in the
 * store (with their pending wills and expiry), the others end.
 */
@Component(service = MqttPipeline.class, configurationPid = MqttProtocol.PID, immediate = true)
@Designate(ocd = MqttProtocolConfig.class)
public final class MqttProtocol implements MqttPipeline {

    /** The configuration PID. */
    public static final String PID = "io.switchboard.mqtt";

    static final String FLUSHES = "mqtt-flushes";
    static final String SNIFFER = "mqtt-sniffer";
    static final String DECODER = "mqtt-decoder";
    static final String ENCODER = "mqtt-encoder";
    static final String IDLE = "mqtt-idle";
    static final String HANDLER = "mqtt-connection";

    private static final Logger LOG = LoggerFactory.getLogger(MqttProtocol.class);
    /** Client ids longer than this are refused by the decoder (MQTT strings end at 65535 bytes anyway). */
    private static final int MAX_CLIENT_ID_LENGTH = 65535;
    private static final long STOP_WAIT_MILLIS = 5000;

    private final Broker broker;
    private final SessionStore store;
    private final SessionJournal journal;
    private final SerialSteps steps = new SerialSteps();
    private final ScheduledExecutorService timer;
    private final Set<MqttConnectionHandler> connections = ConcurrentHashMap.newKeySet();
    private volatile ProtocolSettings settings;
    private volatile boolean stopping;

    /** Activated by DS with the broker and the configuration; throws naming a bad attribute. */
    @Activate
    public MqttProtocol(@Reference Broker broker, @Reference StateStore stateStore, MqttProtocolConfig config) {
        this(broker, ProtocolSettings.from(config), new InMemorySessionStore(), new SessionJournal(stateStore), newTimer());
        LOG.info("MQTT protocol started: {}", settings);
    }

    /**
     * Without a framework (tests); recovers the sessions {@code journal} holds. {@code timer} runs session
     * expiry and delayed wills and is shut down by {@link #stop}.
     */
    MqttProtocol(Broker broker, ProtocolSettings settings, SessionStore store, SessionJournal journal,
            ScheduledExecutorService timer) {
        this.broker = broker;
        this.settings = settings;
        this.store = store;
        this.journal = journal;
        this.timer = timer;
        new SessionRecovery(this, journal).run();
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
        stopping = true;
        int open = connections.size();
        for (MqttConnectionHandler c : connections) {
            c.shutdown();
        }
        long deadline = System.currentTimeMillis() + STOP_WAIT_MILLIS;
        waitUntil(() -> connections.isEmpty() && steps.idle(), deadline);
        int sessions = 0;
        int kept = 0;
        for (MqttSession s : store.all()) {
            if (s.persistent()) {
                kept++; // stays in the store with its pending will and expiry; continues at the next start
                continue;
            }
            Will will = s.takePendingWill();
            ClientSession cs = s.clientSession();
            if (cs != null) {
                if (will != null) {
                    publishWill(cs, will, s.clientId());
                }
                cs.close("server shutting down");
            }
            s.end("server shutting down");
            store.remove(s);
            sessions++;
        }
        timer.shutdownNow();
        LOG.info("MQTT protocol stopped: {} connection{} closed, {} session{} ended, {} kept in the store", open,
                open == 1 ? "" : "s", sessions, sessions == 1 ? "" : "s", kept);
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

    // ---- MqttPipeline

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
        // until CONNECT: the connect timeout; the connection handler sets the keep alive after CONNECT
        pipeline.addLast(IDLE, new IdleStateHandler(current.connectTimeoutSeconds(), 0, 0));
        pipeline.addLast(HANDLER, new MqttConnectionHandler(this, listener, current, sniffer));
    }

    // ---- what connections use

    Broker broker() {
        return broker;
    }

    ProtocolSettings settings() {
        return settings;
    }

    boolean stopping() {
        return stopping;
    }

    void opened(MqttConnectionHandler connection) {
        connections.add(connection);
    }

    void closed(MqttConnectionHandler connection) {
        connections.remove(connection);
    }

    /** Open connections now. */
    int connectionCount() {
        return connections.size();
    }

    /** The open connections (a live view). */
    Set<MqttConnectionHandler> connections() {
        return java.util.Collections.unmodifiableSet(connections);
    }

    /** The sessions' MQTT state. */
    SessionStore store() {
        return store;
    }

    /** Completes when everything recorded so far is in the store (what a PUBACK or SUBACK waits for). */
    CompletionStage<Void> written() {
        return journal.store().written();
    }

    /** A client id for a client that connected with an empty one. */
    String assignClientId(ProtocolSettings with) {
        return with.assignedClientIdPrefix() + UUID.randomUUID().toString().replace("-", "");
    }

    /**
     * Logs {@code connection} in, after the earlier logins and disconnections of the same client id.
     * On success the session's MQTT state is attached to it, a connection holding the session before
     * is taken over, and the connection is told ({@link MqttConnectionHandler#loggedIn}); on refusal it
     * is told too ({@link MqttConnectionHandler#loginRefused}).
     */
    void login(MqttConnectionHandler connection, LoginRequest request, ProtocolSettings with) {
        steps.run(request.clientId(), () -> loginStep(connection, request, with));
    }

    private CompletionStage<?> loginStep(MqttConnectionHandler connection, LoginRequest request, ProtocolSettings with) {
        if (stopping) {
            connection.loginRefused(new RefusedException(ReasonCode.SERVER_UNAVAILABLE, "server shutting down"));
            return null;
        }
        MqttSession existing = store.get(request.clientId());
        MqttSession candidate = !request.cleanStart() && existing != null && !existing.isEnded() ? existing
                : new MqttSession(request.clientId(), with);
        CompletionStage<ClientSession> login;
        try {
            login = broker.login(request, candidate);
        } catch (RuntimeException e) {
            login = CompletableFuture.failedFuture(e);
        }
        return login.handle((clientSession, error) -> {
            if (error != null) {
                connection.loginRefused(error);
            } else {
                adopt(connection, request, existing, candidate, clientSession);
            }
            return null;
        });
    }

    /** After a successful login: store and attach the state, take over the previous connection, wills. */
    private void adopt(MqttConnectionHandler connection, LoginRequest request, MqttSession existing, MqttSession candidate,
            ClientSession clientSession) {
        boolean present = clientSession.sessionPresent() && !request.cleanStart();
        MqttSession.Outlet previousOwner = null;
        Will orphanWill = null;
        if (existing != null && existing != candidate) {
            // a clean start, or the broker had no session: the old state ends
            previousOwner = existing.owner();
            orphanWill = existing.takePendingWill();
            existing.end("session replaced by a new session of the same client id");
            store.remove(existing);
        } else if (existing != null && !present) {
            existing.reset("the broker started a new session");
        }
        store.put(candidate);
        MqttSession.Outlet owner = candidate.attach(connection, clientSession);
        if (owner == null) {
            owner = previousOwner;
        }
        candidate.persist(journal, clientSession.session().user(), request.protocol(), connection.client().sessionExpiry,
                connection.currentWill());
        Will delayed = candidate == existing ? candidate.takePendingWill() : null;
        if (delayed != null && !present) {
            orphanWill = delayed; // the session did not continue: a delayed will is due now
        }
        // delayed && present: the client came back within the will delay, the will is not sent (MQTT 5 3.1.3.2.2)
        if (orphanWill != null) {
            publishWill(clientSession, orphanWill, request.clientId());
        }
        connection.session = candidate;
        connection.clientSession = clientSession;
        if (owner != null && owner != connection) {
            Will will = owner.takeOver();
            LOG.info("MQTT client '{}': session taken over by a new connection{}", request.clientId(),
                    present ? " (resumed)" : " (clean start)");
            if (will != null && (!present || will.delaySeconds() == 0)) {
                publishWill(clientSession, will, request.clientId());
            }
        }
        connection.loggedIn(candidate, present);
    }

    /**
     * A logged-in connection ended (after its earlier steps): closes the session (expiry 0) or
     * detaches it, publishes or schedules the will, and starts the expiry timer. Nothing happens to a
     * session another connection took over meanwhile.
     */
    void connectionEnded(MqttConnectionHandler connection, String clientId, String reason, long sessionExpiry,
            ClientConnection clientConnection) {
        steps.run(clientId, () -> {
            ended(connection, clientId, reason, sessionExpiry, clientConnection);
            return null;
        });
    }

    private void ended(MqttConnectionHandler connection, String clientId, String reason, long sessionExpiry,
            ClientConnection clientConnection) {
        MqttSession s = connection.session;
        ClientSession cs = connection.clientSession;
        if (s == null || cs == null) {
            // never logged in (refused)
            if (clientConnection != null) {
                clientConnection.closed(reason);
            }
            return;
        }
        if (!s.detach(connection)) {
            LOG.debug("MQTT client '{}': connection ended after its session was taken over", clientId);
            return;
        }
        Will will = connection.takeWill();
        if (sessionExpiry == 0 || stopping && !s.persistent()) {
            if (will != null) {
                publishWill(cs, will, clientId);
            }
            store.remove(s);
            s.end("session closed: " + reason);
            cs.close(reason);
            if (clientConnection != null) {
                clientConnection.closed(reason);
            }
            return;
        }
        // a persistent session: ClientConnection.closed would close it in the broker, so only detach
        cs.detach(reason);
        Will waiting = null;
        if (will != null) {
            if (will.delaySeconds() == 0 || stopping) {
                publishWill(cs, will, clientId);
            } else {
                waiting = will;
                scheduleWill(s, will, will.delaySeconds() * 1000);
            }
        }
        s.wentOffline(System.currentTimeMillis(), sessionExpiry, waiting);
        if (sessionExpiry != ProtocolSettings.NEVER && !stopping) {
            scheduleExpiry(s, sessionExpiry * 1000);
        }
    }

    /** Publishes {@code will} of the offline session {@code s} after {@code delayMillis}, unless the client is back. */
    void scheduleWill(MqttSession s, Will will, long delayMillis) {
        int epoch = s.epoch();
        s.pendingWill(will, schedule(() -> steps.run(s.clientId(), () -> {
            willDue(s, will, epoch);
            return null;
        }), delayMillis));
    }

    /** Ends the offline session {@code s} after {@code delayMillis}, unless the client is back. */
    void scheduleExpiry(MqttSession s, long delayMillis) {
        int epoch = s.epoch();
        s.expiryTask(schedule(() -> steps.run(s.clientId(), () -> {
            expire(s, epoch);
            return null;
        }), delayMillis));
    }

    private java.util.concurrent.ScheduledFuture<?> schedule(Runnable task, long millis) {
        try {
            return timer.schedule(task, Math.max(0, millis), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            return null; // stopping: stop() ends every session
        }
    }

    private void willDue(MqttSession s, Will will, int epoch) {
        if (s.offlineSince(epoch) && s.takePendingWill(will)) {
            publishWill(s.clientSession(), will, s.clientId());
        }
    }

    private void expire(MqttSession s, int epoch) {
        if (!s.offlineSince(epoch)) {
            return;
        }
        Will will = s.takePendingWill();
        ClientSession cs = s.clientSession();
        if (will != null) {
            publishWill(cs, will, s.clientId());
        }
        // forgotten here before the broker hears of it: whoever sees the close sees the session gone
        store.remove(s);
        s.end("session expired");
        cs.close("session expired");
        LOG.debug("MQTT client '{}': session expired", s.clientId());
    }

    /** Publishes a will through {@code session}; a failure is logged. */
    void publishWill(ClientSession session, Will will, String clientId) {
        LOG.debug("MQTT client '{}': publishing its will to '{}'", clientId, will.message().topic());
        try {
            session.publish(will.toPublish(System.currentTimeMillis())).whenComplete((result, error) -> {
                if (error != null) {
                    LOG.info("MQTT client '{}': will to '{}' not published: {}", clientId, will.message().topic(),
                            error.toString());
                }
            });
        } catch (RuntimeException e) {
            LOG.info("MQTT client '{}': will to '{}' not published: {}", clientId, will.message().topic(), e.toString());
        }
    }
}
