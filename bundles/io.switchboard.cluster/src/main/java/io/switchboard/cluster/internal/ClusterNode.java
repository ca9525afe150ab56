package io.switchboard.cluster.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.topic.ITopic;
import io.switchboard.api.Message;
import io.switchboard.api.admin.ClusterStatistics;
import io.switchboard.api.admin.ClusterStats;
import io.switchboard.api.broker.Broker;
import io.switchboard.api.broker.ClusterPeer;
import io.switchboard.api.broker.SessionHolder;
import io.switchboard.api.broker.Forwarding;
import io.switchboard.api.broker.ForwardingException;
import io.switchboard.cluster.internal.forwarding.Acceptor;
import io.switchboard.cluster.internal.forwarding.ConfirmationFrames;
import io.switchboard.cluster.internal.forwarding.Confirmations;
import io.switchboard.cluster.internal.forwarding.Confirmer;
import io.switchboard.cluster.internal.forwarding.ForwardingSettings;
import io.switchboard.cluster.internal.presence.ClusterPresence;
import io.switchboard.cluster.internal.sessions.ClusterSessions;
import io.switchboard.cluster.internal.sessions.HeldMessages;
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
 * passed goes, as one send per node, to the nodes whose filters match its topic (a retained message to every node)
 * and, for each matching shared subscription, to the one node whose turn it is to serve the group (round robin over
 * the nodes with members; this node's own members are skipped when another node serves), on each target node's own
 * topic ({@value #INBOX_PREFIX}name; a Hazelcast {@link ITopic} delivers one member's messages in the order it sent
 * them). The target hands it to its broker with {@link Broker#deliverForwarded}, which skips the message chain. At
 * QoS 1 and 2 the target confirms it on this node's topic ({@value #CONFIRMATIONS_PREFIX}name) once its store wrote
 * it ({@link Acceptor}), and the publisher's acknowledgement waits for every target's confirmation
 * ({@link Confirmations}).
 *
 * <p>A member that leaves keeps its routes, pointed at the member adopting its sessions ({@link OrphanRoutes}), which
 * holds what they bring ({@link HeldMessages}) until it restored the sessions, then removes them.
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

    /** Each node's inbox topic: this prefix and its name. */
    static final String INBOX_PREFIX = "switchboard.node.";
    /** Each node's topic for the confirmations of what it forwarded: this prefix and its name. */
    static final String CONFIRMATIONS_PREFIX = "switchboard.confirm.";
    /** The member attribute holding a member's node name. */
    static final String NODE_ATTRIBUTE = "switchboard.node";
    /** The member attribute naming this run of the node (new at each start): whose presence entries are current. */
    static final String RUN_ATTRIBUTE = "switchboard.run";
    private static final char SEPARATOR = '\0';

    private final Counters sent = new Counters();
    private final Counters received = new Counters();
    private final Map<String, ITopic<byte[]>> inboxes = new ConcurrentHashMap<>();

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
    private volatile Acceptor acceptor;
    private volatile Confirmer confirmer;
    /** Users online on each node (docs/cluster.md). */
    private ClusterPresence presence;
    /** What this node holds for the sessions of nodes that left, which it adopts. */
    private HeldMessages held;

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
        sessions = new ClusterSessions(hazelcast, settings.nodeName(), NODE_ATTRIBUTE, localStore, () -> sessionHolder, held);
        // a forwarded message is confirmed once the store the front door writes (the replicating one) wrote it
        confirmer = new Confirmer(settings.nodeName(), confirmationThread,
                (origin, frame) -> confirmationsTopic(origin).publish(frame));
        acceptor = new Acceptor(broker, sessions.store(), confirmer);
        hazelcast.getCluster().addMembershipListener(new MembersListener());
        routes.pointAbsentNodesAt(memberNames(), nameOf(hazelcast.getCluster().getMembers().iterator().next()));
        this.<byte[]>inbox(settings.nodeName()).addMessageListener(m -> receive(m.getMessageObject()));
        confirmationsTopic(settings.nodeName()).addMessageListener(m -> confirmed(m.getMessageObject()));
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
        return forward(message, orderKey).sharedElsewhere();
    }

    /**
     * Sends the message to the nodes that need it; at QoS 1 and 2 they confirm it once stored, and the returned
     * stage (the publisher's acknowledgement) waits for that.
     */
    @Override
    public Forwarding forward(Message message, String orderKey) {
        String self = settings.nodeName();
        OrphanRoutes.Resolved match = routes.match(message.topic());
        Map<String, Set<String>> sharedByNode = match.sharedServedBy().isEmpty() ? Map.of() : new HashMap<>();
        Set<String> sharedElsewhere = match.sharedServedBy().isEmpty() ? Set.of() : new HashSet<>();
        match.sharedServedBy().forEach((filter, node) -> {
            if (!node.equals(self)) {
                sharedElsewhere.add(filter);
                sharedByNode.computeIfAbsent(node, n -> new HashSet<>()).add(filter);
            }
        });
        Set<String> targets = message.retain() ? memberNames() : new HashSet<>(match.nodes());
        targets.addAll(sharedByNode.keySet());
        targets.remove(self);
        String key = orderKey == null ? "" : orderKey;
        Set<String> heldHere = match.heldFor().get(self);
        // before this node's own deliveries, which follow the return
        if (heldHere != null && !held.hold(heldHere, message, key, sharedServedHere(match.sharedServedBy(), self))
                && message.qos() > 0) {
            return new Forwarding(sharedElsewhere, CompletableFuture.failedFuture(new ForwardingException(
                    "not held for the sessions this node adopts: " + HeldMessages.LIMIT + " messages are held already")));
        }
        Confirmations.Awaited awaited = message.qos() == 0 || targets.isEmpty() ? null
                : confirmations.expect(targets, message.topic());
        long correlation = awaited == null ? 0 : awaited.id();
        byte[] plainFrame = null;
        for (String node : targets) {
            Set<String> shared = sharedByNode.get(node);
            Set<String> heldThere = match.heldFor().get(node);
            byte[] frame;
            if (shared == null && heldThere == null) {
                frame = plainFrame != null ? plainFrame
                        : (plainFrame = Frames.encode(correlation, self, key, Set.of(), Set.of(), message));
            } else {
                frame = Frames.encode(correlation, self, key, shared == null ? Set.of() : shared,
                        heldThere == null ? Set.of() : heldThere, message);
            }
            inbox(node).publish(frame); // Hazelcast queues it on the member's connection; QoS 1/2: confirmed later
            sent.increment(node);
        }
        return awaited == null ? Forwarding.unconfirmed(sharedElsewhere) : new Forwarding(sharedElsewhere, awaited.confirmed());
    }

    private static Set<String> sharedServedHere(Map<String, String> sharedServedBy, String self) {
        Set<String> here = new HashSet<>();
        sharedServedBy.forEach((filter, node) -> {
            if (node.equals(self)) {
                here.add(filter);
            }
        });
        return here;
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

    private void receive(byte[] bytes) {
        Frames.Frame frame;
        try {
            frame = Frames.decode(bytes);
        } catch (IllegalArgumentException e) {
            LOG.warn("Dropped a forwarded message this node cannot read: {}", e.getMessage());
            return;
        }
        received.increment(frame.origin());
        String orderKey = frame.origin() + SEPARATOR + frame.orderKey();
        // before the delivery here and the confirmation; one the hold cannot take is refused (its publisher sends again)
        if (!frame.heldFor().isEmpty() && !held.hold(frame.heldFor(), frame.message(), orderKey, frame.sharedHere())
                && frame.correlation() != 0) {
            LOG.warn("Message from node '{}' to '{}' refused: {} messages are held for adopted sessions already",
                    frame.origin(), frame.message().topic(), HeldMessages.LIMIT);
            confirmer.confirm(frame.origin(), frame.correlation(), false);
            return;
        }
        if (frame.correlation() == 0) {
            broker.deliverForwarded(frame.message(), orderKey, frame.sharedHere());
        } else {
            acceptor.accept(frame.correlation(), frame.origin(), frame.message(), orderKey, frame.sharedHere());
        }
    }

    private void confirmed(byte[] bytes) {
        ConfirmationFrames.Confirmation confirmation;
        try {
            confirmation = ConfirmationFrames.decode(bytes);
        } catch (IllegalArgumentException e) {
            LOG.warn("Dropped a confirmation this node cannot read: {}", e.getMessage());
            return;
        }
        confirmations.confirmed(confirmation.node(), confirmation.ids(), confirmation.accepted());
    }

    private ITopic<byte[]> confirmationsTopic(String node) {
        return hazelcast.getTopic(CONFIRMATIONS_PREFIX + node);
    }

    // ---- the view of the cluster

    private ITopic<byte[]> inbox(String node) {
        return inboxes.computeIfAbsent(node, n -> hazelcast.getTopic(INBOX_PREFIX + n));
    }

    /** The names of the current members, this node's included. */
    private Set<String> memberNames() {
        Set<String> names = new TreeSet<>();
        for (Member member : hazelcast.getCluster().getMembers()) {
            String name = member.getAttribute(NODE_ATTRIBUTE);
            if (name != null) {
                names.add(name);
            }
        }
        return names;
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
        inboxes.remove(node);
        if (adoptingHere) {
            sessions.adopt(node, () -> adoptionOver(node));
        }
        confirmations.nodeLeft(node);
    }

    /** This node took every session of {@code node}, which left: their routes are written, so its routes go. */
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
        List<ClusterStats.Member> members = new ArrayList<>();
        for (Member member : hazelcast.getCluster().getMembers()) {
            String name = String.valueOf(member.getAttribute(NODE_ATTRIBUTE));
            members.add(new ClusterStats.Member(name, member.getAddress().getHost() + ":" + member.getAddress().getPort(),
                    member.localMember(), List.copyOf(filters.getOrDefault(name, Set.of())), sent.of(name),
                    received.of(name), usersOnline.getOrDefault(name, 0), sessions.sessionsOf(name)));
        }
        return new ClusterStats(settings.clusterName(), settings.nodeName(),
                hazelcast.getCluster().getClusterState().name(), members, confirmations.size());
    }
}
