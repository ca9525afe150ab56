package io.switchboard.store.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import io.switchboard.api.Message;
import io.switchboard.store.StoredMessages;
import org.h2.mvstore.MVStore;

/**
 * What the store engine benchmarks share: the engines by name, their directories, and the broker's
 * queue records: key {@code clientId + "\u0000" + 16 hex digits of a sequence}, value an encoded
 * message ({@link StoredMessages#encode}) of {@value #VALUE_BYTES} bytes with a random payload.
 */
final class StoreFixture {

    static final String QUEUE = "queue";
    static final int VALUE_BYTES = 200;
    /** Subscribers whose queues the keys spread over (a sequence's client is its remainder). */
    static final int CLIENTS = 16;
    /** Distinct values, used in turn: more than fit in a disk block, so compression sees no repeats. */
    private static final int DISTINCT_VALUES = 1024;
    /** Batch size when a benchmark fills or empties a store outside the measurement. */
    static final int FILL_BATCH = 256;
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private StoreFixture() {
    }

    /**
     * Opens (or creates) engine {@code name} in {@code dir}: {@code mvstore} (the store's
     * {@link MvStoreEngine} as it is), {@code mvstore-r0} (the same with MVStore's retention time 0: dead
     * chunks reused at once instead of after 45 s) or {@code rocksdb} ({@link RocksDbEngine}).
     */
    static Engine open(String name, Path dir) {
        return switch (name) {
            case "mvstore" -> new MvStoreEngine(dir.resolve("switchboard.mv.db"));
            case "mvstore-r0" -> {
                MvStoreEngine engine = new MvStoreEngine(dir.resolve("switchboard.mv.db"));
                mvStore(engine).setRetentionTime(0);
                yield engine;
            }
            case "rocksdb" -> new RocksDbEngine(dir.resolve("rocksdb"));
            default -> throw new IllegalArgumentException("no engine " + name + " (mvstore, mvstore-r0, rocksdb)");
        };
    }

    /** The engine's MVStore: a setting of the open store, reached without changing the store bundle. */
    private static MVStore mvStore(MvStoreEngine engine) {
        try {
            Field store = MvStoreEngine.class.getDeclaredField("store");
            store.setAccessible(true);
            return (MVStore) store.get(engine);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("MvStoreEngine has no field 'store' any more: update StoreFixture", e);
        }
    }

    /**
     * A new empty directory for a store, under {@code -Dswitchboard.bench.dir} (default: the temporary
     * directory, which must be on a local disk).
     */
    static Path newDirectory(String engine) {
        try {
            Path parent = Path.of(System.getProperty("switchboard.bench.dir", System.getProperty("java.io.tmpdir")));
            Files.createDirectories(parent);
            return Files.createTempDirectory(parent, "switchboard-store-" + engine + "-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void deleteDirectory(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The queue key of message {@code sequence}: its subscriber, NUL, the sequence as 16 hex digits. */
    static String key(long sequence) {
        int client = (int) Long.remainderUnsigned(sequence, CLIENTS);
        char[] hex = new char[16];
        for (int i = 15; i >= 0; i--) {
            hex[i] = HEX[(int) (sequence & 0xF)];
            sequence >>>= 4;
        }
        return "client-" + client + '\u0000' + new String(hex);
    }

    /** Distinct encoded messages of exactly {@value #VALUE_BYTES} bytes each (fixed seed). */
    static byte[][] values() {
        SplittableRandom random = new SplittableRandom(42);
        byte[][] values = new byte[DISTINCT_VALUES][];
        for (int i = 0; i < values.length; i++) {
            String topic = "site/" + random.nextInt(100) + "/device/" + random.nextInt(10_000) + "/temp";
            Message.Builder b = Message.builder(topic).id(1_000_000L + i).timestamp(1_700_000_000_000L + i).qos(1).from("device-" + i);
            int overhead = StoredMessages.encode(b.payload(new byte[0]).build()).length;
            byte[] payload = new byte[VALUE_BYTES - overhead];
            random.nextBytes(payload);
            values[i] = StoredMessages.encode(b.payload(payload).build());
            if (values[i].length != VALUE_BYTES) {
                throw new IllegalStateException("a value of " + values[i].length + " bytes, not " + VALUE_BYTES);
            }
        }
        return values;
    }

    /** Puts messages {@code from} (inclusive) to {@code to} (exclusive) in batches of {@value #FILL_BATCH}, without fsync. */
    static void fill(Engine engine, byte[][] values, long from, long to) throws IOException {
        List<Change> batch = new ArrayList<>(FILL_BATCH);
        for (long s = from; s < to; s++) {
            batch.add(Change.put(QUEUE, key(s), values[(int) (s % values.length)]));
            if (batch.size() == FILL_BATCH || s == to - 1) {
                engine.write(batch, false);
                batch.clear();
            }
        }
    }

    /** Deletes messages {@code from} (inclusive) to {@code to} (exclusive) in batches of {@value #FILL_BATCH}, without fsync. */
    static void drain(Engine engine, long from, long to) throws IOException {
        List<Change> batch = new ArrayList<>(FILL_BATCH);
        for (long s = from; s < to; s++) {
            batch.add(Change.delete(QUEUE, key(s)));
            if (batch.size() == FILL_BATCH || s == to - 1) {
                engine.write(batch, false);
                batch.clear();
            }
        }
    }

    /** Records in {@code space}, checking that they come in key order. */
    static long count(Engine engine, String space) {
        long[] count = {0};
        String[] last = {null};
        engine.read(space, (k, v) -> {
            if (last[0] != null && last[0].compareTo(k) >= 0) {
                throw new IllegalStateException("keys out of order: " + last[0] + " before " + k);
            }
            last[0] = k;
            count[0]++;
        });
        return count[0];
    }
}
