package io.switchboard.core.internal;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.function.IntConsumer;

import io.switchboard.api.Admission;
import io.switchboard.api.HostServices;
import io.switchboard.api.Message;
import io.switchboard.api.MessageIdGenerator;
import io.switchboard.api.MessageModule;
import io.switchboard.api.MessageStatus;
import io.switchboard.api.Subscription;
import io.switchboard.api.Verdict;
import io.switchboard.api.admin.BrokerAdmin;
import io.switchboard.api.admin.BrokerStats;
import io.switchboard.api.admin.ChainEvent;
import io.switchboard.api.admin.ModuleInfo;
import io.switchboard.api.admin.TraceStep;
import io.switchboard.api.broker.Broker;
import io.switchboard.api.broker.ClientConnection;
import io.switchboard.api.broker.ClientSession;
import io.switchboard.api.broker.LoginRequest;
import io.switchboard.api.broker.PublishResult;
import io.switchboard.api.broker.Receiver;
import io.switchboard.api.broker.RefusedException;
import io.switchboard.core.internal.http.HttpExchanger;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.util.tracker.ServiceTracker;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker core: tracks the {@link MessageModule} whiteboard, runs every event through its chain on
 * the worker threads, routes messages to subscriptions, raises message statuses, and offers
 * {@link Broker} (to front doors), {@link BrokerAdmin} (to the shell) and {@link HostServices} (to
 * modules, one instance per bundle).
 */
@Component(service = {Broker.class, BrokerAdmin.class}, immediate = true, configurationPid = "io.switchboard.core")
@Designate(ocd = CoreConfig.class)
public final class BrokerCore implements Broker, BrokerAdmin {

    private static final Logger LOG = LoggerFactory.getLogger(BrokerCore.class);

    private final ModuleRegistry registry = new ModuleRegistry();
    private final SubscriptionTree subscriptions = new SubscriptionTree();
    private final RetainedMessages retained = new RetainedMessages();
    private final Map<String, SessionImpl> sessions = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> onlineUsers = new ConcurrentHashMap<>();
    private final MessageIds messageIds = new MessageIds();
    private final AtomicLong sessionIds = new AtomicLong();
    private final AtomicLong connectionIds = new AtomicLong();
    /** Spreads traces over the workers. */
    private final AtomicLong traces = new AtomicLong();
    private final ModuleSends moduleSends;
    private final long startedAt = System.currentTimeMillis();

    private final LongAdder published = new LongAdder();
    private final LongAdder routed = new LongAdder();
    private final LongAdder consumed = new LongAdder();
    private final LongAdder deliveries = new LongAdder();
    private final LongAdder delivered = new LongAdder();
    private final LongAdder failed = new LongAdder();
    private final LongAdder expired = new LongAdder();
    private final LongAdder inFlight = new LongAdder();

    private volatile ServiceComponentRuntime scr;
    private volatile ConfigurationAdmin configAdmin;
    private volatile boolean stopping;
    private volatile int maxHops;
    private Quarantine quarantine;
    private WorkerThread[] workers;
    private ScheduledThreadPoolExecutor timer;
    private HttpExchanger http;
    private ExecutorService httpCallbacks;
    private BundleContext context;
    private ServiceRegistration<HostServices> hostRegistration;
    private ServiceTracker<MessageModule, MessageModule> moduleTracker;
    private long stopTimeout;

    public BrokerCore() {
        this(new ModuleSends());
    }

    /** With the given record of module-sent messages' hops (tests watch when it is written). */
    BrokerCore(ModuleSends moduleSends) {
        this.moduleSends = moduleSends;
    }

