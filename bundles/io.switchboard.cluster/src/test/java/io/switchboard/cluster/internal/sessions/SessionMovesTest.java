package io.switchboard.cluster.internal.sessions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.lang.reflect.Proxy;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.config.Config;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import io.switchboard.api.Message;
import io.switchboard.api.broker.Broker;
import io.switchboard.api.broker.SessionHolder;
import io.switchboard.store.MemoryStateStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Two real members on loopback, each with its sessions' parts and a front door that records what it is asked. */
class SessionMovesTest {

    private static final String ATTRIBUTE = "switchboard.node";

    private final Map<String, Node> nodes = new ConcurrentHashMap<>();

    @AfterEach
    void stop() {
        nodes.values().forEach(Node::close);
    }

    @Test
    void aClaimOnBMakesALetGoAndBTakesTheRecordsAWrote() throws Exception {
        startNodes();
        Node a = nodes.get("a");
        Node b = nodes.get("b");
        a.moves.claim("c1").toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertThat(a.ownership.holds("c1")).isTrue();
        a.store.put("mqtt.sessions", "c1", new byte[] {1});
        a.store.insert("mqtt.queue", "c1\u00001", () -> new byte[] {2});
        a.store.written().toCompletableFuture().get(10, TimeUnit.SECONDS);

        b.moves.claim("c1").toCompletableFuture().get(20, TimeUnit.SECONDS);

        assertThat(a.front.letGo).containsExactly("c1");
        assertThat(a.ownership.holds("c1")).isFalse();
        assertThat(b.ownership.holds("c1")).isTrue();
        assertThat(b.ownership.owners().get("c1")).isEqualTo("b");
        assertThat(b.front.taken).hasSize(1);
        Map<String, SortedMap<String, byte[]>> records = b.front.taken.get(0);
        assertThat(records.get("mqtt.sessions")).containsOnlyKeys("c1");
        assertThat(records.get("mqtt.queue")).containsOnlyKeys("c1\u00001");
        Map<String, byte[]> local = new ConcurrentHashMap<>();
        b.local.read("mqtt.queue", local::put);
        assertThat(local).as("b keeps them for its own restart").containsOnlyKeys("c1\u00001");

        // a's late change of the session it let go stays on a
        a.store.put("mqtt.sessions", "c1", new byte[] {9});
        a.store.written().toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertThat(b.records().get("mqtt.sessions\u0000c1")).containsExactly(1);
    }

    @Test
    void theNodeThatLetGoRelaysUntilEveryMemberSeesTheRoutesOfTheNodeThatTookTheSession() throws Exception {
        startNodes("a", "b", "c");
        Node a = nodes.get("a");
        Node b = nodes.get("b");
        Node c = nodes.get("c");
        a.holdSession("mover");
        b.ownFilters.add("t/#");
        a.seen.add("b t/#"); // a routes to b already, c does not yet

        b.moves.claim("mover").toCompletableFuture().get(20, TimeUnit.SECONDS);

        assertThat(a.relays.outgoing().target("mover")).isEqualTo("b");
        CompletionStage<Void> relayOver = a.relays.outgoing().leaving("mover");
        Thread.sleep(300);
        assertThat(relayOver.toCompletableFuture()).as("c does not route to b yet").isNotDone();

        c.seen.add("b t/#");

        relayOver.toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertThat(a.relays.outgoing().target("mover")).isNull();
    }

    @Test
    void aMoveOfASessionWithoutRecordsEndsTheRelayAtOnce() throws Exception {
        startNodes();
        Node a = nodes.get("a");
        Node b = nodes.get("b");
        a.moves.claim("clean").toCompletableFuture().get(10, TimeUnit.SECONDS); // a clean session: nothing written
        b.ownFilters.add("t/#"); // a does not see b's route: a barrier would wait

        b.moves.claim("clean").toCompletableFuture().get(20, TimeUnit.SECONDS);

        await().atMost(Duration.ofSeconds(3)).until(() -> a.relays.outgoing().target("clean") == null);
    }

