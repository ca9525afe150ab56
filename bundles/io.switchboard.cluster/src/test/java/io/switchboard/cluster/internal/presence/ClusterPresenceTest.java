package io.switchboard.cluster.internal.presence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import com.hazelcast.cluster.Address;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.cluster.impl.MemberImpl;
import com.hazelcast.config.Config;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.replicatedmap.ReplicatedMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Two real members on loopback, each with its presence, as the cluster node runs it. */
class ClusterPresenceTest {

    private static final String NODE = "switchboard.node";
    private static final String RUN = "switchboard.run";
    private static final Duration VIEW = Duration.ofSeconds(30);

    private final Map<String, Node> nodes = new ConcurrentHashMap<>();

    @AfterEach
    void stop() {
        nodes.values().forEach(Node::close);
    }

    @Test
    void aUserOnlineOnAIsOnlineElsewhereForBUntilAReportsItsLastSessionGone() throws Exception {
        startNodes();
        Node a = nodes.get("a");
        Node b = nodes.get("b");

        a.presence.online("ann");
        await().atMost(VIEW).until(() -> b.presence.onlineElsewhere("ann"));
        assertThat(a.presence.onlineElsewhere("ann")).as("this node is not elsewhere").isFalse();
        assertThat(b.presence.onlineElsewhere("bob")).isFalse();

        b.presence.online("ann");
        b.presence.online("bob");
        await().atMost(VIEW).until(() -> b.presence.usersOnlinePerNode().equals(Map.of("a", 1, "b", 2)));
        await().atMost(VIEW).until(() -> a.presence.usersOnlinePerNode().equals(Map.of("a", 1, "b", 2)));

        a.presence.offline("ann");
        await().atMost(VIEW).until(() -> !b.presence.onlineElsewhere("ann"));
        assertThat(a.presence.onlineElsewhere("ann")).as("still online on b").isTrue();
        assertThat(a.presence.onlineElsewhere("bob")).isTrue();
    }

    @Test
    void aMemberThatDiesTakesItsUsersWithIt() throws Exception {
        startNodes();
        Node a = nodes.get("a");
        Node b = nodes.get("b");
        a.presence.online("cid");
        await().atMost(VIEW).until(() -> b.presence.onlineElsewhere("cid"));

        a.hazelcast.getLifecycleService().terminate(); // no goodbye, as a SIGKILL
        nodes.remove("a");

        await().atMost(VIEW).until(() -> !b.presence.onlineElsewhere("cid"));
        await("b removed a's entries").atMost(VIEW).until(() -> b.entries().isEmpty());
        assertThat(b.presence.usersOnlinePerNode()).isEmpty();
    }

    @Test
    void aNodeStartingAgainRemovesWhatItsEarlierRunLeftAndASurvivorsCleanupSparesTheNewRun() throws Exception {
        startNodes();
        Node b = nodes.get("b");
        // an earlier run of a died unnoticed: its entries are still there
        b.entries().put(ClusterPresence.key("a", "stale"), "earlier-run-of-a");
        // and a node that left while nobody was there
        b.entries().put(ClusterPresence.key("gone", "ghost"), "run-of-gone");
        assertThat(b.presence.onlineElsewhere("stale")).as("not a's current run").isFalse();
        nodes.get("a").close();
        nodes.remove("a");
        await().atMost(VIEW).until(() -> b.hazelcast.getCluster().getMembers().size() == 1);

        Node a = new Node("a", freePort(), List.of(b.address()));
        nodes.put("a", a);
        await().atMost(VIEW).until(() -> b.hazelcast.getCluster().getMembers().size() == 2);
        assertThat(a.entries()).as("the new run removed the earlier run's entries and the absent node's")
                .doesNotContainKeys(ClusterPresence.key("a", "stale"), ClusterPresence.key("gone", "ghost"));
        a.presence.online("dee");
        await().atMost(VIEW).until(() -> b.presence.onlineElsewhere("dee"));

        // a survivor's cleanup for an earlier run of a comes late: it removes that run's entries, not the new run's
        b.entries().put(ClusterPresence.key("a", "stale2"), "earlier-run-of-a");
        b.presence.memberLeft(new MemberImpl.Builder(new Address("127.0.0.1", 1)).uuid(UUID.randomUUID())
                .attributes(Map.of(NODE, "a", RUN, "earlier-run-of-a")).build());
        await().atMost(VIEW).until(() -> !b.entries().containsKey(ClusterPresence.key("a", "stale2")));
        assertThat(b.entries()).containsKey(ClusterPresence.key("a", "dee"));
        assertThat(b.presence.onlineElsewhere("dee")).isTrue();
    }

    private void startNodes() throws Exception {
        // one after another, b joining a: a looking for b before b listens might take b's port for its own socket
        int portA = freePort();
        nodes.put("a", new Node("a", portA, List.of("127.0.0.1:" + portA)));
        nodes.put("b", new Node("b", freePort(), List.of("127.0.0.1:" + portA)));
        await().atMost(VIEW).until(() -> nodes.values().stream()
                .allMatch(n -> n.hazelcast.getCluster().getMembers().size() == 2));
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static final class Node {
        final HazelcastInstance hazelcast;
        final ClusterPresence presence;

        Node(String name, int port, List<String> members) {
            Config config = new Config();
            config.setClusterName("presence-test");
            config.setProperty("hazelcast.phone.home.enabled", "false");
            config.setProperty("hazelcast.logging.type", "slf4j");
            config.setProperty("hazelcast.wait.seconds.before.join", "1");
            config.setProperty("hazelcast.max.wait.seconds.before.join", "3");
            config.setProperty("hazelcast.merge.first.run.delay.seconds", "3");
            config.setProperty("hazelcast.merge.next.run.delay.seconds", "3");
            config.getMemberAttributeConfig().setAttribute(NODE, name);
            config.getMemberAttributeConfig().setAttribute(RUN, UUID.randomUUID().toString());
            config.getNetworkConfig().setPort(port).setPortAutoIncrement(false);
            config.getNetworkConfig().getInterfaces().setEnabled(true).addInterface("127.0.0.1");
            config.getNetworkConfig().getJoin().getMulticastConfig().setEnabled(false);
            config.getNetworkConfig().getJoin().getAutoDetectionConfig().setEnabled(false);
            config.getNetworkConfig().getJoin().getTcpIpConfig().setEnabled(true).setMembers(members);
            ClusterPresence.configure(config);
            hazelcast = Hazelcast.newHazelcastInstance(config);
            presence = new ClusterPresence(hazelcast, NODE, RUN);
            hazelcast.getCluster().addMembershipListener(new MembershipListener() {
                @Override
                public void memberAdded(MembershipEvent event) {
                }

                @Override
                public void memberRemoved(MembershipEvent event) {
                    presence.memberLeft(event.getMember());
                }
            });
        }

        ReplicatedMap<String, String> entries() {
            return hazelcast.getReplicatedMap(ClusterPresence.PRESENCE);
        }

        String address() {
            return "127.0.0.1:" + hazelcast.getCluster().getLocalMember().getAddress().getPort();
        }

        void close() {
            presence.close();
            hazelcast.getLifecycleService().terminate();
        }
    }
}
