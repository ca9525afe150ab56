package io.switchboard.mqtt.internal.protocol;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import io.switchboard.api.ReasonCode;
import io.switchboard.api.broker.Broker;
import io.switchboard.api.broker.ClientConnection;
import io.switchboard.api.broker.ClientSession;
import io.switchboard.api.broker.LoginRequest;
import io.switchboard.api.admin.TrafficStats;
import io.switchboard.api.broker.RefusedException;
import io.switchboard.api.broker.SessionHandover;
import io.switchboard.mqtt.internal.Traffic;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What becomes of the MQTT state of sessions: made at a login, found again as the broker session's receiver
 * when a login resumes it, offline when its connection ends (the will published or waiting for its delay,
 * the expiry timer started), ended when the broker closes the session (expired, replaced by a clean start,
 * closed with its connection). The broker decides, in the order of the client id's logins, detaches and
 * closes, and tells the state ({@link MqttSession#detached}, {@link MqttSession#closing}); nothing here keeps
 * sessions by client id or orders them.
 */
final class SessionLifecycle {

    private static final Logger LOG = LoggerFactory.getLogger(SessionLifecycle.class);

    private final Broker broker;
    private final SessionJournal journal;
    private final ScheduledExecutorService timer;
    private final Traffic traffic;
    /** The cluster's session handover, while several nodes form one broker; gives {@code null} on a single node. */
    private final Supplier<SessionHandover> handover;
    /**
     * The states this protocol made or recovered, until they end: what a stop ends or leaves in the store. A
     * connection finds its client's state through the broker's session; the cluster's let-go, which has only the
     * client id, through {@link #statesByClientId}.
     */
    private final Set<MqttSession> states = ConcurrentHashMap.newKeySet();
    /**
     * {@link #states} by client id, so that a let-go costs no scan of every session: a set (nothing here promises one
     * state per client id at every instant, {@link #present} counts them), immutable, replaced atomically.
     */
    private final Map<String, Set<MqttSession>> statesByClientId = new ConcurrentHashMap<>();
    /**
     * Per client id, its states and its logins in progress while a cluster hands sessions over: whether this node
     * still holds anything of the client id when a session ends ({@link #holds}).
     */
    private final Map<String, Integer> present = new ConcurrentHashMap<>();
    private volatile boolean stopping;

    SessionLifecycle(Broker broker, SessionJournal journal, ScheduledExecutorService timer, Traffic traffic,
            Supplier<SessionHandover> handover) {
        this.broker = broker;
        this.handover = handover;
        this.journal = journal;
        this.timer = timer;
        this.traffic = traffic;
    }

    /** What the front door counts (the sessions' queues count their drops into it). */
    Traffic counters() {
        return traffic;
    }

    /** The counters, with the messages queued and in flight and the offline sessions, counted over the states now. */
    TrafficStats traffic() {
        long[] held = new long[3];
        for (MqttSession s : states) {
            s.countInto(held);
        }
        return traffic.stats(held[0], held[1], (int) held[2]);
    }

    // ---- logging in

    /**
     * Logs {@code connection} in: the broker resumes the session (its state comes back as its receiver) or opens
     * a new one (a new state), then, in the login's turn, the state is attached to the connection, which is told
     * ({@link MqttConnectionHandler#loggedIn}); on refusal it is told too ({@link MqttConnectionHandler#loginRefused}).
     * In a cluster the node first claims the client id: a session another node held comes here first.
     */
    void login(MqttConnectionHandler connection, LoginRequest request, ProtocolSettings with) {
        if (stopping) {
            connection.loginRefused(new RefusedException(ReasonCode.SERVER_UNAVAILABLE, "server shutting down"));
            return;
        }
        SessionHandover cluster = handover.get();
        if (cluster == null) {
            open(connection, request, with, null);
            return;
        }
        String clientId = request.clientId();
        enter(clientId); // until the login ends: the cluster does not forget this node's ownership meanwhile
        try {
            cluster.claim(clientId).whenComplete((v, error) -> {
                if (error != null) {
                    LOG.warn("MQTT client '{}': login refused, the cluster did not hand its session over: {}", clientId,
                            error.toString());
                    loginEnded(clientId, cluster, true);
                    connection.loginRefused(new RefusedException(ReasonCode.SERVER_UNAVAILABLE, "session not available"));
                } else {
                    open(connection, request, with, cluster);
                }
            });
        } catch (RuntimeException e) {
            loginEnded(clientId, cluster, true);
            connection.loginRefused(e);
        }
    }

    /** {@code cluster}: the handover the login claimed through, told when the login ends; {@code null} on a single node. */
    private void open(MqttConnectionHandler connection, LoginRequest request, ProtocolSettings with, SessionHandover cluster) {
        MqttSession[] state = new MqttSession[1];
        try {
            broker.login(request, resumed -> state[0] = resumed instanceof MqttSession s ? s : newState(request.clientId(), with),
                    (clientSession, error) -> {
                        if (error != null) {
                            loginEnded(request.clientId(), cluster, true);
                            connection.loginRefused(error);
                        } else {
                            attach(connection, request, state[0], clientSession);
                            loginEnded(request.clientId(), cluster, false);
                        }
                    });
        } catch (RuntimeException e) {
            loginEnded(request.clientId(), cluster, true);
            connection.loginRefused(e);
        }
    }

    private void loginEnded(String clientId, SessionHandover cluster, boolean refused) {
        if (cluster == null) {
            return;
        }
        leave(clientId);
        if (refused) {
            cluster.ended(clientId);
        }
    }

    /** Whether this node has a state of {@code clientId} or a login of it in progress (for the cluster). */
    boolean holds(String clientId) {
        return present.containsKey(clientId);
    }

    private void enter(String clientId) {
        present.merge(clientId, 1, Integer::sum);
    }

    private void leave(String clientId) {
        present.computeIfPresent(clientId, (id, n) -> n == 1 ? null : n - 1);
    }

    private void track(MqttSession s) {
        states.add(s);
        statesByClientId.merge(s.clientId(), Set.of(s), SessionLifecycle::union);
        enter(s.clientId());
    }

    private void untrack(MqttSession s) {
        if (states.remove(s)) {
            statesByClientId.computeIfPresent(s.clientId(), (id, of) -> without(of, s));
            leave(s.clientId());
        }
    }

    private static Set<MqttSession> union(Set<MqttSession> a, Set<MqttSession> b) {
        Set<MqttSession> both = new HashSet<>(a);
        both.addAll(b);
        return Set.copyOf(both);
    }

    /** {@code of} without {@code s}; null when nothing is left. */
    private static Set<MqttSession> without(Set<MqttSession> of, MqttSession s) {
        if (!of.contains(s)) {
            return of;
        }
        Set<MqttSession> rest = new HashSet<>(of);
        rest.remove(s);
        return rest.isEmpty() ? null : Set.copyOf(rest);
    }

    private MqttSession newState(String clientId, ProtocolSettings with) {
        MqttSession s = new MqttSession(clientId, with, this);
        track(s);
        return s;
    }

    /** In the login's turn: the connection holds the state now (a connection holding it before was told at its detach). */
    private void attach(MqttConnectionHandler connection, LoginRequest request, MqttSession s, ClientSession clientSession) {
        s.attach(connection, clientSession);
        s.persist(journal, clientSession.session().user(), request.protocol(), connection.client().sessionExpiry,
                connection.currentWill());
        // a will waiting for its delay is not sent: the client is back in time (MQTT 5 3.1.3.2.2)
        s.takePendingWill();
        connection.session = s;
        connection.clientSession = clientSession;
        connection.loggedIn(s, clientSession.sessionPresent());
    }

    /** A session recovered from the store at start, restored in the broker as {@code handle}. */
    void recovered(MqttSession s, ClientSession handle) {
        s.restoredAs(handle);
        track(s);
    }

    // ---- a connection ends

    /**
     * A logged-in connection ended: the broker detaches its session (persistent) or closes it, in its turn after
     * the client id's earlier logins; the state hears of it ({@link #detached}, {@link #closing}) unless another
     * connection took the session over meanwhile.
     */
    void connectionEnded(String reason, long sessionExpiry, ClientConnection clientConnection) {
        boolean keep = sessionExpiry > 0 && (!stopping || journal.durable());
        clientConnection.closed(reason, keep);
    }

    /**
     * The broker detached the session from the connection holding it (that connection ended, or a login resuming
     * the session takes it over: the connection, still open, then closes with 0x8E): its will is published or waits
     * for its delay, and the expiry timer starts.
     */
    void detached(MqttSession s, String reason) {
        MqttSession.Outlet owner = s.release();
        if (owner == null) {
            return;
        }
        Will will = owner.leave();
        long expiry = owner.sessionExpiry();
        Will waiting = null;
        if (will != null) {
            if (will.delaySeconds() == 0 || stopping) {
                publishWill(s, will);
            } else {
                waiting = will;
                scheduleWill(s, will, will.delaySeconds() * 1000);
            }
        }
        s.wentOffline(System.currentTimeMillis(), expiry, waiting);
        if (expiry != ProtocolSettings.NEVER && !stopping) {
            scheduleExpiry(s, expiry * 1000);
        }
        LOG.debug("MQTT client '{}': session detached: {}", s.clientId(), reason);
    }

    /**
     * The broker closes the session: the will of a connection still holding it (taken over by a clean start, or
     * closing with session expiry 0) and a will waiting for its delay are published, everything queued fails and
     * the store forgets the session.
     */
    void closing(MqttSession s, String reason) {
        MqttSession.Outlet owner = s.release();
        for (Will will : new Will[] {owner == null ? null : owner.leave(), s.takePendingWill()}) {
            if (will != null) {
                publishWill(s, will);
            }
        }
        untrack(s);
        s.end(reason);
        SessionHandover cluster = handover.get();
        if (cluster != null) {
            cluster.ended(s.clientId());
        }
        LOG.debug("MQTT client '{}': session closed: {}", s.clientId(), reason);
    }

    // ---- timers

    /** Publishes {@code will} of the offline session {@code s} after {@code delayMillis}, unless the client is back. */
    void scheduleWill(MqttSession s, Will will, long delayMillis) {
        int epoch = s.epoch();
        s.pendingWill(will); // before the timer: one due at once finds it waiting
        s.willTimer(will, schedule(() -> {
            if (s.takeDueWill(will, epoch)) {
                publishWill(s, will);
            }
        }, delayMillis));
    }

    /** Ends the offline session {@code s} after {@code delayMillis}, unless the client is back. */
    void scheduleExpiry(MqttSession s, long delayMillis) {
        int epoch = s.epoch();
        s.expiryTask(schedule(() -> {
            if (s.offlineSince(epoch)) {
                // the broker ignores it if a login resumed the session since: its handle is stale then
                s.clientSession().close("session expired");
            }
        }, delayMillis));
    }

    private ScheduledFuture<?> schedule(Runnable task, long millis) {
        try {
            return timer.schedule(task, Math.max(0, millis), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            return null; // stopping: the protocol's stop ends every session
        }
    }

    /** Publishes a will through the session; a failure is logged. */
    private static void publishWill(MqttSession s, Will will) {
        String clientId = s.clientId();
        LOG.debug("MQTT client '{}': publishing its will to '{}'", clientId, will.message().topic());
        try {
            s.clientSession().publish(will.toPublish(System.currentTimeMillis())).whenComplete((result, error) -> {
                if (error != null) {
                    LOG.info("MQTT client '{}': will to '{}' not published: {}", clientId, will.message().topic(),
                            error.toString());
                }
            });
        } catch (RuntimeException e) {
            LOG.info("MQTT client '{}': will to '{}' not published: {}", clientId, will.message().topic(), e.toString());
        }
    }

    // ---- moving to another node

    /**
     * Another node takes the session of {@code clientId}: a connection holding it closes (MQTT 5: 0x8E) as at a
     * takeover here (its will published now or kept waiting in the record for the other node), the timers stop and
     * the session leaves the broker; completes when its last changes are written. Deliveries after the let-go go on
     * to the other node ({@link io.switchboard.api.broker.Delivery#moved}).
     */
    CompletionStage<Void> letGo(String clientId, String reason) {
        Set<MqttSession> of = statesByClientId.get(clientId);
        MqttSession s = of == null ? null : of.stream().findFirst().orElse(null);
        if (s == null) {
            return CompletableFuture.completedFuture(null);
        }
        ClientSession handle = s.clientSession();
        s.moveAway(); // before the last changes are written: a later delivery is passed on, not queued here
        detached(s, reason);
        s.stopTimers();
        untrack(s);
        CompletionStage<Void> left = handle == null ? CompletableFuture.completedFuture(null) : handle.release(reason);
        LOG.info("MQTT client '{}': {}", clientId, reason);
        return left.thenCompose(v -> journal.store().written());
    }

    // ---- stopping

    /** From now on wills are published at once and no expiry timer starts; non-persistent sessions are closed at a disconnect. */
    void stopping() {
        stopping = true;
    }

    boolean isStopping() {
        return stopping;
    }

    /** Closes every session not kept in the store (its waiting will is published); returns how many. */
    int closeNotPersistent(String reason) {
        int closed = 0;
        for (MqttSession s : List.copyOf(states)) {
            ClientSession handle = s.clientSession();
            if (!s.persistent() && handle != null) {
                handle.close(reason);
                closed++;
            }
        }
        return closed;
    }

    /**
     * The front door stops: the sessions kept in the store leave the broker as well, so that the next start of
     * this bundle (an update) restores them from the store into a broker that no longer has them.
     */
    List<CompletableFuture<Void>> releasePersistent(String reason) {
        List<CompletableFuture<Void>> released = new ArrayList<>();
        for (MqttSession s : List.copyOf(states)) {
            ClientSession handle = s.clientSession();
            if (s.persistent() && handle != null) {
                released.add(handle.release(reason).toCompletableFuture());
            }
        }
        return released;
    }

    /** Whether only the sessions kept in the store are left. */
    boolean onlyPersistentLeft() {
        return states.stream().allMatch(MqttSession::persistent);
    }

    /** How many states there are (each belongs to one broker session). */
    int size() {
        return states.size();
    }
}
