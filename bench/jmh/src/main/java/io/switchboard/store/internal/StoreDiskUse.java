package io.switchboard.store.internal;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Disk use of each engine (docs/store.md), as the engine leaves it (no manual compaction):
 * <ol>
 * <li>after writing {@code records} queued 200-byte messages (batches of 256, no fsync), while open and
 * after a clean close: bytes per record;</li>
 * <li>after deleting them all (reopened, batches of 256) and closing: does the space come back?</li>
 * <li>after a churn: {@code records} messages through a window of {@code window} live records
 * (batches of 16 puts and 16 deletes, as {@link StoreEngineBenchmark} does), closed: does the store
 * stay the size of what it holds?</li>
 * </ol>
 *
 * <pre>java -cp benchmarks.jar io.switchboard.store.internal.StoreDiskUse [records [window [engine...]]]</pre>
 */
public final class StoreDiskUse {

    /** Bytes on disk at each step. */
    record Use(String engine, int records, long written, long writtenClosed, long deletedClosed, int window, long churned) {

        String row() {
            return String.format("| %s | %,d | %,d | %,d | %.0f | %,d | %,d |", engine, records, written, writtenClosed,
                    (double) writtenClosed / records, deletedClosed, churned);
        }
    }

    private StoreDiskUse() {
    }

    public static void main(String[] args) throws IOException {
        int records = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        int window = args.length > 1 ? Integer.parseInt(args[1]) : 10_000;
        List<String> engines = args.length > 2 ? List.of(args).subList(2, args.length) : List.of("mvstore", "mvstore-r0", "rocksdb");
        System.out.printf("| engine | records | bytes written, open | closed | bytes per record | after deleting all, closed | after %,d messages through a window of %,d |%n",
                records, window);
        System.out.println("|---|---:|---:|---:|---:|---:|---:|");
        for (String engine : engines) {
            System.out.println(measure(engine, records, window).row());
        }
    }

    static Use measure(String engine, int records, int window) throws IOException {
        byte[][] values = StoreFixture.values();
        Path dir = StoreFixture.newDirectory(engine);
        long written;
        long writtenClosed;
        long deletedClosed;
        try {
            Engine store = StoreFixture.open(engine, dir);
            try {
                StoreFixture.fill(store, values, 0, records);
                written = store.diskBytes();
            } finally {
                store.close();
            }
            writtenClosed = store.diskBytes();
            store = StoreFixture.open(engine, dir);
            try {
                expect(store, records);
                StoreFixture.drain(store, 0, records);
            } finally {
                store.close();
            }
            deletedClosed = store.diskBytes();
            store = StoreFixture.open(engine, dir);
            try {
                expect(store, 0);
            } finally {
                store.close();
            }
        } finally {
            StoreFixture.deleteDirectory(dir);
        }
        return new Use(engine, records, written, writtenClosed, deletedClosed, window, churn(engine, values, records, window));
    }

    private static long churn(String engine, byte[][] values, int messages, int window) throws IOException {
        Path dir = StoreFixture.newDirectory(engine);
        try {
            Engine store = StoreFixture.open(engine, dir);
            try {
                StoreFixture.fill(store, values, 0, window);
                List<Change> batch = new ArrayList<>(32);
                for (long s = window; s < window + (long) messages; s++) {
                    batch.add(Change.put(StoreFixture.QUEUE, StoreFixture.key(s), values[(int) (s % values.length)]));
                    batch.add(Change.delete(StoreFixture.QUEUE, StoreFixture.key(s - window)));
                    if (batch.size() == 32) {
                        store.write(batch, false);
                        batch.clear();
                    }
                }
                if (!batch.isEmpty()) {
                    store.write(batch, false);
                }
            } finally {
                store.close();
            }
            long churned = store.diskBytes();
            store = StoreFixture.open(engine, dir);
            try {
                expect(store, window);
            } finally {
                store.close();
            }
            return churned;
        } finally {
            StoreFixture.deleteDirectory(dir);
        }
    }

    private static void expect(Engine store, long records) {
        long found = StoreFixture.count(store, StoreFixture.QUEUE);
        if (found != records) {
            throw new IllegalStateException("the store holds " + found + " records, not " + records);
        }
    }
}
