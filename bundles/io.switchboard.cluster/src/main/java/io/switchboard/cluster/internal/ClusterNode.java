package io.switchboard.cluster.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import io.switchboard.api.Message;
import io.switchboard.api.admin.ClusterStatistics;
import io.switchboard.api.admin.ClusterStats;
import io.switchboard.api.broker.Broker;
import io.switchboard.api.broker.ClusterPeer;
import io.switchboard.api.broker.SessionHolder;
import io.switchboard.api.broker.Forwarding;
import io.switchboard.cluster.internal.forwarding.Confirmations;
import io.switchboard.cluster.internal.forwarding.ForwardingSettings;
import io.switchboard.cluster.internal.presence.ClusterPresence;
import io.switchboard.cluster.internal.sessions.ClusterSessions;
import io.switchboard.cluster.internal.sessions.HeldMessages;
import io.switchboard.cluster.internal.sessions.IncomingRelays;
import io.switchboard.cluster.internal.sessions.MoveFlushes;
import io.switchboard.cluster.internal.sessions.OutgoingRelays;
import io.switchboard.cluster.internal.sessions.Relays;
import io.switchboard.store.StateStore;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node as a member of a cluster of Switchboard nodes forming one broker, on an embedded Hazelcast member. Starts
 * only when a configuration for {@code io.switchboard.cluster} exists (a single node runs no engine at all).
 *
 * <p>Routing: the shared replicated map {@value ClusterRoutes#ROUTES} holds one entry per (node, filter) a node
 * subscribes to; every node keeps a {@link FilterIndex} of it ({@link ClusterRoutes}). A message this node's chain
 * passed goes to the nodes whose filters match, and the others' come here, through the {@link Forwarder}.
 *
 * <p>A member that leaves keeps its routes, pointed at the member adopting its sessions ({@link OrphanRoutes}), which
 * holds what they bring ({@link HeldMessages}) until it restored the sessions, then removes them.
 *
 * <p>A session moving to another live node keeps its subscriptions here until every member routes to that node, and
 * what they match meanwhile is relayed there ({@link Relays}, docs/cluster.md).
 *
 * <p>Presence: {@link ClusterPresence} tells the other nodes which users are online here and answers whether a
 * user is online on another node.
 *
 * <p>Also {@link ClusterStatistics} (members, routes, forwarded counts, users online, unconfirmed messages) for
 * metrics and the operator's {@code sb:cluster} command ({@link ClusterCommand}).
 */
@Component(name = "io.switchboard.cluster", configurationPid = "io.switchboard.cluster",
        configurationPolicy = ConfigurationPolicy.REQUIRE, service = {}, immediate = true)
@Designate(ocd = ClusterConfig.class)
public class ClusterNode implements ClusterPeer, ClusterStatistics {

    private static final Logger LOG = LoggerFactory.getLogger(ClusterNode.class);

    /** The member attribute holding a member's node name. */
    static final String NODE_ATTRIBUTE = "switchboard.node";
    /** The member attribute naming this run of the node (new at each start): whose presence entries are current. */
    static final String RUN_ATTRIBUTE = "switchboard.run";

    @Reference
    Broker broker;

    /** The local store, which the sessions' replicating store writes to. */
    @Reference(target = ClusterSessions.LOCAL_STORE)
    StateStore localStore;

    /** The front door that keeps sessions (MQTT), while it is there. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    volatile SessionHolder sessionHolder;

    /** Sessions across nodes (docs/cluster.md). */
    private ClusterSessions sessions;

    private final List<ServiceRegistration<?>> registrations = new ArrayList<>();
    private boolean stopping;
    private Thread starter;
    private ClusterSettings settings;
    private volatile HazelcastInstance hazelcast;
    /** Which node subscribes to which filters. */
    private ClusterRoutes routes;
    /** What this node forwarded at QoS 1/2 and waits for the other nodes to confirm. */
    private Confirmations confirmations;
    /** Sends confirmations and expires unconfirmed forwards, off the broker's workers and Hazelcast's threads. */
    private ScheduledExecutorService confirmationThread;
    /** Sends messages to the other nodes and receives theirs. */
    private volatile Forwarder forwarder;
    /** Users online on each node (docs/cluster.md). */
    private ClusterPresence presence;
    /** What this node holds for the sessions of nodes that left, which it adopts. */
    private HeldMessages held;
    /** Sessions moving between this node and another live one: what is published for them meanwhile. */
    private Relays relays;

    /**
     * Checks the configuration at once (a bad value fails the component with the property's name), then joins the
     * cluster on a thread of its own: joining takes seconds, and the framework's start should not wait for it. The
     * services (the core's {@link ClusterPeer}, the statistics {@code sb:cluster} shows) appear once the member runs.
     */
    @Activate
    void activate(BundleContext context, Map<String, Object> properties) {
        ForwardingSettings forwarding;
        try {
            settings = ClusterSettings.of(properties);
            forwarding = ForwardingSettings.of(properties);
        } catch (IllegalArgumentException e) {
            LOG.error("Cluster not started: configuration io.switchboard.cluster: {}", e.getMessage());
            throw e;
        }
        routes = new ClusterRoutes(settings.nodeName());
        confirmationThread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "switchboard-cluster-confirm");
            t.setDaemon(true);
            return t;
        });
        confirmations = new Confirmations(forwarding.timeoutMillis(), System::nanoTime);
        long sweep = Math.max(10, Math.min(100, forwarding.timeoutMillis() / 10));
        confirmationThread.scheduleWithFixedDelay(confirmations::expire, sweep, sweep, TimeUnit.MILLISECONDS);
        starter = new Thread(() -> {
            try {
                start();
                register(context);
            } catch (RuntimeException e) {
                LOG.error("Cluster node '{}' did not start", settings.nodeName(), e);
            }
        }, "switchboard-cluster-start");
        starter.start();
    }

    private synchronized void register(BundleContext context) {
        if (stopping) {
            return;
        }
        // the peer first: an MQTT front door that waits for the replicating store (mqttSessionStore.target) serves clients
        // from the store's registration on, and their first message must already reach the other nodes
        registrations.add(context.registerService(ClusterStatistics.class, this, null));
        registrations.add(context.registerService(ClusterPeer.class, this, null));
        registrations.addAll(sessions.register(context));
    }

    private void start() {
        LOG.info("Cluster node '{}' starting on {}:{}, joining {} (cluster '{}', backup count {})", settings.nodeName(),
                settings.host(), settings.port(), settings.members(), settings.clusterName(), settings.backupCount());
        hazelcast = Hazelcast.newHazelcastInstance(HazelcastSetup.config(settings, NODE_ATTRIBUTE, RUN_ATTRIBUTE));
        routes.start(hazelcast);
        presence = new ClusterPresence(hazelcast, NODE_ATTRIBUTE, RUN_ATTRIBUTE);
        held = new HeldMessages(broker);
        // a move's markers go on the inboxes, behind the messages: the forwarder, made below, sends them
        relays = new Relays(new OutgoingRelays(System::nanoTime), new IncomingRelays(settings.nodeName(), broker), routes,
                new MoveFlushes(broker, (node, flush) -> forwarder.outbox().inbox(node).publish(Frames.encodeFlush(flush))));
        confirmationThread.scheduleWithFixedDelay(relays.outgoing()::expire, 1, 1, TimeUnit.SECONDS);
        sessions = new ClusterSessions(hazelcast, settings.nodeName(), NODE_ATTRIBUTE, localStore, () -> sessionHolder, held,
                relays);
        // a forwarded message is confirmed once the store the front door writes (the replicating one) wrote it
        forwarder = new Forwarder(settings.nodeName(), hazelcast, routes, held, relays, broker, sessions.store(),
                confirmations, confirmationThread, this::memberNames);
        confirmationThread.scheduleWithFixedDelay(forwarder.outbox()::expireRetries, 1, 1, TimeUnit.MINUTES);
        hazelcast.getCluster().addMembershipListener(new MembersListener());
        routes.pointAbsentNodesAt(memberNames(), nameOf(hazelcast.getCluster().getMembers().iterator().next()));
        forwarder.listen();
        LOG.info("Cluster node '{}' started: {} members", settings.nodeName(), hazelcast.getCluster().getMembers().size());
    }

    @Deactivate
    void deactivate() {
        synchronized (this) {
            stopping = true;
            registrations.forEach(ServiceRegistration::unregister);
            registrations.clear();
        }
        try {
            starter.join(); // Hazelcast's start cannot be interrupted; it ends, joined or alone, within its join timeout
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (relays != null) {
            relays.outgoing().endAll();
        }
        routes.close();
        if (sessions != null) {
            sessions.close(); // the front door let go of the store: its last changes reach the cluster
        }
        if (presence != null) {
            presence.close();
        }
        confirmations.failAll("this node is leaving the cluster");
        confirmationThread.shutdownNow();
        if (hazelcast != null) {
            hazelcast.shutdown(); // the others see the member leave; the adopter of its sessions removes its routes
        }
        LOG.info("Cluster node '{}' stopped", settings.nodeName());
    }

    // ---- ClusterPeer: called on the broker's workers, must not block

    @Override
    public Set<String> routed(Message message, String orderKey) {
        return forwarder.outbox().forward(message, orderKey).sharedElsewhere();
    }

    @Override
    public Forwarding forward(Message message, String orderKey) {
        return forwarder.outbox().forward(message, orderKey);
    }

    @Override
    public CompletionStage<Void> forwardAgain(long messageId, String orderKey) {
        return forwarder.outbox().forwardAgain(messageId, orderKey);
    }

    @Override
    public CompletionStage<Void> leaving(String clientId) {
        return relays.outgoing().leaving(clientId);
    }

    @Override
    public boolean relay(String clientId, Message message, String orderKey, String sharedFilter) {
        return relayConfirmed(clientId, message, orderKey, sharedFilter) != null;
    }

    @Override
    public CompletionStage<Void> relayConfirmed(String clientId, Message message, String orderKey, String sharedFilter) {
        return forwarder.outbox().relay(clientId, message, orderKey == null ? "" : orderKey,
                sharedFilter == null ? Set.of() : Set.of(sharedFilter));
    }

    @Override
    public void filterAdded(String filter) {
        routes.added(filter);
    }

    @Override
    public void filterRemoved(String filter) {
        routes.removed(filter);
    }

    @Override
    public void userOnline(String user) {
        presence.online(user);
    }

    @Override
    public void userOffline(String user) {
        presence.offline(user);
    }

    @Override
    public boolean onlineElsewhere(String user) {
        return presence.onlineElsewhere(user);
    }

    // ---- the view of the cluster

    /** The names of the current members, this node's included. */
    private Set<String> memberNames() {
        return MemberNames.of(hazelcast, NODE_ATTRIBUTE);
    }

    /**
     * On every member when {@code node} left: its routes lead to the adopter of its sessions, the oldest member, which
     * takes them. Nodes whose sessions {@code node} was adopting lose their routes (what it held for them is gone);
     * the new adopter removes them.
     */
    private void memberLeft(String node, Member oldest) {
        boolean adoptingHere = oldest.localMember();
        for (String orphaned : routes.left(node, nameOf(oldest))) {
            LOG.warn("Node '{}' left while adopting the sessions of node '{}', which left before: messages held for those"
                    + " sessions are lost", node, orphaned);
            if (adoptingHere) {
                routes.removeRoutesOf(orphaned);
            }
        }
        if (adoptingHere) {
            held.adopting(node); // before what node did not confirm fails: a resend of it may come at once
        }
        forwarder.nodeLeft(node);
        relays.outgoing().nodeLeft(node);
        if (adoptingHere) {
            sessions.adopt(node, () -> adoptionOver(node));
        }
    }

    /** This node took every session of {@code node}, which left, and every member has their routes: its routes go. */
    private void adoptionOver(String node) {
        held.adoptionOver(node);
        routes.removeRoutesOf(node); // queued after the adopted sessions' own routes, on the same thread
        LOG.info("Adoption of the sessions of node '{}' over: its routes are removed", node);
    }

    private static String nameOf(Member member) {
        return member.getAttribute(NODE_ATTRIBUTE);
    }

    private final class MembersListener implements MembershipListener {
        @Override
        public void memberAdded(MembershipEvent event) {
            String node = nameOf(event.getMember());
            LOG.info("Cluster member joined: {} ({})", node, event.getMember().getAddress());
            if (node != null) {
                routes.back(node);
                held.rejoined(node);
                confirmations.nodeBack(node);
            }
        }

        @Override
        public void memberRemoved(MembershipEvent event) {
            String node = nameOf(event.getMember());
            LOG.info("Cluster member left: {} ({})", node, event.getMember().getAddress());
            if (node != null && !node.equals(settings.nodeName())) {
                presence.memberLeft(event.getMember());
                memberLeft(node, event.getMembers().iterator().next());
            }
        }
    }

    // ---- ClusterStatistics (sb:cluster, metrics)

    @Override
    public ClusterStats cluster() {
        Map<String, Set<String>> filters = routes.filtersByNode();
        Map<String, Integer> usersOnline = presence.usersOnlinePerNode();
        Map<String, Integer> waiting = confirmations.waitingByNode();
        List<ClusterStats.Member> members = new ArrayList<>();
        for (Member member : hazelcast.getCluster().getMembers()) {
            String name = String.valueOf(member.getAttribute(NODE_ATTRIBUTE));
            Confirmations.Waits waits = confirmations.waitsFor(name);
            members.add(new ClusterStats.Member(name, member.getAddress().getHost() + ":" + member.getAddress().getPort(),
                    member.localMember(), List.copyOf(filters.getOrDefault(name, Set.of())), forwarder.outbox().sentTo(name),
                    forwarder.receivedFrom(name), usersOnline.getOrDefault(name, 0), sessions.sessionsOf(name),
                    waiting.getOrDefault(name, 0), waits.confirmed(), waits.seconds()));
        }
        return new ClusterStats(settings.clusterName(), settings.nodeName(),
                hazelcast.getCluster().getClusterState().name(), members, confirmations.size());
    }
}
