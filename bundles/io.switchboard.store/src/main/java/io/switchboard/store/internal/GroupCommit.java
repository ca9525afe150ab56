package io.switchboard.store.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

import io.switchboard.store.StateStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The durable {@link StateStore}: changes queue up in call order and one writer thread writes
 * everything queued as one batch, so that the disk cost is per batch, not per change, and callers never
 * wait for the disk. A failed batch (a full disk) fails the waiting {@link #written()} stages and is
 * retried, ahead of later changes, once a second until it succeeds.
 *
 * <p>Within what waits for the writer only the last change of a key counts: an earlier one is skipped, and
 * an {@link #insert} deleted before the writer took it is not written at all (nor its delete), so that a
 * message its subscriber acknowledged at once costs no disk write. A batch is atomic, so skipping
 * changes it would overwrite changes nothing a crash could reveal.
 *
 * <p>The writer also records the time at least once a second ({@link #ALIVE_KEY} in {@link #META}), so
 * that after a crash the next start knows when this run was last alive (expiry counts the downtime).
 */
final class GroupCommit implements StateStore, AutoCloseable {

    /** The store's own records. */
    static final String META = "meta";
    /** When the broker was last known alive, epoch milliseconds. */
    static final String ALIVE_KEY = "alive";

    private static final Logger LOG = LoggerFactory.getLogger(GroupCommit.class);
    /** A long read back at start (a million queued messages) reports its progress in the log this often. */
    private static final long PROGRESS_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(2);
    private static final long PROGRESS_EVERY_RECORDS = 10_000;
    private static final long TICK_MILLIS = 1000;
    private static final long RETRY_MILLIS = 1000;

    private record Waiter(long upTo, CompletableFuture<Void> done) {
    }

    private record SpaceKey(String space, String key) {
    }

    /**
     * Where the last pending change of a key is in {@link #pending}; {@code unwritten}: the key's first pending
     * change was an {@link #insert}, so that nothing of it is on disk yet.
     */
    private record Latest(int index, boolean unwritten) {
    }

    private final Engine engine;
    private final boolean fsync;
    private final LongSupplier clock;
    private final long previousRunAlive;
    /** Records per space as first read back (recovery reads every space once: no second pass to count). */
    private final Map<String, Long> recovered = new ConcurrentSkipListMap<>();
    private final long openMillis;
    private final String sync;
    private final Thread writer;

    private final Object lock = new Object();
    /** Changes for the next batch, in call order; {@code null} where a later change of the same key made one moot. */
    private ArrayList<Change> pending = new ArrayList<>();
    /** The last change of each key in {@link #pending} (changes by prefix are not tracked). */
    private HashMap<SpaceKey, Latest> latest = new HashMap<>();
    private final ArrayDeque<Waiter> waiters = new ArrayDeque<>();
    /** Changes submitted so far (the sequence number of the last one). */
    private long submitted;
    /** Changes written so far. */
    private long writtenUpTo;
    private boolean closing;
    private long lastTick;
    private long batches;
    private long failures;
    private long skipped;

    GroupCommit(Engine engine, boolean fsync, LongSupplier clock) {
        this(engine, fsync, clock, 0);
    }

    /** @param openMillis how long opening the engine took */
    GroupCommit(Engine engine, boolean fsync, LongSupplier clock, long openMillis) {
        this.engine = engine;
        this.fsync = fsync;
        this.clock = clock;
        this.openMillis = openMillis;
        this.sync = fsync ? "fsync" : "os";
        long[] alive = {0};
        engine.read(META, (key, value) -> {
            if (ALIVE_KEY.equals(key) && value.length == Long.BYTES) {
                alive[0] = ByteBuffer.wrap(value).getLong();
            }
        });
        this.previousRunAlive = alive[0];
        this.writer = new Thread(this::writeLoop, "switchboard-store-writer");
        writer.setDaemon(true);
        writer.start();
    }

    @Override
    public long previousRunAlive() {
        return previousRunAlive;
    }

    @Override
    public boolean durable() {
        return true;
    }

    @Override
    public Status status() {
        synchronized (lock) {
            return new Status(engine.location(), sync, engine.diskBytes(), Map.copyOf(recovered), openMillis, batches, failures,
                    pending.size(), skipped);
        }
    }

    @Override
    public void read(String space, BiConsumer<String, byte[]> each) {
        long start = System.nanoTime();
        long[] count = {0};
        long[] lastReport = {start};
        engine.read(space, (key, value) -> {
            count[0]++;
            each.accept(key, value);
            if (count[0] % PROGRESS_EVERY_RECORDS == 0 && System.nanoTime() - lastReport[0] > PROGRESS_INTERVAL_NANOS) {
                lastReport[0] = System.nanoTime();
                LOG.info("Store: reading back '{}': {} records so far ({} s)", space, count[0],
                        TimeUnit.NANOSECONDS.toSeconds(lastReport[0] - start));
            }
        });
        if (lastReport[0] != start) { // a long read: say when it ends
            LOG.info("Store: read back {} records of '{}' in {} ms", count[0], space,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
        }
        recovered.putIfAbsent(space, count[0]);
    }

    @Override
    public void put(String space, String key, byte[] value) {
        submit(Change.put(space, key, value), false);
    }

    @Override
    public void insert(String space, String key, Supplier<byte[]> value) {
        submit(Change.put(space, key, value), true);
    }

    @Override
    public void delete(String space, String key) {
        submit(Change.delete(space, key), false);
    }

    @Override
    public void deletePrefix(String space, String keyPrefix) {
        submit(Change.deletePrefix(space, keyPrefix), false);
    }

    private void submit(Change change, boolean insert) {
        synchronized (lock) {
            if (closing) {
                throw new IllegalStateException("the store is closed");
            }
            submitted++;
            if (change.kind() == Change.Kind.DELETE_PREFIX) {
                add(change);
                return;
            }
            SpaceKey key = new SpaceKey(change.space(), change.key());
            Latest before = latest.get(key);
            boolean unwritten = insert;
            if (before != null) {
                pending.set(before.index(), null);
                skipped++;
                unwritten = before.unwritten();
                if (unwritten && change.kind() == Change.Kind.DELETE) {
                    latest.remove(key); // inserted and deleted before any of it was written: nothing to write
                    skipped++;
                    return;
                }
            }
            latest.put(key, new Latest(pending.size(), unwritten));
            add(change);
        }
    }

    private void add(Change change) {
        pending.add(change);
        if (pending.size() == 1) {
            lock.notifyAll();
        }
    }

    @Override
    public CompletionStage<Void> written() {
        synchronized (lock) {
            if (writtenUpTo >= submitted) {
                return CompletableFuture.completedFuture(null);
            }
            CompletableFuture<Void> done = new CompletableFuture<>();
            waiters.add(new Waiter(submitted, done));
            return done;
        }
    }

    /** Batches written so far. */
    long batches() {
        synchronized (lock) {
            return batches;
        }
    }

    /** Batches that failed so far (and were retried). */
    long failures() {
        synchronized (lock) {
            return failures;
        }
    }

    /** Changes waiting for the writer. */
    int pending() {
        synchronized (lock) {
            return pending.size();
        }
    }

    private void writeLoop() {
        while (true) {
            List<Change> batch;
            long upTo;
            synchronized (lock) {
                while (pending.isEmpty() && !closing && clock.getAsLong() - lastTick < TICK_MILLIS) {
                    waitQuietly(TICK_MILLIS);
                }
                if (pending.isEmpty() && closing) {
                    return;
                }
                batch = pending;
                pending = new ArrayList<>();
                latest = new HashMap<>();
                upTo = submitted;
            }
            batch.removeIf(Objects::isNull);
            long now = clock.getAsLong();
            boolean tick = now - lastTick >= TICK_MILLIS;
            if (tick) {
                batch.add(Change.put(META, ALIVE_KEY, ByteBuffer.allocate(Long.BYTES).putLong(now).array()));
            }
            try {
                if (!batch.isEmpty()) {
                    engine.write(batch, fsync);
                }
                if (tick) {
                    lastTick = now;
                }
                completeUpTo(upTo);
            } catch (IOException | RuntimeException e) {
                if (tick) {
                    batch.remove(batch.size() - 1);
                }
                if (!retryLater(batch, upTo, e)) {
                    return;
                }
            }
        }
    }

    /** A batch failed: its waiters fail, its changes go back ahead of the newer ones. False when closing. */
    private boolean retryLater(List<Change> batch, long upTo, Exception cause) {
        boolean closingNow;
        synchronized (lock) {
            failures++;
            ArrayList<Change> again = new ArrayList<>(batch.size() + pending.size());
            again.addAll(batch);
            again.addAll(pending);
            pending = again;
            latest = new HashMap<>(); // its positions moved: later changes of these keys are simply added
            closingNow = closing;
        }
        LOG.error("The store could not write {} change{} ({}); publishers get an error until it can, retrying every {} ms",
                batch.size(), batch.size() == 1 ? "" : "s", cause.getMessage(), RETRY_MILLIS);
        failUpTo(upTo, cause);
        if (closingNow) {
            LOG.error("The store closes with {} change{} not written", pending(), pending() == 1 ? "" : "s");
            return false;
        }
        synchronized (lock) {
            waitQuietly(RETRY_MILLIS);
        }
        return true;
    }

    private void completeUpTo(long upTo) {
        List<CompletableFuture<Void>> done = new ArrayList<>();
        synchronized (lock) {
            writtenUpTo = upTo;
            batches++;
            while (!waiters.isEmpty() && waiters.peek().upTo() <= upTo) {
                done.add(waiters.poll().done());
            }
        }
        for (CompletableFuture<Void> f : done) {
            f.complete(null);
        }
    }

    private void failUpTo(long upTo, Exception cause) {
        List<CompletableFuture<Void>> failed = new ArrayList<>();
        synchronized (lock) {
            while (!waiters.isEmpty() && waiters.peek().upTo() <= upTo) {
                failed.add(waiters.poll().done());
            }
        }
        for (CompletableFuture<Void> f : failed) {
            f.completeExceptionally(cause);
        }
    }

    private void waitQuietly(long millis) {
        try {
            lock.wait(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closing = true;
        }
    }

    /** Writes what is pending, stops the writer and closes the engine. */
    @Override
    public void close() {
        synchronized (lock) {
            closing = true;
            lock.notifyAll();
        }
        try {
            writer.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        engine.close();
    }
}
