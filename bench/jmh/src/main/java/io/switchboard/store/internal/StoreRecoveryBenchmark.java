package io.switchboard.store.internal;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

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

/**
 * Recovery at start: open a store that holds {@link #records} queued 200-byte messages and read the
 * whole queue space in key order, as the broker does before it accepts clients. One shot per
 * iteration; the store is written once per fork (untimed) and closed cleanly, so the files are in the
 * OS page cache (a warm start: the same machine restarting the broker, not a cold boot).
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@State(Scope.Benchmark)
public class StoreRecoveryBenchmark {

    @Param({"mvstore", "rocksdb"})
    public String engine;

    @Param({"1000000"})
    public int records;

    private Path dir;
    private Engine opened;
    private long read;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        dir = StoreFixture.newDirectory(engine);
        Engine store = StoreFixture.open(engine, dir);
        try {
            StoreFixture.fill(store, StoreFixture.values(), 0, records);
        } finally {
            store.close();
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        StoreFixture.deleteDirectory(dir);
    }

    @Benchmark
    public long recover() {
        opened = StoreFixture.open(engine, dir);
        long[] seen = {0, 0};
        opened.read(StoreFixture.QUEUE, (key, value) -> {
            seen[0]++;
            seen[1] += value.length;
        });
        read = seen[0];
        return seen[0] + seen[1];
    }

    @TearDown(Level.Invocation)
    public void close() {
        if (opened != null) {
            opened.close();
            opened = null;
        }
        if (read != records) {
            throw new IllegalStateException(engine + " recovered " + read + " records, not " + records);
        }
    }
}
