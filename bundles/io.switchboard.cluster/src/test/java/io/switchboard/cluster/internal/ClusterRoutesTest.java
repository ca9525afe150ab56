package io.switchboard.cluster.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Map;
import java.util.Set;

import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.replicatedmap.ReplicatedMap;
import io.switchboard.cluster.internal.sessions.TestMembers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The routing map on a real (single, loopback) Hazelcast member; node "b" is one that left, its entries written directly. */
class ClusterRoutesTest {

    private static final Duration VIEW = Duration.ofSeconds(10);

    private HazelcastInstance hazelcast;
    private ReplicatedMap<String, String> map;
    private ClusterRoutes routes;

    @BeforeEach
    void start() {
        hazelcast = Hazelcast.newHazelcastInstance(TestMembers.config("routes-test"));
        map = hazelcast.getReplicatedMap(ClusterRoutes.ROUTES);
        map.put(ClusterRoutes.key("a", "old/#"), "a"); // an earlier run of this node, which died unnoticed
        map.put(ClusterRoutes.key("b", "t/#"), "b");
        map.put(ClusterRoutes.key("b", "u"), "b");
        routes = new ClusterRoutes("a");
        routes.start(hazelcast);
        // the seeded entries may reach the view by their events, after start read the map: wait for both of b's
        await().atMost(VIEW).until(() -> routes.filtersByNode().getOrDefault("b", Set.of()).size() == 2);
    }

    @AfterEach
    void stop() {
        routes.close();
        hazelcast.getLifecycleService().terminate();
    }

    @Test
    void thisNodesRoutesAreWrittenAndThoseOfItsEarlierRunGo() {
        routes.added("mine/+");
        await().atMost(VIEW).until(() -> map.containsKey(ClusterRoutes.key("a", "mine/+")));
        assertThat(map).doesNotContainKey(ClusterRoutes.key("a", "old/#"));
        assertThat(routes.match("mine/1").nodes()).containsExactly("a");

        routes.removed("mine/+");
        await().atMost(VIEW).until(() -> !map.containsKey(ClusterRoutes.key("a", "mine/+")));
        await().atMost(VIEW).until(() -> routes.match("mine/1").nodes().isEmpty());
    }

    @Test
    void theRoutesOfANodeThatLeftLeadToItsAdopterUntilTheAdopterRemovesThem() {
        assertThat(routes.left("b", "c")).isEmpty();
        OrphanRoutes.Resolved resolved = routes.match("t/1");
        assertThat(resolved.nodes()).containsExactly("c");
        assertThat(resolved.heldFor()).isEqualTo(Map.of("c", Set.of("b")));

        routes.removeRoutesOf("b");
        await().atMost(VIEW).until(() -> map.isEmpty());
        await().atMost(VIEW).until(() -> routes.match("t/1").nodes().isEmpty());

        // b comes back and subscribes again: its routes lead to it, not to c
        map.put(ClusterRoutes.key("b", "t/#"), "b");
        await().atMost(VIEW).until(() -> routes.match("t/1").nodes().equals(Set.of("b")));
        assertThat(routes.match("t/1").heldFor()).isEmpty();
    }

    @Test
    void aNodeThatLeftWithoutRoutesIsNotPointedAnywhereAndAnAdopterLeavingDropsWhatItAdopted() {
        routes.left("d", "c"); // d had no route
        routes.left("b", "c");
        assertThat(routes.left("c", "a")).as("c adopted b, d had nothing").containsExactly("b");
        assertThat(routes.match("t/1").nodes()).as("b's routes lead nowhere now").isEmpty();
        assertThat(routes.filtersByNode()).doesNotContainKey("b");
    }
}
