package io.switchboard.core.internal.sessions;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import java.util.function.BiPredicate;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

import io.switchboard.api.Decision;
import io.switchboard.api.Message;
import io.switchboard.api.MessageModule;
import io.switchboard.api.ReasonCode;
import io.switchboard.api.Verdict;
import io.switchboard.api.admin.ChainEvent;
import io.switchboard.api.broker.ClientConnection;
import io.switchboard.api.broker.ClientSession;
import io.switchboard.api.broker.LoginRequest;
import io.switchboard.api.broker.Receiver;
import io.switchboard.api.broker.RefusedException;
import io.switchboard.api.broker.RestoredSession;
import io.switchboard.core.internal.chain.ChainRun;
import io.switchboard.core.internal.chain.ChainRunner;
import io.switchboard.core.internal.chain.DecisionImpl;
import io.switchboard.core.internal.modules.ModuleEntry;
import io.switchboard.core.internal.modules.ModuleRegistry;
import io.switchboard.core.internal.routing.Router;
import io.switchboard.core.internal.status.StatusBus;
import io.switchboard.core.internal.workers.WorkerPool;
import io.switchboard.core.internal.workers.WorkerThread;
import org.osgi.framework.Bundle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The connections and sessions: admits connections, logs clients in (a new session, or a persistent one
 * resumed or taken over), detaches and closes sessions, each change a step on the session's worker with
 * its events observed by the modules; knows which users are online. The one owner of which session a client
 * id has: the logins, detaches and closes of a client id take turns ({@link ClientLanes}), and the session's
 * receiver (a front door's state of the session) hears of takeovers and ends in that order.
 */
public final class Sessions {

    private static final Logger LOG = LoggerFactory.getLogger(Sessions.class);

    private final ModuleRegistry registry;
    private final WorkerPool workers;
    private final ChainRunner runner;
    /** Client ids whose session keeps routing's deliveries behind a hand-over (Broker.holdDeliveries). */
    private final Set<String> keepDeliveriesOf = ConcurrentHashMap.newKeySet();
    private final Router router;
    private final StatusBus statuses;
    /** The one registry of sessions by client id. */
    private final Map<String, SessionImpl> byClientId = new ConcurrentHashMap<>();
    /** The order of each client id's logins, detaches and closes. */
    private final ClientLanes lanes = new ClientLanes();
    private final OnlineUsers onlineUsers;
    private final AtomicLong sessionIds = new AtomicLong();
    private final AtomicLong connectionIds = new AtomicLong();

    public Sessions(ModuleRegistry registry, WorkerPool workers, ChainRunner runner, Router router, StatusBus statuses,
            OnlineUsers onlineUsers) {
        this.registry = registry;
        this.workers = workers;
        this.runner = runner;
        this.router = router;
        this.statuses = statuses;
        this.onlineUsers = onlineUsers;
    }

    // ---- connections

    public CompletionStage<ClientConnection> accept(InetSocketAddress remote, InetSocketAddress local, String listener) {
        ConnectionImpl connection = new ConnectionImpl(this, connectionIds.incrementAndGet(), remote, local, listener);
        CompletableFuture<ClientConnection> result = new CompletableFuture<>();
        WorkerThread w = workers.workerFor(connection.id());
        runAs(w, () -> runner.admit(ChainEvent.CONNECT, (e, m) -> ChainRun.toVerdict(e.module().onConnect(connection)), w,
                verdict -> settle(result, verdict, connection)), ChainEvent.CONNECT);
        return result;
    }

    void admitTls(ConnectionImpl connection, CompletableFuture<Void> result) {
        WorkerThread w = workers.workerFor(connection.id());
        runAs(w, () -> runner.admit(ChainEvent.TLS, (e, m) -> ChainRun.toVerdict(e.module().onTlsEstablished(connection)), w,
                verdict -> settle(result, verdict, null)), ChainEvent.TLS);
    }

    /**
     * Runs {@code task} as {@code w}: on the calling thread (a network thread) when no module handles any of
     * {@code events} and the worker is idle, since nothing in it can block then; else queued on the worker. A new
     * connection's steps run this way, saving a connection storm two or three thread hand-offs per connection. A module
     * deployed between the check and the run may see one such call on the network thread (as a publish may, see
     * {@link io.switchboard.core.internal.modules.Chains#publishNonBlocking}).
     */
    private void runAs(WorkerThread w, Runnable task, ChainEvent... events) {
        if (registry.chains().noneHandle(events)) {
            w.runHereOrQueue(task);
        } else {
            w.execute(task);
        }
    }

    /** Queues {@code step} on {@code session}: run here when idle if no module handles any of {@code events} (see {@link #runAs}). */
    private void stepAs(SessionImpl session, Consumer<SessionImpl> step, ChainEvent... events) {
        if (registry.chains().noneHandle(events)) {
            session.submit(step);
        } else {
            session.enqueue(step);
        }
    }

    private static <T> void settle(CompletableFuture<T> result, Verdict verdict, T value) {
        if (verdict.kind() == Verdict.Kind.CONSUME) {
            result.completeExceptionally(new RefusedException(verdict.reasonCode(), verdict.reason()));
        } else {
            result.complete(value);
        }
    }

    // ---- logging in and out

    /** A login delivering to {@code receiver} from now on, also when it resumes a session. */
    public CompletionStage<ClientSession> login(LoginRequest request, Receiver receiver) {
        CompletableFuture<ClientSession> result = new CompletableFuture<>();
        login(request, resumed -> receiver, (session, failure) -> {
            if (failure != null) {
                result.completeExceptionally(failure);
            } else {
                result.complete(session);
            }
        });
        return result;
    }

    /**
     * A login in its client id's turn: the login chain, then a new session, or a persistent one resumed or
     * replaced (its receiver told), then {@code then}; the next login, detach or close of the client id waits
     * for all of it.
     */
    public void login(LoginRequest request, UnaryOperator<Receiver> receiverFor, BiConsumer<ClientSession, Throwable> then) {
        String clientId = request.clientId();
        if (request.connection() instanceof ConnectionImpl c) {
            c.clientId = clientId; // the connection's close takes its turn after this login
        }
        lanes.run(clientId, () -> {
            CompletableFuture<Void> turn = new CompletableFuture<>();
            BiConsumer<ClientSession, Throwable> done = (session, failure) -> {
                try {
                    then.accept(session, failure);
                } catch (RuntimeException e) {
                    LOG.warn("The front door failed on the login of client '{}'", clientId, e);
                } finally {
                    turn.complete(null);
                }
            };
            WorkerThread w = workers.workerFor(clientId.hashCode());
            runAs(w, () -> admitLogin(request, receiverFor, done, w), ChainEvent.LOGIN);
            return turn;
        });
    }

    private void admitLogin(LoginRequest request, UnaryOperator<Receiver> receiverFor, BiConsumer<ClientSession, Throwable> done,
            WorkerThread w) {
        SessionImpl existing = byClientId.get(request.clientId());
        runLoginChain(request, existing != null && existing.online, w, (verdict, identity) -> {
            if (verdict.kind() == Verdict.Kind.CONSUME) {
                LOG.info("Login of client '{}' refused: {} {}", request.clientId(), verdict.reasonCode(), verdict.reason());
                done.accept(null, new RefusedException(verdict.reasonCode(), verdict.reason()));
                return;
            }
            String user = identity.userOf(request);
            String reserved = LoginIdentity.reservedNameProblem(user);
            if (reserved != null) {
                LOG.info("Login of client '{}' refused: {}", request.clientId(), reserved);
                done.accept(null, new RefusedException(ReasonCode.NOT_AUTHORIZED, reserved));
                return;
            }
            SessionImpl current = byClientId.get(request.clientId());
            if (current != null && !request.cleanStart() && current.user().equals(user)) {
                resume(current, request, user, receiverFor, done);
            } else {
                // another user's persistent session is not handed over: its subscriptions and queued messages were
                // granted to that user, so this login starts afresh and the old session ends (as a clean start)
                openFor(request, user, receiverFor, done);
            }
        });
    }

    /**
     * Runs the login chain for {@code request} without opening or touching a session (no client id turn: nothing of
     * a session changes): completes with the user a module established, or with {@link RefusedException}.
     */
    public CompletionStage<String> authenticate(LoginRequest request) {
        CompletableFuture<String> result = new CompletableFuture<>();
        WorkerThread w = workers.workerFor(request.clientId().hashCode());
        w.execute(() -> runLoginChain(request, false, w, (verdict, identity) -> {
            String user = identity.established();
            if (verdict.kind() == Verdict.Kind.CONSUME) {
                result.completeExceptionally(new RefusedException(verdict.reasonCode(), verdict.reason()));
            } else if (user == null) {
                result.completeExceptionally(new RefusedException(ReasonCode.NOT_AUTHORIZED, "no module vouched for "
                        + "the user (an authentication module checking passwords, e.g. auth with a password.file, "
                        + "must be in the login chain)"));
            } else {
                result.complete(user);
            }
        }));
        return result;
    }

    /** Runs the login chain on {@code w}; {@code then} gets its verdict and the identity it established. */
    private void runLoginChain(LoginRequest request, boolean alreadyOnline, WorkerThread w,
            BiConsumer<Verdict, LoginIdentity> then) {
        LoginImpl login = new LoginImpl(request, alreadyOnline);
        LoginIdentity identity = new LoginIdentity();
        DecisionImpl.About about = new DecisionImpl.About(Decision.Subject.LOGIN, request.clientId(),
                request.userName() == null ? "" : request.userName(), null);
        runner.admit(ChainEvent.LOGIN, (e, m) -> identity.judge(e, e.module().onLogin(login)), w, about,
                verdict -> then.accept(verdict, identity));
    }

    private ClientSession handle(SessionImpl session, boolean sessionPresent) {
        return new ClientSessionImpl(this, router, statuses, session, sessionPresent);
    }

    /** A new connection takes over a persistent session: subscriptions stay, deliveries go to the chosen receiver. */
    private void resume(SessionImpl session, LoginRequest request, String user, UnaryOperator<Receiver> receiverFor,
            BiConsumer<ClientSession, Throwable> done) {
        stepAs(session, s -> {
            if (s.closed) {
                // ended meanwhile (the broker stopping): start afresh
                openFor(request, user, receiverFor, done);
                s.stepDone();
                return;
            }
            Receiver receiver;
            try {
                receiver = receiverFor.apply(s.receiver());
            } catch (RuntimeException e) {
                done.accept(null, e);
                s.stepDone();
                return;
            }
            Runnable attach = () -> {
                s.attach(request.connection(), receiver);
                onlineUsers.online(s.user());
                if (request.connection() instanceof ConnectionImpl c) {
                    c.session = s;
                }
                runner.observe(ChainEvent.SESSION_OPEN, e -> e.module().onSessionOpen(s), s.worker(), () -> {
                    done.accept(handle(s, true), null);
                    s.stepDone();
                });
            };
            if (s.online) {
                String reason = "session taken over by a new connection of the same client id";
                tell(s, r -> r.detached(reason));
                endAttachment(s, reason, attach);
            } else {
                attach.run();
            }
        }, ChainEvent.LOGOUT, ChainEvent.SESSION_CLOSE, ChainEvent.SESSION_OPEN);
    }

    private void openFor(LoginRequest request, String user, UnaryOperator<Receiver> receiverFor,
            BiConsumer<ClientSession, Throwable> done) {
        SessionImpl opened;
        try {
            opened = open(request, user, receiverFor.apply(null));
        } catch (RuntimeException e) {
            done.accept(null, e);
            return;
        }
        done.accept(handle(opened, false), null);
    }

    /**
     * The session's connection is gone (persistent session kept), in the client id's turn; ignored when another
     * login has taken the session over since {@code attachment}.
     */
    void detach(SessionImpl session, String reason, int attachment) {
        lanes.run(session.clientId(), () -> detachNow(session, reason, attachment));
    }

    private CompletionStage<Void> detachNow(SessionImpl session, String reason, int attachment) {
        return stepOf(session, (s, done) -> {
            if (!s.closed && s.online && s.attachment == attachment) {
                tell(s, r -> r.detached(reason));
                endAttachment(s, reason, done);
            } else {
                done.run();
            }
        }, ChainEvent.LOGOUT, ChainEvent.SESSION_CLOSE);
    }

    /** Ends the session's current connection: offline, logout and session-close events, then {@code then}. On the worker. */
    private void endAttachment(SessionImpl s, String reason, Runnable then) {
        s.online = false;
        onlineUsers.offline(s.user());
        runner.observe(ChainEvent.LOGOUT, e -> e.module().onLogout(s, reason), s.worker(),
                () -> runner.observe(ChainEvent.SESSION_CLOSE, e -> e.module().onSessionClose(s), s.worker(), then));
    }

    private SessionImpl open(LoginRequest request, String user, Receiver receiver) {
        long id = sessionIds.incrementAndGet();
        SessionImpl session = new SessionImpl(id, request.clientId(), user, request.protocol(), request.connection(),
                receiver, workers.workerFor(id));
        SessionImpl previous = byClientId.put(request.clientId(), session);
        if (previous != null) {
            closeNow(previous, "session taken over by a new connection of the same client id", true);
        }
        onlineUsers.online(user);
        if (request.connection() instanceof ConnectionImpl c) {
            c.session = session;
        }
        if (!registry.chains().noneHandle(ChainEvent.SESSION_OPEN)) {
            session.enqueue(s -> runner.observe(ChainEvent.SESSION_OPEN, e -> e.module().onSessionOpen(s), s.worker(), s::stepDone));
        }
        return session;
    }

    /** A persistent session a front door recovered after a restart: offline, subscribed, no chain runs. */
    public ClientSession restore(RestoredSession restored, Receiver receiver) {
        if (byClientId.containsKey(restored.clientId())) {
            throw new IllegalStateException("a session of client '" + restored.clientId() + "' exists already");
        }
        long id = sessionIds.incrementAndGet();
        SessionImpl session = new SessionImpl(id, restored.clientId(), restored.user(), restored.protocol(), null,
                receiver, workers.workerFor(id));
        session.online = false;
        if (keepDeliveriesOf.contains(restored.clientId())) {
            session.holdDeliveries(); // before its subscriptions take any
        }
        router.subscriptionSteps().restore(session, restored.subscriptions());
        if (byClientId.putIfAbsent(restored.clientId(), session) != null) {
            router.subscriptionSteps().unsubscribeAll(session);
            throw new IllegalStateException("a session of client '" + restored.clientId() + "' exists already");
        }
        return handle(session, true);
    }

    /** The session of {@code clientId}, restored now or later, keeps routing's deliveries until {@link #releaseDeliveries}. */
    public void holdDeliveries(String clientId) {
        keepDeliveriesOf.add(clientId);
        SessionImpl session = byClientId.get(clientId);
        if (session != null) {
            session.holdDeliveries();
        }
    }

    /**
     * The session of {@code clientId} gets what it kept but what {@code had} says it has (a message as routing got it,
     * its order key), and deliveries at once from now on.
     */
    public void releaseDeliveries(String clientId, BiPredicate<Message, String> had) {
        keepDeliveriesOf.remove(clientId);
        SessionImpl session = byClientId.get(clientId);
        int duplicates = session == null ? 0 : session.releaseDeliveries(had);
        if (duplicates > 0) {
            LOG.info("{} message(s) routed to session '{}' while its hand-over ran were dropped: it had them (handed over"
                    + " or relayed)", duplicates, clientId);
        }
    }

    // ---- closing

    /** A front door closes the session, in the client id's turn; ignored when another login took it over since {@code attachment}. */
    void close(SessionImpl session, String reason, int attachment) {
        lanes.run(session.clientId(), () -> session.attachment == attachment ? closeNow(session, reason, true) : null);
    }

    /** A front door lets go of a session it keeps in its store, in the client id's turn: closed without telling its receiver. */
    CompletionStage<Void> release(SessionImpl session, String reason, int attachment) {
        CompletableFuture<Void> left = new CompletableFuture<>();
        lanes.run(session.clientId(), () -> {
            if (session.attachment != attachment || session.closed) {
                left.complete(null);
                return null;
            }
            // moving to another node: its subscriptions stay and relay there until every node routes to that node
            CompletionStage<Void> relayUntil = router.leaving(session);
            session.relaying = relayUntil != null;
            CompletionStage<Void> step = closeNow(session, reason, false, relayUntil);
            step.whenComplete((v, e) -> left.complete(null));
            return step;
        });
        return left;
    }

    /** {@code connection} closed: the session it still holds is detached or closed, in the client id's turn. */
    void connectionClosed(ConnectionImpl connection, String reason, boolean keepSession) {
        String clientId = connection.clientId;
        if (clientId == null) {
            return; // never logged in
        }
        lanes.run(clientId, () -> {
            SessionImpl s = connection.session;
            if (s == null || s.connection() != connection) {
                return null; // refused, or taken over by another connection
            }
            return keepSession ? detachNow(s, reason, s.attachment) : closeNow(s, reason, true);
        });
    }

    /**
     * Closes the session at once: routing skips it and requests are refused from now on (a clean start's CONNACK
     * must not be followed by deliveries to the session it replaced); its receiver is told first, so that it can
     * still publish (a will). The cleanup runs in order on its worker; the stage completes after it.
     */
    private CompletionStage<Void> closeNow(SessionImpl session, String reason, boolean tellReceiver) {
        return closeNow(session, reason, tellReceiver, null);
    }

    /** Like {@link #closeNow(SessionImpl, String, boolean)}; the subscriptions stay until {@code relayUntil} completes, if given. */
    private CompletionStage<Void> closeNow(SessionImpl session, String reason, boolean tellReceiver,
            CompletionStage<Void> relayUntil) {
        if (session.closed) {
            return CompletableFuture.completedFuture(null);
        }
        if (tellReceiver) {
            tell(session, r -> r.closing(reason));
        }
        session.closed = true;
        return stepOf(session, (s, done) -> {
            if (s.freed) {
                done.run();
                return;
            }
            s.freed = true;
            Runnable free = () -> {
                byClientId.remove(s.clientId(), s);
                if (relayUntil == null) {
                    router.subscriptionSteps().unsubscribeAll(s);
                } else {
                    relayUntil.whenComplete((v, e) -> s.worker().execute(() -> {
                        router.subscriptionSteps().unsubscribeAll(s);
                        s.relaying = false;
                    }));
                }
                runner.observe(ChainEvent.SESSION_FREE, e -> e.module().onSessionFree(s), s.worker(), () -> {
                    for (ModuleEntry e : registry.chains().all()) {
                        s.forget(e.module());
                    }
                    LOG.debug("Closed {}: {}", s, reason);
                    done.run();
                });
            };
            if (s.online) {
                endAttachment(s, reason, free);
            } else {
                free.run();
            }
        }, ChainEvent.LOGOUT, ChainEvent.SESSION_CLOSE, ChainEvent.SESSION_FREE);
    }

    /** Closes every session (the broker is stopping: for their front doors, that is not their end). */
    public void closeAll(String reason) {
        for (SessionImpl s : new ArrayList<>(byClientId.values())) {
            closeNow(s, reason, false);
        }
    }

    /**
     * Runs {@code action} as a step of {@code session} that calls the modules of {@code events} (see {@link #stepAs});
     * the stage completes when the action calls its done.
     */
    private CompletionStage<Void> stepOf(SessionImpl session, BiConsumer<SessionImpl, Runnable> action, ChainEvent... events) {
        CompletableFuture<Void> finished = new CompletableFuture<>();
        stepAs(session, s -> action.accept(s, () -> {
            finished.complete(null);
            s.stepDone();
        }), events);
        return finished;
    }

    /** Tells the session's receiver what became of the session; its failure is logged, not the session's. */
    private static void tell(SessionImpl s, Consumer<Receiver> event) {
        try {
            event.accept(s.receiver());
        } catch (RuntimeException e) {
            LOG.warn("The receiver of {} failed", s, e);
        }
    }

    // ---- sessions of no client

    /** An in-process session for messages a bundle's modules send; not logged in, never online. */
    public SessionImpl moduleSession(Bundle bundle) {
        String name = "module:" + bundle.getSymbolicName();
        long id = sessionIds.incrementAndGet();
        SessionImpl s = new SessionImpl(id, name, name, "internal", null, (m, d) -> d.delivered(), workers.workerFor(id));
        s.online = false;
        return s;
    }

    /** The session a trace runs as, for {@code user}, on {@code worker}: never registered, never closed. */
    public SessionImpl traceSession(String user, WorkerThread worker) {
        return new SessionImpl(-1, "trace", user, "trace", null, (m, d) -> d.delivered(), worker);
    }

    // ---- what the others ask

    /** Whether {@code user} has a session online, on this node or another one of the broker. */
    public boolean isOnline(String user) {
        return onlineUsers.isOnline(user);
    }

    public int count() {
        return byClientId.size();
    }

    /** The session of {@code clientId} held now, or {@code null}. */
    public SessionImpl find(String clientId) {
        return byClientId.get(clientId);
    }

    /** The client sessions held now (a live view). */
    public Collection<SessionImpl> all() {
        return Collections.unmodifiableCollection(byClientId.values());
    }

    /** Drops {@code module}'s state in every session (the module left). */
    public void forget(MessageModule module) {
        for (SessionImpl s : byClientId.values()) {
            s.forget(module);
        }
    }
}
