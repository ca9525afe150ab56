package io.switchboard.core.internal;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import java.util.function.BiPredicate;
import java.util.function.UnaryOperator;

import io.switchboard.api.HostServices;
import io.switchboard.api.Message;
import io.switchboard.api.MessageIdGenerator;
import io.switchboard.api.admin.BrokerAdmin;
import io.switchboard.api.admin.BrokerStats;
import io.switchboard.api.admin.ChainEvent;
import io.switchboard.api.admin.ModuleInfo;
import io.switchboard.api.admin.SessionInfo;
import io.switchboard.api.admin.SystemTopics;
import io.switchboard.api.admin.TraceStep;
import io.switchboard.api.broker.Broker;
import io.switchboard.api.broker.ClientConnection;
import io.switchboard.api.broker.ClientSession;
import io.switchboard.api.broker.ClusterPeer;
import io.switchboard.api.broker.LoginRequest;
import io.switchboard.api.broker.Receiver;
import io.switchboard.api.broker.RestoredSession;
import io.switchboard.store.StateStore;
import io.switchboard.core.internal.chain.ChainRunner;
import io.switchboard.core.internal.chain.ChainTrace;
import io.switchboard.core.internal.http.HttpExchanger;
import io.switchboard.core.internal.modules.AdminViews;
import io.switchboard.core.internal.modules.Chains;
import io.switchboard.core.internal.modules.InactiveModules;
import io.switchboard.core.internal.modules.ModuleEntry;
import io.switchboard.core.internal.modules.ModuleRegistry;
import io.switchboard.core.internal.modules.OperatorSwitches;
import io.switchboard.core.internal.modules.ModuleWhiteboard;
import io.switchboard.core.internal.modules.Quarantine;
import io.switchboard.core.internal.routing.MessageIds;
import io.switchboard.core.internal.routing.ModuleSends;
import io.switchboard.core.internal.routing.Router;
import io.switchboard.core.internal.sessions.OnlineUsers;
import io.switchboard.core.internal.sessions.SessionImpl;
import io.switchboard.core.internal.sessions.SessionViews;
import io.switchboard.core.internal.sessions.Sessions;
import io.switchboard.core.internal.status.StatusBus;
import io.switchboard.core.internal.workers.WorkerPool;
import io.switchboard.core.internal.workers.WorkerThread;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker core's DS component: wires the module whiteboard, the workers, the sessions, the router and
 * the status bus (see the bundle's README, "Code layout"), and offers {@link Broker} (to front doors),
 * {@link BrokerAdmin} (to the shell) and {@link HostServices} (to modules, one instance per bundle) by
 * delegating to them.
 */
@Component(service = {Broker.class, BrokerAdmin.class, SystemTopics.class}, immediate = true,
        configurationPid = "io.switchboard.core")
@Designate(ocd = CoreConfig.class)
public final class BrokerCore implements Broker, BrokerAdmin, SystemTopics {

    private static final Logger LOG = LoggerFactory.getLogger(BrokerCore.class);

    private final ModuleRegistry registry = new ModuleRegistry();
    private final MessageIds messageIds = new MessageIds();
    private final ModuleSends moduleSends;
    /** Spreads traces over the workers. */
    private final AtomicLong traces = new AtomicLong();
    private final long startedAt = System.currentTimeMillis();

    /** Where retained messages are kept (persistent sessions are the front doors'); set before activation. */
    @Reference
    StateStore stateStore;
    private volatile ServiceComponentRuntime scr;
    private volatile ConfigurationAdmin configAdmin;
    private long stopTimeout;
    private BundleContext context;
    private Quarantine quarantine;
    private ScheduledThreadPoolExecutor timer;
    private ExecutorService httpCallbacks;
    private HttpExchanger http;
    private WorkerPool workers;
    private volatile Router router;
    private volatile ClusterPeer clusterPeer;
    /** Who is online, here and (through the cluster peer) on the other nodes; bound to the peer before activation too. */
    private final OnlineUsers onlineUsers = new OnlineUsers();
    private Sessions sessions;
    private ModuleWhiteboard whiteboard;
    private HostServicesFactory hostServices;
    private ServiceRegistration<HostServices> hostRegistration;

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
        this.stopTimeout = config.stop_timeout();
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
        workers = new WorkerPool(workerCount(config), quarantine, registry);
        ChainRunner runner = new ChainRunner(registry, timer);
        StatusBus statuses = new StatusBus(registry, workers, moduleSends);
        registry.useSwitches(new OperatorSwitches(stateStore));
        router = new Router(registry, runner, statuses, messageIds, moduleSends, timer, config.max_hops(),
                Objects.requireNonNull(stateStore, "stateStore"),
                config.max_retained_messages(), config.max_retained_bytes());
        router.setPeer(clusterPeer);
        sessions = new Sessions(registry, workers, runner, router, statuses, onlineUsers);
        whiteboard = new ModuleWhiteboard(registry, () -> configAdmin, timer, workers::join, entry -> {
            workers.leave(entry);
            sessions.forget(entry.module());
        });
        workers.start(timer);
        hostServices = new HostServicesFactory(router, sessions, registry, http);
        hostRegistration = context.registerService(HostServices.class, hostServices, null);
        whiteboard.open(context);
        LOG.info("Switchboard core started: {} workers, {} modules in the chain", workers.size(), registry.chains().all().size());
    }

    private static int workerCount(CoreConfig config) {
        return config.workers() > 0 ? config.workers() : Runtime.getRuntime().availableProcessors();
    }

    @Modified
    void modified(CoreConfig config) {
        router.setMaxHops(config.max_hops());
        router.setRetainedLimits(config.max_retained_messages(), config.max_retained_bytes());
        this.stopTimeout = config.stop_timeout();
        quarantine.configure(Quarantine.Settings.of(config));
        int wanted = workerCount(config);
        if (wanted != workers.size()) {
            LOG.warn("workers changed to {} (running {}): takes effect at the next restart", wanted, workers.size());
        }
    }

    @Deactivate
    void deactivate() {
        whiteboard.close();
        hostRegistration.unregister();
        sessions.closeAll("broker shutting down");
        workers.stop(stopTimeout);
        http.close();
        httpCallbacks.shutdown(); // let queued callbacks finish so pending stages complete
        timer.shutdownNow();
        LOG.info("Switchboard core stopped");
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

    /** The other nodes of the broker: bound when a cluster bundle runs, after the router exists (activation). */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    void setClusterPeer(ClusterPeer peer) {
        clusterPeer = peer;
        onlineUsers.setPeer(peer);
        Router current = router;
        if (current != null) {
            current.setPeer(peer);
        }
    }

    void unsetClusterPeer(ClusterPeer peer) {
        if (clusterPeer == peer) {
            clusterPeer = null;
            onlineUsers.setPeer(null);
            Router current = router;
            if (current != null) {
                current.setPeer(null);
            }
        }
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

    // ---- the parts, for tests and benchmarks that drive them without a framework

    /** Feeds module registrations in as the service tracker would. */
    ModuleWhiteboard whiteboard() {
        return whiteboard;
    }

    WorkerPool workers() {
        return workers;
    }

    /** The factory of the per-bundle {@link HostServices}. */
    HostServicesFactory hostServices() {
        return hostServices;
    }

    // ---- SystemTopics

    /**
     * A broker status message ({@code $SYS}): retained in memory and routed without the message chain, on one
     * worker (so each topic's values keep their order).
     */
    @Override
    public void publish(String topic, byte[] payload) {
        router.publishSystem(Message.builder(topic).payload(payload).retain(true).build(), workers.workerFor(0));
    }

    // ---- Broker

    @Override
    public CompletionStage<ClientConnection> accept(InetSocketAddress remote, InetSocketAddress local, String listener) {
        return sessions.accept(remote, local, listener);
    }

    @Override
    public CompletionStage<ClientSession> login(LoginRequest request, Receiver receiver) {
        return sessions.login(request, receiver);
    }

    @Override
    public void login(LoginRequest request, UnaryOperator<Receiver> receiverFor, BiConsumer<ClientSession, Throwable> then) {
        sessions.login(request, receiverFor, then);
    }

    @Override
    public CompletionStage<String> authenticate(LoginRequest request) {
        return sessions.authenticate(request);
    }

    @Override
    public ClientSession restore(RestoredSession session, Receiver receiver) {
        return sessions.restore(session, receiver);
    }

    /** On the worker of the publisher's key, like a local publisher's session: its messages keep their order. */
    @Override
    public void deliverForwarded(Message message, String orderKey, Set<String> sharedHere) {
        router.deliverForwarded(message, orderKey, Set.copyOf(sharedHere), workers.workerFor(orderKey.hashCode()));
    }

    @Override
    public CompletionStage<Integer> acceptForwarded(Message message, String orderKey, Set<String> sharedHere) {
        return acceptForwarded(message, orderKey, sharedHere, Set.of());
    }

    @Override
    public CompletionStage<Integer> acceptForwarded(Message message, String orderKey, Set<String> sharedHere,
            Set<String> notTo) {
        CompletableFuture<Integer> handed = new CompletableFuture<>();
        router.deliverForwarded(message, orderKey, Set.copyOf(sharedHere), Set.copyOf(notTo),
                workers.workerFor(orderKey.hashCode()), handed);
        return handed;
    }

    @Override
    public CompletionStage<Integer> deliverShared(Message message, String orderKey, Set<String> sharedHere) {
        CompletableFuture<Integer> handed = new CompletableFuture<>();
        router.deliverShared(message, orderKey, Set.copyOf(sharedHere), workers.workerFor(orderKey.hashCode()), handed);
        return handed;
    }

    /**
     * On the worker of the publisher's key, as {@link #deliverForwarded}: in order with that key's other messages; a key
     * that is the client id of a session here (a publisher on this node) on that session's worker, where its publishes
     * are delivered.
     */
    @Override
    public CompletionStage<Integer> deliverTo(String clientId, Message message, String orderKey, Set<String> sharedHere) {
        SessionImpl session = sessions.find(clientId);
        if (session == null) {
            return CompletableFuture.completedFuture(0);
        }
        SessionImpl publisher = sessions.find(orderKey);
        WorkerThread worker = publisher != null ? publisher.worker() : workers.workerFor(orderKey.hashCode());
        CompletableFuture<Integer> handed = new CompletableFuture<>();
        router.deliverTo(session, message, Set.copyOf(sharedHere), worker, handed);
        return handed;
    }

    @Override
    public void holdDeliveries(String clientId) {
        sessions.holdDeliveries(clientId);
    }

    @Override
    public void releaseDeliveries(String clientId) {
        sessions.releaseDeliveries(clientId, (message, orderKey) -> false);
    }

    @Override
    public void releaseDeliveries(String clientId, BiPredicate<Message, String> had) {
        sessions.releaseDeliveries(clientId, had);
    }

    @Override
    public CompletionStage<Void> routedSoFar() {
        return workers.afterQueued();
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
        SessionImpl sender = sessions.traceSession(user, workers.workerFor(traces.incrementAndGet()));
        // stamped as publish stamps a message, with no id: it is never published
        Message stamped = message.toBuilder().id(0).from(user).timestamp(System.currentTimeMillis()).recipientOnline(true)
                .build();
        return ChainTrace.run(registry.chains().of(ChainEvent.MESSAGE), stamped, sender, sender.worker(), timer);
    }

    @Override
    public void setEnabled(String moduleName, boolean enabled) {
        ModuleEntry chosen = registry.setEnabled(moduleName, enabled);
        LOG.info("Module '{}' ({} {}) {} by an operator", chosen.name(), chosen.bundle().getSymbolicName(),
                chosen.bundle().getVersion(), enabled ? "enabled (and re-admitted if quarantined)" : "disabled");
    }

    @Override
    public List<SessionInfo> sessions(String search, int limit) {
        return SessionViews.list(sessions.all(), search, limit);
    }

    @Override
    public String messageIdGenerator() {
        return messageIds.describe();
    }

    @Override
    public BrokerStats stats() {
        Router.Counts c = router.counts();
        return new BrokerStats(System.currentTimeMillis() - startedAt, sessions.count(), router.subscriptionCount(),
                (int) registry.chains().all().stream().filter(ModuleEntry::inChain).count(), c.published(), c.routed(),
                c.consumed(), c.deliveries(), c.delivered(), c.failed(), c.expired(), c.inFlight(),
                quarantine.abandonedThreads(), quarantine.abandonedThreadLimit(), router.retainedCount());
    }
}
