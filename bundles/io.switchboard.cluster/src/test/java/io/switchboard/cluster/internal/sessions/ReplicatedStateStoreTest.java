package io.switchboard.cluster.internal.sessions;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import io.switchboard.store.MemoryStateStore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The replicating store against a real (single, loopback) Hazelcast member and a store in memory. */
class ReplicatedStateStoreTest {

    static HazelcastInstance hazelcast;
    IMap<String, byte[]> records;
    IMap<String, String> owners;
    MemoryStateStore local;
    RecordMirror mirror;
    Ownership ownership;
    ReplicatedStateStore store;

    @BeforeAll
    static void startMember() {
        hazelcast = Hazelcast.newHazelcastInstance(TestMembers.config("store-test"));
    }

    @AfterAll
    static void stopMember() {
        hazelcast.shutdown();
    }

    @BeforeEach
    void newStore() {
        records = hazelcast.getMap(RecordKeys.RECORDS);
        owners = hazelcast.getMap(RecordKeys.OWNERS);
        records.clear();
        owners.clear();
        local = new MemoryStateStore();
        mirror = new RecordMirror(records, "t");
        ownership = new Ownership(owners, "a");
        store = new ReplicatedStateStore(local, mirror, ownership);
    }

    @AfterEach
    void closeMirror() {
        mirror.close();
    }

    @Test
    void theSessionsOfAHeldClientIdGoToTheClusterAndEverythingElseStaysLocal() throws Exception {
        ownership.hold("held");
        store.put("mqtt.sessions", "held", new byte[] {1});
        store.insert("mqtt.queue", "held\u00001", () -> new byte[] {2});
        store.put("mqtt.sessions", "other", new byte[] {3});
        store.put("retained", "held", new byte[] {4});
        store.written().toCompletableFuture().get(10, TimeUnit.SECONDS);

        assertThat(records.keySet()).containsExactlyInAnyOrder("mqtt.sessions\u0000held", "mqtt.queue\u0000held\u00001");
        assertThat(read("mqtt.sessions")).containsOnlyKeys("held", "other");
        assertThat(read("retained")).containsOnlyKeys("held");
    }

    @Test
    void aClientIdLetGoIsNoLongerWrittenToTheCluster() throws Exception {
        ownership.hold("moving");
        store.put("mqtt.sessions", "moving", new byte[] {1});
        store.written().toCompletableFuture().get(10, TimeUnit.SECONDS);
        ownership.letGo("moving");
        store.put("mqtt.sessions", "moving", new byte[] {2});
        store.deletePrefix("mqtt.queue", "moving\u0000");
        store.written().toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertThat(records.get("mqtt.sessions\u0000moving")).containsExactly(1);
    }

    @Test
    void readingAtStartKeepsTheSessionsNoOtherNodeOwnsAndCopiesThemToTheCluster() throws Exception {
        local.put("mqtt.sessions", "mine", new byte[] {1});
        local.put("mqtt.sessions", "nobodys", new byte[] {2});
        local.put("mqtt.sessions", "moved", new byte[] {3});
        local.put("mqtt.queue", "moved\u00001", new byte[] {4});
        owners.put("mine", "a");
        owners.put("moved", "b");

        Map<String, byte[]> sessions = new LinkedHashMap<>();
        store.read("mqtt.sessions", sessions::put);
        Map<String, byte[]> queue = new LinkedHashMap<>();
        store.read("mqtt.queue", queue::put);
        store.written().toCompletableFuture().get(10, TimeUnit.SECONDS);

        assertThat(sessions).containsOnlyKeys("mine", "nobodys");
        assertThat(queue).isEmpty();
        assertThat(owners.get("nobodys")).isEqualTo("a");
        assertThat(ownership.holds("mine")).isTrue();
        assertThat(ownership.holds("moved")).isFalse();
        assertThat(records.keySet()).containsExactlyInAnyOrder("mqtt.sessions\u0000mine", "mqtt.sessions\u0000nobodys");
        assertThat(read("mqtt.sessions")).as("the stale session is gone locally").containsOnlyKeys("mine", "nobodys");
        assertThat(read("mqtt.queue")).isEmpty();
    }

    private Map<String, byte[]> read(String space) {
        Map<String, byte[]> found = new LinkedHashMap<>();
        local.read(space, found::put);
        return found;
    }
}