    @Activate
    void activate(BundleContext context, CoreConfig config) {
        this.context = context;
        this.maxHops = config.max_hops();
        this.stopTimeout = config.stop_timeout();
        int count = config.workers() > 0 ? config.workers() : Runtime.getRuntime().availableProcessors();
        timer = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "switchboard-timer");
            t.setDaemon(true);
            return t;
        });
        timer.setRemoveOnCancelPolicy(true);
        httpCallbacks = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "switchboard-http");
            t.setDaemon(true);
            return t;
        });
        http = new HttpExchanger(httpCallbacks, timer);
        quarantine = new Quarantine(registry, System::currentTimeMillis, Quarantine.Settings.of(config));
        WorkerThread[] created = new WorkerThread[count];
        for (int i = 0; i < count; i++) {
            WorkerThread w = new WorkerThread(i, quarantine, () -> joinAll(CoreContext.worker()),
                    () -> leaveAll(CoreContext.worker()));
            created[i] = w;
        }
        workers = created;
        for (WorkerThread w : created) {
            w.start();
        }
        timer.scheduleWithFixedDelay(this::watchWorkers, WorkerThread.WATCHDOG_PERIOD_MILLIS, WorkerThread.WATCHDOG_PERIOD_MILLIS,
                java.util.concurrent.TimeUnit.MILLISECONDS);
        hostRegistration = context.registerService(HostServices.class, new HostServicesFactory(this), null);
        moduleTracker = trackModules(context);
        LOG.info("Switchboard core started: {} workers, {} modules in the chain", count, registry.chains().all().size());
    }

    @Modified
    void modified(CoreConfig config) {
        this.maxHops = config.max_hops();
        this.stopTimeout = config.stop_timeout();
        quarantine.configure(Quarantine.Settings.of(config));
        int wanted = config.workers() > 0 ? config.workers() : Runtime.getRuntime().availableProcessors();
        if (wanted != workers.length) {
            LOG.warn("workers changed to {} (running {}): takes effect at the next restart", wanted, workers.length);
        }
    }

    @Deactivate
    void deactivate() {
        stopping = true; // the modules leave with the core: no successor to wait for
        moduleTracker.close();
        hostRegistration.unregister();
        for (SessionImpl s : new ArrayList<>(sessions.values())) {
            closeSession(s, "broker shutting down");
        }
        for (WorkerThread w : workers) {
            try {
                w.stop(stopTimeout);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        http.close();
        httpCallbacks.shutdown(); // let queued callbacks finish so pending stages complete
        timer.shutdownNow();
        LOG.info("Switchboard core stopped");
    }

    // ---- the module whiteboard

    /**
     * Tracks the modules with a ServiceTracker rather than a DS reference: when a module component failed
     * to activate (bad configuration) and its configuration is then fixed, the registration's MODIFIED
     * event makes the tracker ask for the service again, which activates it. A DS reference would not
     * retry, leaving the fixed module out of the chain.
     */
    private ServiceTracker<MessageModule, MessageModule> trackModules(BundleContext context) {
        ServiceTracker<MessageModule, MessageModule> tracker = new ServiceTracker<>(context, MessageModule.class, null) {
            @Override
            public MessageModule addingService(ServiceReference<MessageModule> ref) {
                MessageModule module = context.getService(ref);
                if (module != null) {
                    addModule(ref, module);
                }
                return module; // null: not tracked now, tried again on the next MODIFIED event
            }

            @Override
            public void modifiedService(ServiceReference<MessageModule> ref, MessageModule module) {
                updatedModule(ref);
            }

            @Override
            public void removedService(ServiceReference<MessageModule> ref, MessageModule module) {
                removeModule(ref);
                context.ungetService(ref);
            }
        };
        tracker.open();
        return tracker;
    }

    void addModule(ServiceReference<MessageModule> ref, MessageModule module) {
        ModuleRegistry.Added added = registry.add(ref, module);
        ModuleEntry entry = added.entry();
        WorkerThread[] running = workers;
        if (running != null) {
            for (WorkerThread w : running) {
                w.execute(() -> join(w, List.of(entry)));
            }
        }
        if (added.filled() != null) {
            // after the joins were queued: held runs resume behind them, on the same workers
            added.filled().filledBy(entry);
        }
    }

    void updatedModule(ServiceReference<MessageModule> ref) {
        registry.modified(ref);
    }

    void removeModule(ServiceReference<MessageModule> ref) {
        boolean awaitSuccessor = !stopping && Departures.successorExpected(ref, configAdmin);
        ModuleEntry entry = registry.remove(ref, awaitSuccessor);
        if (entry == null) {
            return;
        }
        if (entry.vacancy != null) {
            timer.schedule(() -> registry.abandon(entry), entry.description.timeoutMillis(), TimeUnit.MILLISECONDS);
        }
        WorkerThread[] running = workers;
        if (running != null) {
            for (WorkerThread w : running) {
                w.execute(() -> leave(w, List.of(entry)));
            }
        }
        for (SessionImpl s : sessions.values()) {
            s.forget(entry.module);
        }
    }

    @Reference(service = MessageIdGenerator.class, cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void addIdGenerator(ServiceReference<MessageIdGenerator> ref, MessageIdGenerator generator) {
        messageIds.add(ref, generator);
    }

    void updatedIdGenerator(ServiceReference<MessageIdGenerator> ref) {
        messageIds.modified(ref);
    }

    void removeIdGenerator(ServiceReference<MessageIdGenerator> ref) {
        messageIds.remove(ref);
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    void setScr(ServiceComponentRuntime runtime) {
        this.scr = runtime;
    }

    void unsetScr(ServiceComponentRuntime runtime) {
        if (this.scr == runtime) {
            this.scr = null;
        }
    }

    /** Tells a component re-created for a changed configuration from one whose configuration was deleted. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    void setConfigAdmin(ConfigurationAdmin admin) {
        this.configAdmin = admin;
    }

    void unsetConfigAdmin(ConfigurationAdmin admin) {
        if (this.configAdmin == admin) {
            this.configAdmin = null;
        }
    }

    private void joinAll(WorkerThread w) {
        // a held place (its module is being replaced) is no module to start on a worker
        join(w, registry.chains().all().stream().filter(e -> e.vacancy == null).toList());
    }

    private void leaveAll(WorkerThread w) {
        leave(w, new ArrayList<>(w.joined));
    }

    /** On {@code w}'s thread: the modules new to it get {@code onWorkerStart}. */
    private void join(WorkerThread w, Collection<ModuleEntry> entries) {
        List<ModuleEntry> joining = new ArrayList<>();
        for (ModuleEntry e : entries) {
            if (w.joined.add(e)) {
                joining.add(e);
            }
        }
        new ObservationRun(ChainEvent.WORKER_START, joining.toArray(new ModuleEntry[0]), null,
                e -> e.module.onWorkerStart(w), w, 0, () -> {
                }).run();
    }

    /** On {@code w}'s thread: the modules leaving it get {@code onWorkerStop}, then lose their state on it. */
    private void leave(WorkerThread w, Collection<ModuleEntry> entries) {
        List<ModuleEntry> leaving = new ArrayList<>();
        for (ModuleEntry e : entries) {
            if (w.joined.remove(e)) {
                leaving.add(e);
            }
        }
        new ObservationRun(ChainEvent.WORKER_STOP, leaving.toArray(new ModuleEntry[0]), null,
                e -> e.module.onWorkerStop(w), w, 0, () -> leaving.forEach(e -> w.forget(e.module))).run();
    }

    // ---- Broker

    @Override
    public CompletionStage<ClientConnection> accept(InetSocketAddress remote, InetSocketAddress local, String listener) {
        ConnectionImpl connection = new ConnectionImpl(this, connectionIds.incrementAndGet(), remote, local, listener);
        CompletableFuture<ClientConnection> result = new CompletableFuture<>();
        WorkerThread w = workerFor(connection.id());
        w.execute(() -> admit(ChainEvent.CONNECT, (e, m) -> ChainRun.toVerdict(e.module.onConnect(connection)), w,
                verdict -> settle(result, verdict, connection)));
        return result;
    }

    void admitTls(ConnectionImpl connection, CompletableFuture<Void> result) {
        WorkerThread w = workerFor(connection.id());
        w.execute(() -> admit(ChainEvent.TLS, (e, m) -> ChainRun.toVerdict(e.module.onTlsEstablished(connection)), w,
                verdict -> settle(result, verdict, null)));
    }

    @Override
    public CompletionStage<ClientSession> login(LoginRequest request, Receiver receiver) {
        CompletableFuture<ClientSession> result = new CompletableFuture<>();
        WorkerThread w = workerFor(request.clientId().hashCode());
        w.execute(() -> {
            SessionImpl existing = sessions.get(request.clientId());
            LoginImpl login = new LoginImpl(request, existing != null && existing.online);
            admit(ChainEvent.LOGIN, (e, m) -> ChainRun.toVerdict(e.module.onLogin(login)), w, verdict -> {
                if (verdict.kind() == Verdict.Kind.CONSUME) {
                    LOG.info("Login of client '{}' refused: {} {}", request.clientId(), verdict.reasonCode(), verdict.reason());
                    result.completeExceptionally(new RefusedException(verdict.reasonCode(), verdict.reason()));
                    return;
                }
                SessionImpl current = sessions.get(request.clientId());
                if (current != null && !request.cleanStart()) {
                    resume(current, request, receiver, result);
                } else {
                    result.complete(new ClientSessionImpl(this, open(request, receiver), false));
                }
            });
        });
        return result;
    }

    /** A new connection takes over a persistent session: subscriptions stay, deliveries go to {@code receiver}. */
    private void resume(SessionImpl session, LoginRequest request, Receiver receiver, CompletableFuture<ClientSession> result) {
        session.enqueue(s -> {
            if (s.closed) {
                // ended meanwhile: start afresh
                result.complete(new ClientSessionImpl(this, open(request, receiver), false));
                s.stepDone();
                return;
            }
            Runnable attach = () -> {
                s.attach(request.connection(), receiver);
                onlineUsers.computeIfAbsent(s.user(), u -> new AtomicInteger()).incrementAndGet();
                if (request.connection() instanceof ConnectionImpl c) {
                    c.session = s;
                }
                observe(ChainEvent.SESSION_OPEN, e -> e.module.onSessionOpen(s), s.worker, () -> {
                    result.complete(new ClientSessionImpl(this, s, true));
                    s.stepDone();
                });
            };
            if (s.online) {
                endAttachment(s, "session taken over by a new connection of the same client id", attach);
            } else {
                attach.run();
            }
        });
    }

    /**
     * The session's connection is gone (persistent session kept); ignored when another login has taken
     * the session over since {@code attachment}.
     */
    void detachSession(SessionImpl session, String reason, int attachment) {
        session.enqueue(s -> {
            if (!s.closed && s.online && s.attachment == attachment) {
                endAttachment(s, reason, s::stepDone);
            } else {
                s.stepDone();
            }
        });
    }

    /** Ends the session's current connection: offline, logout and session-close events, then {@code then}. On the worker. */
    private void endAttachment(SessionImpl s, String reason, Runnable then) {
        s.online = false;
        onlineUsers.computeIfPresent(s.user(), (u, n) -> n.decrementAndGet() <= 0 ? null : n);
        observe(ChainEvent.LOGOUT, e -> e.module.onLogout(s, reason), s.worker,
                () -> observe(ChainEvent.SESSION_CLOSE, e -> e.module.onSessionClose(s), s.worker, then));
    }

    private SessionImpl open(LoginRequest request, Receiver receiver) {
        long id = sessionIds.incrementAndGet();
        String user = request.userName() != null && !request.userName().isEmpty() ? request.userName() : request.clientId();
        SessionImpl session = new SessionImpl(this, id, request.clientId(), user, request.protocol(), request.connection(),
                receiver, workerFor(id));
        SessionImpl previous = sessions.put(request.clientId(), session);
        if (previous != null) {
            closeSession(previous, "session taken over by a new connection of the same client id");
        }
        onlineUsers.computeIfAbsent(user, u -> new AtomicInteger()).incrementAndGet();
        if (request.connection() instanceof ConnectionImpl c) {
            c.session = session;
        }
        session.enqueue(s -> observe(ChainEvent.SESSION_OPEN, e -> e.module.onSessionOpen(s), s.worker, s::stepDone));
        return session;
    }

    void closeSession(SessionImpl session, String reason) {
        // closed at once: routing skips it and requests are refused from now on (a clean start's CONNACK must
        // not be followed by deliveries to the session it replaced); the cleanup runs in order on its worker
        session.closed = true;
        session.enqueue(s -> {
            if (s.freed) {
                s.stepDone();
                return;
            }
            s.freed = true;
            Runnable free = () -> {
                sessions.remove(s.clientId(), s);
                for (String filter : new ArrayList<>(s.subscriptions.keySet())) {
                    subscriptions.unsubscribe(s, filter);
                }
                s.subscriptions.clear();
                observe(ChainEvent.SESSION_FREE, e -> e.module.onSessionFree(s), s.worker, () -> {
                    for (ModuleEntry e : registry.chains().all()) {
                        s.forget(e.module);
                    }
                    LOG.debug("Closed {}: {}", s, reason);
                    s.stepDone();
                });
            };
            if (s.online) {
                endAttachment(s, reason, free);
            } else {
                free.run();
            }
        });
    }

    // ---- publishing and routing

    /**
     * Stamps a message (id, sender, time) and queues it on its publisher's session; {@code result}
     * completes when the chain decided and the message was handed to its recipients.
     *
     * @return the message's id
     */
    long publish(SessionImpl session, Message message, String from, int hops, Bundle skipBundle,
            CompletableFuture<PublishResult> result) {
        if (session.closed) {
            result.completeExceptionally(new IllegalStateException(session + " is closed"));
            return 0;
        }
        Message stamped = message.toBuilder().id(messageIds.next()).from(from)
                .timestamp(System.currentTimeMillis()).recipientOnline(true).build();
        if (hops > 0) {
            // recorded before the message is queued: its statuses and answers (on other workers, maybe
            // before this thread runs again) continue its count from here, never from 0
            moduleSends.remember(stamped.id(), hops);
        }
        published.increment();
        inFlight.increment();
        session.enqueue(s -> process(s, stamped, hops, skipBundle, result));
        return stamped.id();
    }

    /** A message sent by a module through HostServices: one hop more than what caused it. */
    long send(Bundle sender, SessionImpl senderSession, Message message) {
        int hops = Math.max(CoreContext.hops(), message.refId() == 0 ? 0 : moduleSends.hopsOf(message.refId())) + 1;
        if (hops > maxHops) {
            throw new IllegalStateException("message to '" + message.topic() + "' refused: it would be hop " + hops
                    + " of modules answering modules (limit " + maxHops + "); is a module answering its own answers?");
        }
        String from = message.from() != null ? message.from() : senderSession.user();
        return publish(senderSession, message, from, hops, sender, new CompletableFuture<>());
    }

    private void process(SessionImpl s, Message message, int hops, Bundle skipBundle, CompletableFuture<PublishResult> result) {
        if (message.isExpired(System.currentTimeMillis())) {
            status(message, MessageStatus.State.EXPIRED, null, "expired before it entered the chain");
            expired.increment();
            finish(s, result, new PublishResult(message.id(), false, 0, null, "expired"));
            return;
        }
        Chains chains = registry.chains();
        CallImpl call = message.topic().charAt(0) == '$' ? CallImpl.parse(message) : null;
        if (call == null) {
            messageChain(s, chains, message, hops, skipBundle, result);
        } else if (call.state() == io.switchboard.api.Call.State.SETUP) {
            new ChainRun(chains.of(ChainEvent.CALL), 0, message, (e, m) -> e.module.onCall(call),
                    (verdict, m, by) -> {
                        if (verdict.kind() == Verdict.Kind.CONSUME) {
                            consumedBy(s, message, verdict, by, result);
                        } else {
                            messageChain(s, chains, m, hops, skipBundle, result);
                        }
                    }, s.worker, timer, skipBundle, hops).run();
        } else {
            new ObservationRun(ChainEvent.CALL_STATUS, chains.of(ChainEvent.CALL_STATUS), message.topic(),
                    e -> e.module.onCallStatus(call), s.worker, hops,
                    () -> messageChain(s, chains, message, hops, skipBundle, result)).run();
        }
    }

    private void messageChain(SessionImpl s, Chains chains, Message message, int hops, Bundle skipBundle,
            CompletableFuture<PublishResult> result) {
        ModuleEntry[] chain = chains.of(ChainEvent.MESSAGE);
        new ChainRun(chain, startAfter(chain, skipBundle), message, (e, m) -> e.module.onMessage(m, s), (verdict, m, by) -> {
            if (verdict.kind() == Verdict.Kind.CONSUME) {
                consumedBy(s, m, verdict, by, result);
                return;
            }
            routed.increment();
            status(m, MessageStatus.State.SENT, null, null);
            if (m.retain()) {
                retained.put(m);
            }
            List<SubscriptionTree.Entry> targets = new ArrayList<>();
            subscriptions.match(m.topic(), e -> {
                if (!(e.noLocal() && e.session() == s) && !e.session().closed) {
                    targets.add(e);
                }
            });
            deliverAll(m, targets, chains, false, s.worker,
                    recipients -> finish(s, result, new PublishResult(m.id(), true, recipients, null, null)));
        }, s.worker, timer, skipBundle, hops).run();
    }

    private void consumedBy(SessionImpl s, Message m, Verdict verdict, ModuleEntry by, CompletableFuture<PublishResult> result) {
        consumed.increment();
        String reason = "consumed by module '" + (by == null ? "?" : by.name()) + "'"
                + (verdict.reason() == null ? "" : ": " + verdict.reason());
        status(m, MessageStatus.State.FAILED, null, reason);
        finish(s, result, new PublishResult(m.id(), false, 0, verdict.reasonCode(), reason));
    }

    private void finish(SessionImpl s, CompletableFuture<PublishResult> result, PublishResult outcome) {
        inFlight.decrement();
        result.complete(outcome);
        s.stepDone();
    }

    /** The index after the sending bundle's first module in the chain: a module's message enters behind it. */
    private static int startAfter(ModuleEntry[] chain, Bundle sender) {
        if (sender != null) {
            for (int i = 0; i < chain.length; i++) {
                if (chain[i].bundle == sender) {
                    return i + 1;
                }
            }
        }
        return 0;
    }

    /**
     * Hands {@code message} to each target through the delivery chain; calls {@code done} with the number
     * of recipients once every delivery decision is made. Runs on {@code worker}.
     */
    private void deliverAll(Message message, List<SubscriptionTree.Entry> targets, Chains chains, boolean retainedDelivery,
            WorkerThread worker, IntConsumer done) {
        ModuleEntry[] chain = chains.of(ChainEvent.DELIVERY);
        if (targets.isEmpty()) {
            done.accept(0);
            return;
        }
        if (chain.length == 0) {
            for (SubscriptionTree.Entry target : targets) {
                deliver(adjust(message, target, retainedDelivery), target.session());
            }
            done.accept(targets.size());
            return;
        }
        int[] recipients = {0};
        new Steps(worker, targets.size(), (i, next) -> {
            SessionImpl recipient = targets.get(i).session();
            new ChainRun(chain, 0, adjust(message, targets.get(i), retainedDelivery),
                    (e, m) -> e.module.onDelivery(m, recipient), (verdict, m, by) -> {
                        if (verdict.kind() == Verdict.Kind.CONSUME) {
                            status(m, MessageStatus.State.FAILED, recipient.user(), "not delivered: consumed by module '"
                                    + by.name() + "'" + (verdict.reason() == null ? "" : ": " + verdict.reason()));
                        } else {
                            deliver(m, recipient);
                            recipients[0]++;
                        }
                        next.run();
                    }, worker, timer, null, CoreContext.hops()).run();
        }, () -> done.accept(recipients[0])).start();
    }

    private static Message adjust(Message message, SubscriptionTree.Entry target, boolean retainedDelivery) {
        int qos = Math.min(message.qos(), target.qos());
        boolean retain = retainedDelivery || target.retainAsPublished() && message.retain();
        boolean online = target.session().online;
        if (qos == message.qos() && retain == message.retain() && online == message.recipientOnline()) {
            return message;
        }
        return message.toBuilder().qos(qos).retain(retain).recipientOnline(online).build();
    }

    private void deliver(Message message, SessionImpl recipient) {
        if (message.isExpired(System.currentTimeMillis())) {
            expired.increment();
            status(message, MessageStatus.State.EXPIRED, recipient.user(), "expired before delivery");
            return;
        }
        deliveries.increment();
        DeliveryImpl delivery = new DeliveryImpl(this, message, recipient.user());
        try {
            recipient.receiver.deliver(message, delivery);
        } catch (Throwable t) {
            LOG.warn("Delivery of message {} to {} failed in its receiver", message.id(), recipient, t);
            delivery.failed("the receiver failed: " + t);
        }
    }

    void delivered(Message message, String recipient) {
        delivered.increment();
        status(message, MessageStatus.State.DELIVERED, recipient, null);
    }

    void deliveryFailed(Message message, String recipient, String reason) {
        failed.increment();
        status(message, MessageStatus.State.FAILED, recipient, reason);
    }

    void read(SessionImpl reader, long messageId) {
        raise(new StatusImpl(messageId, MessageStatus.State.READ, null, null, reader.user(), null, System.currentTimeMillis()));
    }

    private void status(Message m, MessageStatus.State state, String recipient, String reason) {
        if (registry.chains().of(ChainEvent.STATUS).length == 0) {
            return;
        }
        raise(new StatusImpl(m.id(), state, m.topic(), m.from(), recipient, reason, System.currentTimeMillis()));
    }

    /** Status events of one message run on one worker, in the order they were raised. */
    private void raise(StatusImpl status) {
        WorkerThread w = workerFor(status.messageId());
        // a module sending from onStatus continues the hop count of the message the status is about
        w.execute(() -> new ObservationRun(ChainEvent.STATUS, registry.chains().of(ChainEvent.STATUS), status.topic(),
                e -> e.module.onStatus(status), w, moduleSends.hopsOf(status.messageId()), () -> {
                }).run());
    }

    // ---- subscriptions

    CompletionStage<Admission> subscribe(SessionImpl session, Subscription subscription) {
        Topics.validateFilter(subscription.topicFilter());
        if (session.closed) {
            return CompletableFuture.failedFuture(new IllegalStateException(session + " is closed"));
        }
        CompletableFuture<Admission> result = new CompletableFuture<>();
        session.enqueue(s -> admit(ChainEvent.SUBSCRIBE, (e, m) -> ChainRun.toVerdict(e.module.onSubscribe(s, subscription)),
                s.worker, verdict -> {
                    if (verdict.kind() == Verdict.Kind.CONSUME) {
                        result.complete(Admission.refuse(verdict.reasonCode(), verdict.reason()));
                        s.stepDone();
                        return;
                    }
                    String filter = subscription.topicFilter();
                    String group = SubscriptionTree.shareGroupOf(filter);
                    SubscriptionTree.Entry entry = new SubscriptionTree.Entry(s, filter, group, subscription.qos(),
                            subscription.noLocal(), subscription.retainAsPublished());
                    boolean isNew = subscriptions.subscribe(entry);
                    s.subscriptions.put(filter, entry);
                    result.complete(Admission.accept());
                    boolean sendRetained = group == null
                            && (subscription.retainHandling() == 0 || subscription.retainHandling() == 1 && isNew);
                    if (!sendRetained) {
                        s.stepDone();
                        return;
                    }
                    sendRetained(s, entry, retained.matching(filter));
                }));
        return result;
    }

    /** Delivers the retained messages one after another, then ends the subscribe step. */
    private void sendRetained(SessionImpl s, SubscriptionTree.Entry entry, List<Message> messages) {
        new Steps(s.worker, messages.size(),
                (i, next) -> deliverAll(messages.get(i), List.of(entry), registry.chains(), true, s.worker, n -> next.run()),
                s::stepDone).start();
    }

    /**
     * Removes a subscription as a step of the session, so that it takes effect after the session's earlier
     * subscribes and publishes ([MQTT-4.6.0]); completes with whether it existed.
     */
    CompletionStage<Boolean> unsubscribe(SessionImpl session, String filter) {
        if (session.closed) {
            return CompletableFuture.failedFuture(new IllegalStateException(session + " is closed"));
        }
        CompletableFuture<Boolean> result = new CompletableFuture<>();
        session.enqueue(s -> {
            boolean removed = subscriptions.unsubscribe(s, filter);
            s.subscriptions.remove(filter);
            Runnable done = () -> {
                result.complete(removed);
                s.stepDone();
            };
            if (removed) {
                observe(ChainEvent.UNSUBSCRIBE, e -> e.module.onUnsubscribe(s, filter), s.worker, done);
            } else {
                done.run();
            }
        });
        return result;
    }

    // ---- running chains

    /** Runs an admission chain on {@code worker}; {@code done} gets a pass or a consume (refusal). */
    private void admit(ChainEvent event, ChainRun.Call call, WorkerThread worker, Consumer<Verdict> done) {
        new ChainRun(registry.chains().of(event), 0, null, call, (verdict, m, by) -> done.accept(verdict), worker, timer,
                null, 0).run();
    }

    private static <T> void settle(CompletableFuture<T> result, Verdict verdict, T value) {
        if (verdict.kind() == Verdict.Kind.CONSUME) {
            result.completeExceptionally(new RefusedException(verdict.reasonCode(), verdict.reason()));
        } else {
            result.complete(value);
        }
    }

    /**
     * Calls a session event's observation callback on each module of its chain, on {@code worker} under the
     * watchdog (see {@link ObservationRun}), then {@code then}.
     */
    private void observe(ChainEvent event, Consumer<ModuleEntry> callback, WorkerThread worker, Runnable then) {
        new ObservationRun(event, registry.chains().of(event), null, callback, worker, 0, then).run();
    }

    private void watchWorkers() {
        long now = System.nanoTime();
        for (WorkerThread w : workers) {
            w.checkOverrun(now);
        }
    }

    WorkerThread workerFor(long key) {
        WorkerThread[] w = workers;
        return w[(int) Math.floorMod(key, (long) w.length)];
    }

    // ---- what HostServices needs

    boolean isOnline(String user) {
        return onlineUsers.containsKey(user);
    }

    HttpExchanger http() {
        return http;
    }

    /** Records (or clears, with null) a problem a module reports about itself; false if it is not tracked. */
    boolean reportProblem(Bundle bundle, MessageModule module, String problem) {
        ModuleEntry entry = registry.find(module, bundle);
        if (entry == null) {
            return false;
        }
        entry.reportedProblem = problem;
        return true;
    }

    /** An in-process session for messages a bundle's modules send; not logged in, never online. */
    SessionImpl moduleSession(Bundle bundle) {
        String name = "module:" + bundle.getSymbolicName();
        long id = sessionIds.incrementAndGet();
        SessionImpl s = new SessionImpl(this, id, name, name, "internal", null, (m, d) -> d.delivered(), workerFor(id));
        s.online = false;
        return s;
    }

    // ---- BrokerAdmin

    @Override
    public List<ModuleInfo> modules() {
        List<ModuleInfo> result = new ArrayList<>();
        Chains chains = registry.chains();
        for (ModuleEntry e : chains.all()) {
            result.add(AdminViews.info(e, chains));
        }
        result.addAll(InactiveModules.find(context, scr, result));
        return result;
    }

    @Override
    public List<ModuleInfo> chain(ChainEvent event) {
        List<ModuleInfo> result = new ArrayList<>();
        Chains chains = registry.chains();
        for (ModuleEntry e : chains.of(event)) {
            result.add(AdminViews.info(e, chains));
        }
        return result;
    }

    /** Runs the chain as a publish does, on a worker (see {@link ChainTrace}), as a session that is never registered. */
    @Override
    public List<TraceStep> trace(Message message) {
        String user = message.from() == null ? "trace" : message.from();
        SessionImpl sender = new SessionImpl(this, -1, "trace", user, "trace", null, (m, d) -> d.delivered(),
                workerFor(traces.incrementAndGet()));
        // stamped as publish stamps a message, with no id: it is never published
        Message stamped = message.toBuilder().id(0).from(user).timestamp(System.currentTimeMillis()).recipientOnline(true)
                .build();
        return ChainTrace.run(registry.chains().of(ChainEvent.MESSAGE), stamped, sender, timer);
    }

    @Override
    public void setEnabled(String moduleName, boolean enabled) {
        ModuleEntry chosen = registry.setEnabled(moduleName, enabled);
        LOG.info("Module '{}' ({} {}) {} by an operator", chosen.name(), chosen.bundle.getSymbolicName(),
                chosen.bundle.getVersion(), enabled ? "enabled (and re-admitted if quarantined)" : "disabled");
    }

    @Override
    public String messageIdGenerator() {
        return messageIds.describe();
    }

    @Override
    public BrokerStats stats() {
        return new BrokerStats(System.currentTimeMillis() - startedAt, sessions.size(), subscriptions.size(),
                (int) registry.chains().all().stream().filter(ModuleEntry::inChain).count(), published.sum(), routed.sum(),
                consumed.sum(), deliveries.sum(), delivered.sum(), failed.sum(), expired.sum(), inFlight.sum(),
                quarantine.abandonedThreads(), quarantine.abandonedThreadLimit());
    }
}
