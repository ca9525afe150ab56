package io.switchboard.store.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import java.util.function.Supplier;
import java.util.stream.Stream;

import io.switchboard.api.Message;
import io.switchboard.store.StoredMessages;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GroupCommitTest {

    @TempDir
    Path dir;

    private static Map<String, byte[]> read(GroupCommit store, String space) {
        Map<String, byte[]> found = new TreeMap<>();
        store.read(space, found::put);
        return found;
    }

    @Test
    void whatWasWrittenIsThereAfterAReopenInKeyOrder() throws Exception {
        Path store1 = dir.resolve("store");
        try (GroupCommit store = new GroupCommit(new RocksDbEngine(store1), false, System::currentTimeMillis)) {
            store.put("queue", "c1\u0000b", new byte[] {2});
            store.put("queue", "c1\u0000a", new byte[] {1});
            store.put("queue", "c2\u0000a", new byte[] {3});
            store.put("retained", "t", new byte[] {4});
            store.delete("retained", "t");
            store.written().toCompletableFuture().get(5, TimeUnit.SECONDS);
        }
        try (GroupCommit store = new GroupCommit(new RocksDbEngine(store1), false, System::currentTimeMillis)) {
            List<String> keys = new ArrayList<>();
            store.read("queue", (k, v) -> keys.add(k));
            assertThat(keys).containsExactly("c1\u0000a", "c1\u0000b", "c2\u0000a");
            assertThat(read(store, "retained")).isEmpty();
            store.deletePrefix("queue", "c1\u0000");
            store.written().toCompletableFuture().get(5, TimeUnit.SECONDS);
            assertThat(read(store, "queue")).containsOnlyKeys("c2\u0000a");
            assertThat(store.previousRunAlive()).isGreaterThan(0);
            assertThat(store.status().recovered()).as("what the store held when it opened").containsEntry("queue", 3L);
        }
    }

    @Test
    void writtenCompletesAtOnceWhenNothingIsPending() {
        try (GroupCommit store = new GroupCommit(new RocksDbEngine(dir.resolve("store")), true, System::currentTimeMillis)) {
            assertThat(store.written().toCompletableFuture()).isCompleted();
        }
    }

    @Test
    void aFailingWriteFailsItsWaitersAndIsRetriedAheadOfLaterChanges() throws Exception {
        FlakyEngine engine = new FlakyEngine();
        engine.failing = true;
        try (GroupCommit store = new GroupCommit(engine, false, System::currentTimeMillis)) {
            store.put("s", "k1", new byte[] {1});
            assertThatThrownBy(() -> store.written().toCompletableFuture().get(5, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class).hasMessageContaining("disk full");
            engine.failing = false;
            store.put("s", "k2", new byte[] {2});
            store.written().toCompletableFuture().get(5, TimeUnit.SECONDS);
            assertThat(engine.data).containsOnlyKeys("k1", "k2");
            assertThat(store.failures()).isGreaterThanOrEqualTo(1);
        }
    }

    @Test
    void onlyTheLastChangeOfAKeyWaitingForTheWriterIsWrittenAndAnInsertDeletedInTimeNotAtAll() throws Exception {
        HeldEngine engine = new HeldEngine();
        AtomicInteger encodedK1 = new AtomicInteger();
        AtomicInteger encodedK5 = new AtomicInteger();
        try (GroupCommit store = new GroupCommit(engine, false, System::currentTimeMillis)) {
            store.put("s", "first", new byte[] {0});
            engine.entered.await(5, TimeUnit.SECONDS); // the writer holds the first batch: the rest waits
            store.insert("q", "k1", counting(encodedK1, new byte[] {1}));
            CompletableFuture<Void> k1Written = store.written().toCompletableFuture();
            store.delete("q", "k1");
            store.put("q", "k2", new byte[] {2});
            store.put("q", "k2", new byte[] {22});
            store.put("q", "k3", new byte[] {3});
            store.delete("q", "k3");
            store.insert("q", "k5", counting(encodedK5, new byte[] {5}));
            engine.release.countDown();
            store.written().toCompletableFuture().get(5, TimeUnit.SECONDS);
            assertThat(k1Written).isCompleted();
            assertThat(engine.batches.get(1)).containsExactly("PUT q k2 22", "DELETE q k3", "PUT q k5 5");
            assertThat(encodedK1).as("an insert deleted before it was written is never encoded").hasValue(0);
            assertThat(encodedK5).hasValue(1);
            assertThat(store.status().skipped()).isEqualTo(4);
        }
    }

    @Test
    void aDeleteOfAnInsertAlreadyTakenByTheWriterIsWritten() throws Exception {
        HeldEngine engine = new HeldEngine();
        try (GroupCommit store = new GroupCommit(engine, false, System::currentTimeMillis)) {
            store.insert("q", "k", () -> new byte[] {1});
            engine.entered.await(5, TimeUnit.SECONDS);
            store.delete("q", "k");
            engine.release.countDown();
            store.written().toCompletableFuture().get(5, TimeUnit.SECONDS);
            assertThat(engine.batches.get(0)).containsExactly("PUT q k 1");
            assertThat(engine.batches.get(1)).containsExactly("DELETE q k");
        }
    }

    private static Supplier<byte[]> counting(AtomicInteger calls, byte[] value) {
        return () -> {
            calls.incrementAndGet();
            return value;
        };
    }

    @Test
    void aDamagedStoreIsRefusedNamingItsDirectory() throws IOException {
        Path store = dir.resolve("store");
        new RocksDbEngine(store).close();
        try (Stream<Path> files = Files.list(store)) {
            for (Path manifest : files.filter(f -> f.getFileName().toString().startsWith("MANIFEST-")).toList()) {
                Files.write(manifest, "this is not a RocksDB manifest, but something else entirely".repeat(200).getBytes());
            }
        }
        assertThatThrownBy(() -> new RocksDbEngine(store)).isInstanceOf(StoreOpenException.class)
                .hasMessageContaining(store.toString()).hasMessageContaining("move the directory away");
    }

    @Test
    void aStoreInUseIsRefused() {
        Path store = dir.resolve("store");
        try (RocksDbEngine first = new RocksDbEngine(store)) {
            assertThatThrownBy(() -> new RocksDbEngine(store)).isInstanceOf(StoreOpenException.class)
                    .hasMessageContaining("If another Switchboard uses it");
        }
    }

    @Test
    void aMessageSurvivesItsBinaryForm() {
        Message m = Message.builder("a/b").id(42).refId(7).appId("app").groupId(3).flags(5).type(2).expiresAt(123456)
                .timestamp(99).from("alice").qos(2).retain(true).payload("héllo").contentType("text/plain")
                .responseTopic("r/t").correlationData(new byte[] {9, 8}).userProperty("k", "v").userProperty("k", "w")
                .build();
        assertThat(StoredMessages.decode(StoredMessages.encode(m))).isEqualTo(m);
    }

    /** Records each batch (without the store's own records); holds the first one with a change until released. */
    private static final class HeldEngine extends MemoryEngine {
        final List<List<String>> batches = new java.util.concurrent.CopyOnWriteArrayList<>();
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);

        @Override
        public void write(List<Change> changes, boolean fsync) {
            List<String> batch = new ArrayList<>();
            for (Change c : changes) {
                if (!c.space().equals(GroupCommit.META)) {
                    batch.add(c.kind() + " " + c.space() + " " + c.key()
                            + (c.kind() == Change.Kind.PUT ? " " + c.bytes()[0] : ""));
                }
            }
            if (batch.isEmpty()) {
                return; // only the store's own tick: not held, so that the first real batch is the one held
            }
            batches.add(batch);
            entered.countDown();
            try {
                release.await(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** An engine in memory that fails while told to, like a full disk. */
    private static final class FlakyEngine extends MemoryEngine {
        final Map<String, byte[]> data = new TreeMap<>();
        volatile boolean failing;

        @Override
        public synchronized void write(List<Change> changes, boolean fsync) throws IOException {
            if (failing) {
                throw new IOException("disk full");
            }
            for (Change c : changes) {
                if (!c.space().equals(GroupCommit.META)) {
                    data.put(c.key(), c.bytes());
                }
            }
        }
    }

    /** What the test engines share: nothing to read back, no files. */
    private abstract static class MemoryEngine implements Engine {
        @Override
        public void read(String space, BiConsumer<String, byte[]> each) {
        }

        @Override
        public String location() {
            return "memory";
        }

        @Override
        public long diskBytes() {
            return 0;
        }

        @Override
        public void close() {
        }
    }
}