    @Test
    void theSurvivorTakesTheSessionsOfAMemberThatDiedAndHandsThemWhatItHeldForThem() throws Exception {
        startNodes();
        Node a = nodes.get("a");
        Node b = nodes.get("b");
        a.holdSession("c2");
        a.holdSession("c3");
        // what the other nodes routed to a's filters once they saw it leave, pointed at b
        b.held.hold(Set.of("a"), Message.builder("t/1").payload("x").qos(1).build(), "k", Set.of());

        kill("a");

        await().atMost(Duration.ofSeconds(30)).until(() -> b.adoptionsOver.contains("a"));
        assertThat(b.front.taken).hasSize(2); // the sessions are taken side by side
        assertThat(b.front.taken).flatExtracting(r -> r.get("mqtt.sessions").keySet()).containsExactlyInAnyOrder("c2", "c3");
        assertThat(b.ownership.owners().get("c2")).isEqualTo("b");
        assertThat(b.ownership.holds("c2")).isTrue();
        assertThat(b.handedOver).as("each session, once restored, got what was held for a's sessions")
                .containsExactlyInAnyOrder("c2 t/1", "c3 t/1");
    }

    @Test
    void anAdoptionIsOverOnlyOnceEveryMemberRoutesToTheAdopterForTheSessionsItTook() throws Exception {
        startNodes("a", "b", "c"); // a, the oldest, adopts
        Node a = nodes.get("a");
        Node b = nodes.get("b");
        Node c = nodes.get("c");
        b.holdSession("adopted");
        a.ownFilters.add("t/#"); // the route the adopted session announces once restored

        kill("b");

        await().atMost(Duration.ofSeconds(30)).until(() -> a.ownership.holds("adopted"));
        Thread.sleep(300);
        assertThat(a.adoptionsOver).as("c does not route to a yet: b's routes, leading to a, must stay").isEmpty();

        c.seen.add("a t/#");

        await().atMost(Duration.ofSeconds(5)).until(() -> a.adoptionsOver.contains("b"));
    }

    @Test
    void aClaimOfADeadNodesSessionElsewhereWaitsUntilTheAdopterTookItWithWhatItHeldAndMovesItFromThere() throws Exception {
        startNodes("a", "b", "c"); // a, the oldest, adopts
        Node a = nodes.get("a");
        Node b = nodes.get("b");
        Node c = nodes.get("c");
        b.holdSession("c4");
        a.held.hold(Set.of("b"), Message.builder("t/1").payload("x").qos(1).build(), "k", Set.of());

        kill("b");
        await().atMost(Duration.ofSeconds(30)).until(() -> c.hazelcast.getCluster().getMembers().size() == 2);
        c.moves.claim("c4").toCompletableFuture().get(40, TimeUnit.SECONDS); // its client logs in on c at once

        assertThat(a.handedOver).as("the adopter restored it and handed it what it held").containsExactly("c4 t/1");
        assertThat(a.front.letGo).as("then let it go to c").containsExactly("c4");
        assertThat(c.front.taken).hasSize(1);
        assertThat(c.ownership.owners().get("c4")).isEqualTo("c");
    }

    @Test
    void aClaimAskingANodeThatDiesMeanwhileMovesTheSessionFromTheAdopterWithWhatItHeld() throws Exception {
        startWithADyingOwner("c5");
        Node a = nodes.get("a");
        Node b = nodes.get("b");
        Node c = nodes.get("c");

        // its client logs in on c before b's death is noticed
        CompletableFuture<Void> claim = c.moves.claim("c5").toCompletableFuture();
        await().atMost(Duration.ofSeconds(10)).until(() -> b.front.letGo.contains("c5"));
        kill("b");
        claim.get(40, TimeUnit.SECONDS);

        assertThat(a.handedOver).as("the adopter took it with what it held, not c from the records alone")
                .containsExactly("c5 t/1");
        assertThat(a.front.letGo).as("then let it go to c").containsExactly("c5");
        assertThat(c.ownership.owners().get("c5")).isEqualTo("c");
    }

