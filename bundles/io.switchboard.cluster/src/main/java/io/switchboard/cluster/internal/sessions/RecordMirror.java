package io.switchboard.cluster.internal.sessions;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

import com.hazelcast.map.IMap;
import com.hazelcast.query.Predicates;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Copies session records into the cluster's map {@link RecordKeys#RECORDS} the way the local store commits them:
 * changes queue up in call order and one thread writes what has queued as one batch (the last change of a key wins;
 * a record inserted and deleted within one batch never travels), the next batch when the last one (with its
 * synchronous backups) completed. The broker's workers only queue; {@link #written()} says when what came before it
 * is in the map with its backups, or fails when writing failed: the batch is then written again, with what came
 * since, as the local store retries its commits.
 *
 * <p>Deletions are synchronous calls, several at once on a small pool: Hazelcast 5.7's {@code deleteAsync} and
 * {@code removeAsync} miss keys placed by a map's partitioning strategy (they look in the partition of the whole key;
 * {@code RecordMirrorTest} shows it), which places every record of a client id in one partition.
 */
final class RecordMirror implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RecordMirror.class);
    private static final long WRITE_TIMEOUT_SECONDS = 30;
    /** Deletions in flight at once. */
    private static final int DELETERS = 4;
    /** How soon a failed batch is written again when no new change comes. */
    private static final long RETRY_MILLIS = 500;

    private final IMap<String, byte[]> records;
    private final BlockingQueue<Object> queue = new LinkedBlockingQueue<>();
    /** Changes queued and not yet written: zero means {@link #written()} has nothing to wait for. */
    private final AtomicLong unwritten = new AtomicLong();
    private final Thread writer;
    private final ExecutorService deleters;
    private volatile boolean closed;
    private long batches;

    RecordMirror(IMap<String, byte[]> records, String nodeName) {
        this.records = records;
        AtomicInteger threads = new AtomicInteger();
        this.deleters = Executors.newFixedThreadPool(DELETERS, r -> {
            Thread t = new Thread(r, "switchboard-cluster-records-delete-" + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.writer = new Thread(this::writeLoop, "switchboard-cluster-records-" + nodeName);
        writer.setDaemon(true);
        writer.start();
    }

    // ---- what the store's callers queue

    void put(String mapKey, Supplier<byte[]> value) {
        enqueue(new Change(Kind.PUT, mapKey, value));
    }

    /** A key not used before: deleted again in the same batch, it never reaches the map. */
    void insert(String mapKey, Supplier<byte[]> value) {
        enqueue(new Change(Kind.INSERT, mapKey, value));
    }

    void delete(String mapKey) {
        enqueue(new Change(Kind.DELETE, mapKey, null));
    }

    /** Deletes every record of {@code space} whose key starts with {@code keyPrefix} (the records of one client id). */
    void deletePrefix(String space, String keyPrefix) {
        enqueue(new Change(Kind.DELETE_PREFIX, RecordKeys.mapKey(space, keyPrefix), null));
    }

    private void enqueue(Change change) {
        unwritten.incrementAndGet();
        queue.add(change);
    }

    /** Completes when every change queued before is in the map with its backups (at once when nothing is queued). */
    CompletionStage<Void> written() {
        if (unwritten.get() == 0) {
            return CompletableFuture.completedFuture(null);
        }
        CompletableFuture<Void> barrier = new CompletableFuture<>();
        queue.add(barrier);
        return barrier;
    }

    long batches() {
        return batches;
    }

    /** Writes what is queued, then stops the writer. */
    @Override
    public void close() {
        try {
            written().toCompletableFuture().get(WRITE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.warn("Session records not all copied to the cluster at shutdown: {}", e.toString());
        }
        closed = true;
        writer.interrupt();
        deleters.shutdown();
    }

    // ---- the writer

    private void writeLoop() {
        List<Object> taken = new ArrayList<>();
        Batch failed = null;
        int failedChanges = 0;
        while (!closed) {
            try {
                if (failed == null) {
                    taken.add(queue.take());
                } else {
                    Object next = queue.poll(RETRY_MILLIS, TimeUnit.MILLISECONDS); // retry even if nothing new comes
                    if (next != null) {
                        taken.add(next);
                    }
                }
            } catch (InterruptedException e) {
                return;
            }
            queue.drainTo(taken);
            // what failed goes again, with what came since on top (in call order, as ever)
            Batch batch = failed != null ? failed : new Batch();
            List<CompletableFuture<Void>> barriers = new ArrayList<>();
            int changes = failedChanges;
            failed = null;
            failedChanges = 0;
            for (Object item : taken) {
                if (item instanceof Change change) {
                    batch.add(change);
                    changes++;
                } else {
                    @SuppressWarnings("unchecked")
                    CompletableFuture<Void> barrier = (CompletableFuture<Void>) item;
                    barriers.add(barrier);
                }
            }
            taken.clear();
            Throwable failure = null;
            try {
                batch.writeTo(records, deleters);
                batches++;
                unwritten.addAndGet(-changes);
            } catch (Exception e) {
                failure = e;
                failed = batch;
                failedChanges = changes;
                LOG.warn("Session records not copied to the cluster ({} changes), trying again: {}", changes, e.toString());
            }
            for (CompletableFuture<Void> barrier : barriers) {
                if (failure == null) {
                    barrier.complete(null);
                } else {
                    barrier.completeExceptionally(failure);
                }
            }
        }
    }

    private enum Kind { PUT, INSERT, DELETE, DELETE_PREFIX }

    /** A change as the store's callers queue it, for tests of {@link Batch}: {@code kind} put, insert or delete. */
    static Change change(String kind, String mapKey, Supplier<byte[]> value) {
        return new Change(Kind.valueOf(kind.toUpperCase(java.util.Locale.ROOT)), mapKey, value);
    }

    record Change(Kind kind, String mapKey, Supplier<byte[]> value) {
    }

    /** The changes of one batch, coalesced by key; prefix deletions apply to what earlier batches wrote. */
    static final class Batch {

        private final Map<String, Change> byKey = new LinkedHashMap<>();
        private final List<String> deletedPrefixes = new ArrayList<>();

        void add(Change change) {
            switch (change.kind()) {
                case PUT, INSERT -> byKey.put(change.mapKey(), change);
                case DELETE -> {
                    Change earlier = byKey.get(change.mapKey());
                    if (earlier != null && earlier.kind() == Kind.INSERT) {
                        byKey.remove(change.mapKey()); // never written: nothing to delete
                    } else {
                        byKey.put(change.mapKey(), change);
                    }
                }
                case DELETE_PREFIX -> {
                    for (Iterator<String> keys = byKey.keySet().iterator(); keys.hasNext();) {
                        if (keys.next().startsWith(change.mapKey())) {
                            keys.remove();
                        }
                    }
                    deletedPrefixes.add(change.mapKey());
                }
            }
        }

        /** The records this batch sets (value made now), and the keys it deletes. */
        Map<String, byte[]> puts() {
            Map<String, byte[]> puts = new HashMap<>();
            byKey.forEach((key, change) -> {
                if (change.kind() != Kind.DELETE) {
                    byte[] value = change.value().get();
                    if (value != null) {
                        puts.put(key, value);
                    }
                }
            });
            return puts;
        }

        List<String> deletes() {
            return byKey.values().stream().filter(c -> c.kind() == Kind.DELETE).map(Change::mapKey).toList();
        }

        List<String> deletedPrefixes() {
            return deletedPrefixes;
        }

        void writeTo(IMap<String, byte[]> records, Executor deleters) throws Exception {
            List<CompletableFuture<?>> pending = new ArrayList<>();
            for (String prefix : deletedPrefixes) {
                String clientId = RecordKeys.clientId(RecordKeys.recordKey(prefix));
                for (String key : records.keySet(Predicates.partitionPredicate(clientId, Predicates.alwaysTrue()))) {
                    if (key.startsWith(prefix)) {
                        pending.add(CompletableFuture.runAsync(() -> records.delete(key), deleters));
                    }
                }
            }
            await(pending); // before the sets: a session ended and begun again keeps its new records
            Map<String, byte[]> puts = puts();
            if (!puts.isEmpty()) {
                pending.add(records.setAllAsync(puts).toCompletableFuture());
            }
            for (String key : deletes()) {
                pending.add(CompletableFuture.runAsync(() -> records.delete(key), deleters));
            }
            await(pending);
        }

        private static void await(List<CompletableFuture<?>> pending) throws Exception {
            CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).get(WRITE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            pending.clear();
        }
    }
}
