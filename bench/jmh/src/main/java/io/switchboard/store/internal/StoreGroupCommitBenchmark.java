package io.switchboard.store.internal;

import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;

/**
 * The store's own {@link GroupCommit} on each engine, with {@value #PUBLISHERS} threads each standing for
 * a QoS 1 message in flight: put its queue record, delete the record it put {@link #window} /
 * {@value #PUBLISHERS} messages before (acknowledged by then), wait for {@link GroupCommit#written()}
 * (the PUBACK). The writer thread batches whatever is pending, so the batch size follows the load as in
 * the broker. The score is messages per second over all threads; teardown prints the mean batch.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Benchmark)
public class StoreGroupCommitBenchmark {

    static final int PUBLISHERS = 16;

    @Param({"mvstore", "mvstore-r0", "rocksdb"})
    public String engine;

    @Param({"false", "true"})
    public boolean fsync;

    /** Live records over all publishers. */
    @Param({"10000"})
    public int window;

    private Path dir;
    private Engine opened;
    private GroupCommit store;
    private byte[][] values;
    private final AtomicLong sequences = new AtomicLong();
    private final AtomicLong messages = new AtomicLong();

    /** One publisher: its records still queued, oldest first. */
    @State(Scope.Thread)
    public static class Publisher {
        final ArrayDeque<String> live = new ArrayDeque<>();
    }

    @Setup(Level.Trial)
    public void setUp() {
        dir = StoreFixture.newDirectory(engine);
        opened = StoreFixture.open(engine, dir);
        store = new GroupCommit(opened, fsync, System::currentTimeMillis);
        values = StoreFixture.values();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        try {
            long batches = store.batches();
            System.out.printf("%n%s fsync=%s: %,d messages in %,d batches (%.1f changes a batch); %,d bytes on disk%n", engine,
                    fsync, messages.get(), batches, batches == 0 ? 0.0 : 2.0 * messages.get() / batches, opened.diskBytes());
            if (store.failures() != 0) {
                throw new IllegalStateException(store.failures() + " batches failed");
            }
        } finally {
            store.close();
            StoreFixture.deleteDirectory(dir);
        }
    }

    @Benchmark
    @Threads(PUBLISHERS)
    public void publish(Publisher publisher) {
        long s = sequences.getAndIncrement();
        String key = StoreFixture.key(s);
        store.put(StoreFixture.QUEUE, key, values[(int) (s % values.length)]);
        publisher.live.add(key);
        if (publisher.live.size() > window / PUBLISHERS) {
            store.delete(StoreFixture.QUEUE, publisher.live.poll());
        }
        store.written().toCompletableFuture().join();
        messages.incrementAndGet();
    }
}