    @Test
    void anAdoptionEndsOnlyOnceAClaimThatSawTheOwnerDieGaveTheSessionBackAndTheAdopterTookItWithWhatItHeld()
            throws Exception {
        startWithADyingOwner("c6");
        Node a = nodes.get("a");
        Node b = nodes.get("b");
        Node c = nodes.get("c");
        CountDownLatch giveBack = new CountDownLatch(1);
        c.moves.beforeGiveBack = () -> {
            try {
                giveBack.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };

        CompletableFuture<Void> claim = c.moves.claim("c6").toCompletableFuture();
        await().atMost(Duration.ofSeconds(10)).until(() -> b.front.letGo.contains("c6"));
        kill("b");
        // a's search for b's sessions runs once the partitions are a's and c's: c owns c6 then, so it finds none
        await().atMost(Duration.ofSeconds(30)).until(() -> a.hazelcast.getPartitionService().getPartitions().stream()
                .allMatch(p -> p.getOwner() != null && a.hazelcast.getCluster().getMembers().contains(p.getOwner())));
        Thread.sleep(2000);
        assertThat(a.adoptionsOver).as("c's claim still gives c6 back to b: what a holds for b must wait").isEmpty();

        giveBack.countDown();
        claim.get(40, TimeUnit.SECONDS);

        assertThat(a.handedOver).as("the adopter took it with what it held").containsExactly("c6 t/1");
        await().atMost(Duration.ofSeconds(10)).until(() -> a.adoptionsOver.contains("b"));
        assertThat(c.ownership.owners().get("c6")).isEqualTo("c");
    }

    @Test
    void aSessionEndedHereForgetsItsOwnerUnlessTheFrontDoorStillHoldsTheClientId() throws Exception {
        startNodes();
        Node a = nodes.get("a");
        a.moves.claim("gone").toCompletableFuture().get(10, TimeUnit.SECONDS);
        a.moves.claim("back").toCompletableFuture().get(10, TimeUnit.SECONDS);
        a.front.holding.add("back");

        a.moves.ended("gone");
        a.moves.ended("back");

        await().atMost(Duration.ofSeconds(10)).until(() -> a.ownership.owners().get("gone") == null);
        assertThat(a.ownership.holds("gone")).isFalse();
        assertThat(a.ownership.owners().get("back")).isEqualTo("a");
        assertThat(a.ownership.holds("back")).isTrue();
    }

    /**
     * Nodes a, b and c; b owns the session of {@code clientId} and is dying (it takes a let-go question, never answers);
     * a, the oldest, adopts b's sessions and holds a message for them.
     */
    private void startWithADyingOwner(String clientId) throws Exception {
        startNodes("a", "b", "c");
        Node b = nodes.get("b");
        b.holdSession(clientId);
        b.front.lettingGo = false;
        nodes.get("a").held.hold(Set.of("b"), Message.builder("t/1").payload("x").qos(1).build(), "k", Set.of());
    }

    /** The member stops without a goodbye, as at a SIGKILL. */
    private void kill(String name) {
        nodes.remove(name).hazelcast.getLifecycleService().terminate();
    }

    private void startNodes() throws Exception {
        startNodes("a", "b");
    }

    private void startNodes(String... names) throws Exception {
        // one after another, each joining the first: the first looking for another before it listens might take its
        // port for its own socket
        int first = freePort();
        for (String name : names) {
            nodes.put(name, new Node(name, nodes.isEmpty() ? first : freePort(), List.of("127.0.0.1:" + first)));
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> nodes.values().stream()
                .allMatch(n -> n.hazelcast.getCluster().getMembers().size() == names.length));
        // and the partitions settled: a write while they migrate may get its backup late (a backup timeout), so a
        // member killed then takes the only copy with it (the adoption test once lost its session's owner entry so)
        await().atMost(Duration.ofSeconds(60)).until(() -> nodes.values().stream().allMatch(n -> {
            com.hazelcast.partition.PartitionService partitions = n.hazelcast.getPartitionService();
            boolean ownsSome = partitions.getPartitions().stream()
                    .anyMatch(p -> n.hazelcast.getCluster().getLocalMember().equals(p.getOwner()));
            return ownsSome && partitions.isClusterSafe(); // rebalanced to every member, nothing migrating
        }));
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static final class Node {
        final HazelcastInstance hazelcast;
        final MemoryStateStore local = new MemoryStateStore();
        final FrontDoor front = new FrontDoor();
        final ExecutorService blocking = Executors.newCachedThreadPool();
        final java.util.concurrent.ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
        final Ownership ownership;
        final RecordMirror mirror;
        final ReplicatedStateStore store;
        final SessionMoves moves;
        final List<String> handedOver = new CopyOnWriteArrayList<>();
        final Broker broker = (Broker) Proxy.newProxyInstance(Broker.class.getClassLoader(),
                new Class<?>[] {Broker.class}, (proxy, method, args) -> {
                    if (method.getName().endsWith("Deliveries")) {
                        return null; // holdDeliveries, releaseDeliveries: no routing here to hold
                    }
                    if (method.getName().equals("routedSoFar")) {
                        return CompletableFuture.completedFuture(null); // nothing routed here
                    }
                    if (!method.getName().equals("deliverTo")) {
                        throw new UnsupportedOperationException(method.getName());
                    }
                    // a session the front door restored: what it was handed in its order
                    handedOver.add(args[0] + " " + ((Message) args[1]).topic());
                    return CompletableFuture.completedFuture(1);
                });
        final HeldMessages held = new HeldMessages(broker);
        /** This node's own filters, and the (node, filter) routes it sees. */
        final Set<String> ownFilters = ConcurrentHashMap.newKeySet();
        final Set<String> seen = ConcurrentHashMap.newKeySet();
        /** The markers of the moves' ends, on a topic per node (the forwarder's inboxes carry them in the bundle). */
        final MoveFlushes flushes = new MoveFlushes(broker, (node, flush) -> flushesOf(node).publish(String.join("\n",
                Long.toString(flush.request()), flush.member(), flush.taker(), flush.clientId(),
                Boolean.toString(flush.passedOn()))));
        final Relays relays;
        final List<String> adoptionsOver = new CopyOnWriteArrayList<>();

        Node(String name, int port, List<String> members) {
            Config config = TestMembers.config("moves-test");
            config.getMemberAttributeConfig().setAttribute(ATTRIBUTE, name);
            config.getNetworkConfig().setPort(port);
            config.getNetworkConfig().getJoin().getTcpIpConfig().setEnabled(true).setMembers(members);
            config.setProperty("hazelcast.wait.seconds.before.join", "1");
            config.setProperty("hazelcast.max.wait.seconds.before.join", "3");
            config.setProperty("hazelcast.merge.first.run.delay.seconds", "3");
            config.setProperty("hazelcast.merge.next.run.delay.seconds", "3");
            ClusterSessions.configure(config, 1);
            relays = new Relays(new OutgoingRelays(System::nanoTime), new IncomingRelays(name, broker), new RouteView() {
                @Override
                public Set<String> ownFilters() {
                    return Set.copyOf(ownFilters);
                }

                @Override
                public boolean sees(String node, java.util.Collection<String> filters) {
                    return filters.stream().allMatch(f -> seen.contains(node + " " + f));
                }
            }, flushes);
            hazelcast = Hazelcast.newHazelcastInstance(config);
            flushesOf(name).addMessageListener(m -> {
                String[] f = m.getMessageObject().split("\n");
                flushes.arrived(new MoveFlushes.Flush(Long.parseLong(f[0]), f[1], f[2], f[3], Boolean.parseBoolean(f[4])));
            });
            ownership = new Ownership(hazelcast.getMap(RecordKeys.OWNERS), name);
            mirror = new RecordMirror(hazelcast.getMap(RecordKeys.RECORDS), name);
            store = new ReplicatedStateStore(local, mirror, ownership);
            moves = new SessionMoves(hazelcast, ownership, hazelcast.getMap(RecordKeys.RECORDS), local, () -> front,
                    blocking, timer, ATTRIBUTE, held, relays);
            hazelcast.getCluster().addMembershipListener(new MembershipListener() {
                @Override
                public void memberAdded(MembershipEvent event) {
                }

                @Override
                public void memberRemoved(MembershipEvent event) {
                    String left = event.getMember().getAttribute(ATTRIBUTE);
                    if (event.getMembers().iterator().next().localMember()) { // the oldest adopts, as ClusterNode does
                        moves.memberLeft(left, () -> adoptionsOver.add(left));
                    }
                }
            });
        }

        com.hazelcast.topic.ITopic<String> flushesOf(String node) {
            return hazelcast.getTopic("test.flushes." + node);
        }

        /** Claims {@code clientId} here and writes its session record (in the cluster's map once written). */
        void holdSession(String clientId) throws Exception {
            moves.claim(clientId).toCompletableFuture().get(10, TimeUnit.SECONDS);
            store.put("mqtt.sessions", clientId, new byte[] {1});
            store.written().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }

        Map<String, byte[]> records() {
            return hazelcast.getMap(RecordKeys.RECORDS);
        }

        void close() {
            mirror.close();
            blocking.shutdownNow();
            timer.shutdownNow();
            hazelcast.getLifecycleService().terminate();
        }
    }

    /** Records what the cluster asks of it. */
    private static final class FrontDoor implements SessionHolder {
        final List<String> letGo = new CopyOnWriteArrayList<>();
        final List<Map<String, SortedMap<String, byte[]>>> taken = new CopyOnWriteArrayList<>();
        final List<String> holding = new CopyOnWriteArrayList<>();
        /** Whether a let-go completes; false: it never does, as on a node dying right now. */
        volatile boolean lettingGo = true;

        @Override
        public CompletionStage<Void> letGo(String clientId, String reason) {
            letGo.add(clientId);
            return lettingGo ? CompletableFuture.completedFuture(null) : new CompletableFuture<>();
        }

        @Override
        public void take(String clientId, Map<String, SortedMap<String, byte[]>> records, long lostAt) {
            taken.add(records);
        }

        @Override
        public boolean holds(String clientId) {
            return holding.contains(clientId);
        }
    }
}
