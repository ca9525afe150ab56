package io.switchboard.cluster.internal;

import java.io.IOException;
import java.lang.reflect.Proxy;
import java.net.ServerSocket;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.config.Config;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import io.switchboard.api.Message;
import io.switchboard.api.broker.Broker;
import io.switchboard.cluster.internal.forwarding.Confirmations;
import io.switchboard.cluster.internal.sessions.HeldMessages;
import io.switchboard.cluster.internal.sessions.IncomingRelays;
import io.switchboard.cluster.internal.sessions.MoveFlushes;
import io.switchboard.cluster.internal.sessions.OutgoingRelays;
import io.switchboard.cluster.internal.sessions.Relays;
import io.switchboard.cluster.internal.sessions.TestMembers;
import io.switchboard.store.MemoryStateStore;

/**
 * A real Hazelcast member with this bundle's forwarding and routing view, and a broker fake that records what it was
 * handed: {@code deliverTo} waits for the test to complete it ({@link #handing}); {@code acceptForwarded} and
 * {@code deliverShared} are recorded in {@link #accepted} and complete at once, but for the topics in {@link #hang}.
 */
final class ForwarderNode implements AutoCloseable {

    final String name;
    final HazelcastInstance hazelcast;
    final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    final Confirmations confirmations;
    /** What was handed to a session here ({@code deliverTo}), by topic, waiting for the test to complete it. */
    final ConcurrentHashMap<String, CompletableFuture<Integer>> handing = new ConcurrentHashMap<>();
    /** "plain topic [shared]" for acceptForwarded, "shared topic [shared]" for deliverShared, in order. */
    final List<String> accepted = new CopyOnWriteArrayList<>();
    /** Topics whose acceptForwarded never completes (a node too slow to confirm). */
    final Set<String> hang = ConcurrentHashMap.newKeySet();
    final Broker broker = (Broker) Proxy.newProxyInstance(Broker.class.getClassLoader(), new Class<?>[] {Broker.class},
            (proxy, method, args) -> switch (method.getName()) {
                case "deliverTo" -> handing.computeIfAbsent(((Message) args[1]).topic(), t -> ((Message) args[1]).qos() == 0
                        ? CompletableFuture.completedFuture(1) : new CompletableFuture<>());
                case "acceptForwarded" -> recorded("plain", (Message) args[0], args[2]);
                case "deliverShared" -> recorded("shared", (Message) args[0], args[2]);
                case "holdDeliveries", "releaseDeliveries" -> null;
                default -> throw new AssertionError("the forwarding does not use Broker." + method.getName());
            });
    final ClusterRoutes routes;
    final Relays relays;
    final Forwarder forwarder;

    ForwarderNode(String name, int port, List<String> members, long timeoutMillis) {
        this.name = name;
        Config config = TestMembers.config("forwarder-test");
        config.getMemberAttributeConfig().setAttribute(ClusterNode.NODE_ATTRIBUTE, name);
        config.getNetworkConfig().setPort(port);
        config.getNetworkConfig().getJoin().getTcpIpConfig().setEnabled(true).setMembers(members);
        config.setProperty("hazelcast.wait.seconds.before.join", "1");
        config.setProperty("hazelcast.max.wait.seconds.before.join", "3");
        hazelcast = Hazelcast.newHazelcastInstance(config);
        confirmations = new Confirmations(timeoutMillis, System::nanoTime);
        routes = new ClusterRoutes(name);
        routes.start(hazelcast);
        relays = new Relays(new OutgoingRelays(System::nanoTime), new IncomingRelays(name, broker), routes,
                new MoveFlushes(broker, (node, flush) -> inboxOf(node).publish(Frames.encodeFlush(flush))));
        forwarder = new Forwarder(name, hazelcast, routes, new HeldMessages(broker), relays, broker,
                new MemoryStateStore(), confirmations, timer, () -> Set.of("a", "b", "c"));
        forwarder.listen();
        timer.scheduleWithFixedDelay(confirmations::expire, 50, 50, java.util.concurrent.TimeUnit.MILLISECONDS);
        hazelcast.getCluster().addMembershipListener(new MembershipListener() {
            @Override
            public void memberAdded(MembershipEvent event) {
            }

            @Override
            public void memberRemoved(MembershipEvent event) {
                forwarder.nodeLeft(event.getMember().getAttribute(ClusterNode.NODE_ATTRIBUTE));
            }
        });
    }

    private com.hazelcast.topic.ITopic<byte[]> inboxOf(String node) {
        return forwarder.outbox().inbox(node);
    }

    private CompletableFuture<Integer> recorded(String how, Message message, Object shared) {
        accepted.add(how + " " + message.topic() + " " + new java.util.TreeSet<>((Set<?>) shared));
        return hang.contains(message.topic()) ? new CompletableFuture<>() : CompletableFuture.completedFuture(1);
    }

    int members() {
        return hazelcast.getCluster().getMembers().size();
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    @Override
    public void close() {
        hazelcast.getLifecycleService().terminate();
        timer.shutdownNow();
    }
}
