package io.switchboard.store.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BiConsumer;
import java.util.stream.Stream;

import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.DBOptions;
import org.rocksdb.FlushOptions;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * RocksDB as the store's {@link Engine}, for the engine comparison only (docs/store.md): it is not in the
 * store bundle. One database in a directory, a column family per space (created on its first write),
 * keys as UTF-8 bytes (RocksDB's bytewise order is the {@code String} order of the broker's keys: ASCII
 * and {@code \u0000}), a {@link WriteBatch} per batch with the write-ahead log on and
 * {@code sync = fsync}. Otherwise RocksDB's defaults (64 MiB memtable, Snappy-compressed level
 * compaction in the background).
 */
final class RocksDbEngine implements Engine {

    static {
        RocksDB.loadLibrary();
    }

    private final Path dir;
    private final DBOptions dbOptions;
    private final ColumnFamilyOptions cfOptions;
    private final RocksDB db;
    private final Map<String, ColumnFamilyHandle> spaces = new HashMap<>();
    private final List<ColumnFamilyHandle> handles = new ArrayList<>();
    private final WriteOptions noSync = new WriteOptions().setSync(false).setDisableWAL(false);
    private final WriteOptions sync = new WriteOptions().setSync(true).setDisableWAL(false);

    RocksDbEngine(Path dir) {
        this.dir = dir;
        this.dbOptions = new DBOptions().setCreateIfMissing(true).setCreateMissingColumnFamilies(true);
        this.cfOptions = new ColumnFamilyOptions();
        try {
            Files.createDirectories(dir);
            List<byte[]> names;
            try (Options options = new Options()) {
                names = new ArrayList<>(RocksDB.listColumnFamilies(options, dir.toString()));
            }
            if (names.stream().noneMatch(n -> Arrays.equals(n, RocksDB.DEFAULT_COLUMN_FAMILY))) {
                names.add(0, RocksDB.DEFAULT_COLUMN_FAMILY);
            }
            List<ColumnFamilyDescriptor> descriptors = new ArrayList<>();
            for (byte[] name : names) {
                descriptors.add(new ColumnFamilyDescriptor(name, cfOptions));
            }
            this.db = RocksDB.open(dbOptions, dir.toString(), descriptors, handles);
            for (int i = 0; i < names.size(); i++) {
                spaces.put(new String(names.get(i), StandardCharsets.UTF_8), handles.get(i));
            }
        } catch (RocksDBException | IOException e) {
            throw new StoreOpenException(dir, e);
        }
    }

    private ColumnFamilyHandle space(String name, boolean create) throws RocksDBException {
        ColumnFamilyHandle handle = spaces.get(name);
        if (handle == null && create) {
            handle = db.createColumnFamily(new ColumnFamilyDescriptor(name.getBytes(StandardCharsets.UTF_8), cfOptions));
            handles.add(handle);
            spaces.put(name, handle);
        }
        return handle;
    }

    @Override
    public void read(String space, BiConsumer<String, byte[]> each) {
        ColumnFamilyHandle handle;
        try {
            handle = space(space, false);
        } catch (RocksDBException e) {
            throw new IllegalStateException(e);
        }
        if (handle == null) {
            return;
        }
        try (RocksIterator it = db.newIterator(handle)) {
            for (it.seekToFirst(); it.isValid(); it.next()) {
                each.accept(new String(it.key(), StandardCharsets.UTF_8), it.value());
            }
        }
    }

    @Override
    public void write(List<Change> changes, boolean fsync) throws IOException {
        try (WriteBatch batch = new WriteBatch()) {
            for (Change c : changes) {
                ColumnFamilyHandle handle = space(c.space(), true);
                byte[] key = c.key().getBytes(StandardCharsets.UTF_8);
                switch (c.kind()) {
                    case PUT -> batch.put(handle, key, c.value());
                    case DELETE -> batch.delete(handle, key);
                    case DELETE_PREFIX -> batch.deleteRange(handle, key, upperBound(key));
                }
            }
            db.write(fsync ? sync : noSync, batch);
        } catch (RocksDBException e) {
            throw new IOException("writing " + changes.size() + " changes to " + dir + " failed: " + e.getMessage(), e);
        }
    }

    /** The smallest key above every key starting with {@code prefix}: UTF-8 has no byte 0xFF. */
    private static byte[] upperBound(byte[] prefix) {
        byte[] end = Arrays.copyOf(prefix, prefix.length + 1);
        end[prefix.length] = (byte) 0xFF;
        return end;
    }

    /** Exact counts, by iterating every space (RocksDB keeps only estimates): for the store's status at start. */
    @Override
    public Map<String, Long> counts() {
        Map<String, Long> counts = new TreeMap<>();
        for (String space : spaces.keySet()) {
            if (!space.equals(new String(RocksDB.DEFAULT_COLUMN_FAMILY, StandardCharsets.UTF_8))) {
                long[] n = {0};
                read(space, (k, v) -> n[0]++);
                counts.put(space, n[0]);
            }
        }
        return counts;
    }

    @Override
    public String location() {
        return dir.toString();
    }

    @Override
    public long diskBytes() {
        try (Stream<Path> files = Files.list(dir)) {
            return files.mapToLong(f -> {
                try {
                    return Files.size(f);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }).sum();
        } catch (IOException | UncheckedIOException e) {
            return -1;
        }
    }

    /** Flushes the memtables (so that the next open has no log to replay) and closes. */
    @Override
    public void close() {
        try (FlushOptions flush = new FlushOptions().setWaitForFlush(true)) {
            db.flush(flush, handles);
        } catch (RocksDBException e) {
            throw new IllegalStateException("flushing " + dir + " failed: " + e.getMessage(), e);
        } finally {
            for (ColumnFamilyHandle h : handles) {
                h.close();
            }
            db.close();
            noSync.close();
            sync.close();
            cfOptions.close();
            dbOptions.close();
        }
    }
}
