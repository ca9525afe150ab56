package io.switchboard.store.internal;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The store's sustained QoS 1 workload on each engine, through {@link Engine#write} as the group
 * commit's writer calls it: one invocation is one batch of {@code n} new queue records (200-byte
 * encoded messages) and the deletes of the {@code n} records put {@link #window} messages earlier
 * (acknowledged by then), so the store holds {@link #window} live records throughout. The score is
 * messages per second (one put and one delete each): {@code batchOfN} has
 * {@code @OperationsPerInvocation(N)}. The batch sizes stand for the group commit's batches: 1 (one
 * publisher waiting for its PUBACK), 16 and 256 (many publishers, or a fast one, while a commit runs).
 *
 * <p>Setup fills the window (untimed); teardown checks that exactly {@link #window} records are left
 * and prints the engine's disk use. Run with bench/jmh/run-store (docs/store.md).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Thread)
public class StoreEngineBenchmark {

    @Param({"mvstore", "mvstore-r0", "rocksdb"})
    public String engine;

    /** Whether each batch is forced to the device (the store's {@code sync = fsync}) or left to the OS ({@code os}). */
    @Param({"false", "true"})
    public boolean fsync;

    /** Live (queued, not yet acknowledged) records. */
    @Param({"10000"})
    public int window;

    private Path dir;
    private Engine store;
    private byte[][] values;
    private final List<Change> batch = new ArrayList<>(512);
    /** The next message's sequence number. */
    private long next;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        dir = StoreFixture.newDirectory(engine);
        store = StoreFixture.open(engine, dir);
        values = StoreFixture.values();
        StoreFixture.fill(store, values, 0, window);
        next = window;
        long live = StoreFixture.count(store, StoreFixture.QUEUE);
        if (live != window) {
            throw new IllegalStateException(engine + " holds " + live + " records after the fill, not " + window);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        try {
            long live = StoreFixture.count(store, StoreFixture.QUEUE);
            if (live != window) {
                throw new IllegalStateException(engine + " holds " + live + " records, not the window of " + window);
            }
            System.out.printf("%n%s fsync=%s: %,d messages through a window of %,d; %,d bytes on disk%n", engine, fsync,
                    next - window, window, store.diskBytes());
        } finally {
            store.close();
            StoreFixture.deleteDirectory(dir);
        }
    }

    private void write(int n) throws IOException {
        batch.clear();
        for (int i = 0; i < n; i++) {
            long s = next++;
            batch.add(Change.put(StoreFixture.QUEUE, StoreFixture.key(s), values[(int) (s % values.length)]));
            batch.add(Change.delete(StoreFixture.QUEUE, StoreFixture.key(s - window)));
        }
        store.write(batch, fsync);
    }

    @Benchmark
    @OperationsPerInvocation(1)
    public void batchOf1() throws IOException {
        write(1);
    }

    @Benchmark
    @OperationsPerInvocation(16)
    public void batchOf16() throws IOException {
        write(16);
    }

    @Benchmark
    @OperationsPerInvocation(256)
    public void batchOf256() throws IOException {
        write(256);
    }
}
