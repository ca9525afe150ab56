package io.switchboard.cluster.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.lang.reflect.Proxy;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.config.Config;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import io.switchboard.api.Message;
import io.switchboard.api.broker.Broker;
import io.switchboard.api.broker.ForwardingException;
import io.switchboard.cluster.internal.forwarding.Confirmations;
import io.switchboard.cluster.internal.sessions.HeldMessages;
import io.switchboard.cluster.internal.sessions.IncomingRelays;
import io.switchboard.cluster.internal.sessions.OutgoingRelays;
import io.switchboard.cluster.internal.sessions.Relays;
import io.switchboard.cluster.internal.sessions.TestMembers;
import io.switchboard.store.MemoryStateStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A message relayed to the node a session moves to, between two real members: the node that relays it waits for that
 * node's confirmation (the session has it, and its store wrote it), which the message's acknowledgement waits for.
 */
class ForwarderRelayTest {

    private static final Duration WITHIN = Duration.ofSeconds(20);

    private Node a;
    private Node b;

    @BeforeEach
    void start() throws IOException {
        int portA = freePort();
        int portB = freePort();
        List<String> members = List.of("127.0.0.1:" + portA, "127.0.0.1:" + portB);
        a = new Node("a", portA, members);
        b = new Node("b", portB, members);
        await().atMost(WITHIN).until(() -> a.hazelcast.getCluster().getMembers().size() == 2
                && b.hazelcast.getCluster().getMembers().size() == 2);
        a.relays.outgoing().start("mover", "b"); // a lets go of the session of "mover" for b
    }

    @AfterEach
    void stop() {
        for (Node node : new Node[] {a, b}) {
            if (node != null) {
                node.hazelcast.getLifecycleService().terminate();
                node.timer.shutdownNow();
            }
        }
    }

    @Test
    void aRelayIsConfirmedOnceTheNodeTakingTheSessionHandedItToTheSession() {
        CompletableFuture<Void> confirmed = a.forwarder.relay("mover", message(1), "pub", Set.of()).toCompletableFuture();

        await().atMost(WITHIN).until(() -> b.handing.containsKey("t/1"));
        assertThat(confirmed).as("the session on b does not have it yet").isNotDone();
        b.handing.get("t/1").complete(1);
        await().atMost(WITHIN).until(confirmed::isDone);
        assertThat(confirmed).isCompleted();
        assertThat(a.confirmations.size()).isZero();
    }

    @Test
    void aRelayToANodeThatDiesBeforeConfirmingFailsSoItsPublisherSendsItAgain() {
        CompletableFuture<Void> confirmed = a.forwarder.relay("mover", message(1), "pub", Set.of()).toCompletableFuture();
        await().atMost(WITHIN).until(() -> b.handing.containsKey("t/1"));

        b.hazelcast.getLifecycleService().terminate();

        await().atMost(WITHIN).until(confirmed::isDone);
        assertThat(confirmed).isCompletedExceptionally();
        assertThat(confirmed.handle((v, e) -> e).join()).isInstanceOf(ForwardingException.class)
                .hasMessageContaining("node 'b' left");
    }

    @Test
    void aQos0RelayIsNotConfirmed() {
        CompletableFuture<Void> sent = a.forwarder.relay("mover", Message.builder("t/0").payload("x").qos(0).build(),
                "pub", Set.of()).toCompletableFuture();

        assertThat(sent).isCompleted();
        await().atMost(WITHIN).until(() -> b.handing.containsKey("t/0"));
        assertThat(a.confirmations.size()).isZero();
    }

    private static Message message(int n) {
        return Message.builder("t/" + n).payload("x").qos(1).id(n).build();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** One member with its forwarder; its broker hands a relayed message over when the test completes it. */
    private static final class Node {
        final HazelcastInstance hazelcast;
        final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
        final Confirmations confirmations = new Confirmations(60_000, System::nanoTime);
        /** What was handed to the session here, by topic, waiting for the test to complete it. */
        final ConcurrentHashMap<String, CompletableFuture<Integer>> handing = new ConcurrentHashMap<>();
        final Broker broker = (Broker) Proxy.newProxyInstance(Broker.class.getClassLoader(),
                new Class<?>[] {Broker.class}, (proxy, method, args) -> {
                    if (!method.getName().equals("deliverTo")) {
                        throw new UnsupportedOperationException(method.getName());
                    }
                    String topic = ((Message) args[1]).topic();
                    return handing.computeIfAbsent(topic, t -> ((Message) args[1]).qos() == 0
                            ? CompletableFuture.completedFuture(1) : new CompletableFuture<>());
                });
        final Relays relays;
        final Forwarder forwarder;

        Node(String name, int port, List<String> members) {
            Config config = TestMembers.config("forwarder-test");
            config.getMemberAttributeConfig().setAttribute(ClusterNode.NODE_ATTRIBUTE, name);
            config.getNetworkConfig().setPort(port);
            config.getNetworkConfig().getJoin().getTcpIpConfig().setEnabled(true).setMembers(members);
            config.setProperty("hazelcast.wait.seconds.before.join", "1");
            config.setProperty("hazelcast.max.wait.seconds.before.join", "3");
            hazelcast = Hazelcast.newHazelcastInstance(config);
            ClusterRoutes routes = new ClusterRoutes(name);
            relays = new Relays(new OutgoingRelays(System::nanoTime), new IncomingRelays(broker), routes);
            forwarder = new Forwarder(name, hazelcast, routes, new HeldMessages(broker), relays, broker,
                    new MemoryStateStore(), confirmations, timer, () -> Set.of("a", "b"));
            forwarder.listen();
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
    }
}
