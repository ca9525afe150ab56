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
import java.util.function.BiConsumer;
import java.util.stream.Stream;

import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.DBOptions;
import org.rocksdb.FlushOptions;
import org.rocksdb.InfoLogLevel;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * RocksDB as the store's {@link Engine} (chosen by measurement, docs/store.md): one database in a
 * directory, a column family per space (created on its first write), keys as UTF-8 bytes (RocksDB's
 * bytewise order is the {@code String} order of the broker's keys: ASCII and {@code \u0000}), one
 * {@link WriteBatch} per batch through the write-ahead log, so a batch is all or nothing after a crash
 * and, once {@code write} returned, in the operating system's hands (or on the device with
 * {@code fsync}). RocksDB locks its directory: a second process cannot open it.
 */
final class RocksDbEngine implements Engine {

    /** Per space: what a column family buffers in memory before it is flushed to a table file. */
    private static final long WRITE_BUFFER_BYTES = 16L << 20;
    /** The logs are kept until every space flushed what they hold: a quiet space is flushed past this. */
    private static final long MAX_TOTAL_LOG_BYTES = 64L << 20;

    static {
        RocksDB.loadLibrary();
    }

    private final Path dir;
    private final DBOptions dbOptions;
    private final ColumnFamilyOptions spaceOptions;
    private final RocksDB db;
    private final Map<String, ColumnFamilyHandle> spaces = new HashMap<>();
    private final List<ColumnFamilyHandle> handles = new ArrayList<>();
    private final WriteOptions toOs = new WriteOptions().setSync(false);
    private final WriteOptions toDevice = new WriteOptions().setSync(true);

    /**
     * Opens (or creates) the database in {@code dir}.
     *
     * @throws StoreOpenException naming the directory and what to do when it cannot be opened
     */
    RocksDbEngine(Path dir) {
        this.dir = dir;
        this.dbOptions = new DBOptions().setCreateIfMissing(true).setCreateMissingColumnFamilies(true)
                .setMaxTotalWalSize(MAX_TOTAL_LOG_BYTES)
                // RocksDB's own LOG files: warnings and errors only, three of them at most
                .setInfoLogLevel(InfoLogLevel.WARN_LEVEL).setKeepLogFileNum(3).setMaxLogFileSize(8L << 20);
        this.spaceOptions = new ColumnFamilyOptions().setWriteBufferSize(WRITE_BUFFER_BYTES);
        RocksDB opened = null;
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
                descriptors.add(new ColumnFamilyDescriptor(name, spaceOptions));
            }
            opened = RocksDB.open(dbOptions, dir.toString(), descriptors, handles);
            for (int i = 0; i < names.size(); i++) {
                spaces.put(new String(names.get(i), StandardCharsets.UTF_8), handles.get(i));
            }
        } catch (RocksDBException | IOException e) {
            closeOptions();
            throw new StoreOpenException(dir, e);
        }
        this.db = opened;
    }

    private ColumnFamilyHandle space(String name, boolean create) throws RocksDBException {
        ColumnFamilyHandle handle = spaces.get(name);
        if (handle == null && create) {
            handle = db.createColumnFamily(new ColumnFamilyDescriptor(name.getBytes(StandardCharsets.UTF_8), spaceOptions));
            handles.add(handle);
            spaces.put(name, handle);
        }
        return handle;
    }

    @Override
    public void read(String space, BiConsumer<String, byte[]> each) {
        ColumnFamilyHandle handle = spaces.get(space);
        if (handle == null) {
            return;
        }
        try (RocksIterator it = db.newIterator(handle)) {
            for (it.seekToFirst(); it.isValid(); it.next()) {
                each.accept(new String(it.key(), StandardCharsets.UTF_8), it.value());
            }
            it.status();
        } catch (RocksDBException e) {
            throw new IllegalStateException("reading '" + space + "' from " + dir + " failed: " + e.getMessage(), e);
        }
    }

    @Override
    public void write(List<Change> changes, boolean fsync) throws IOException {
        try (WriteBatch batch = new WriteBatch()) {
            for (Change c : changes) {
                ColumnFamilyHandle handle = space(c.space(), true);
                byte[] key = c.key().getBytes(StandardCharsets.UTF_8);
                switch (c.kind()) {
                    case PUT -> batch.put(handle, key, c.bytes());
                    case DELETE -> batch.delete(handle, key);
                    case DELETE_PREFIX -> batch.deleteRange(handle, key, upperBound(key));
                }
            }
            db.write(fsync ? toDevice : toOs, batch);
        } catch (RocksDBException e) {
            throw new IOException("writing " + changes.size() + " change" + (changes.size() == 1 ? "" : "s") + " to " + dir
                    + " failed: " + e.getMessage(), e);
        }
    }

    /** The smallest key above every key starting with {@code prefix}: UTF-8 has no byte 0xFF. */
    private static byte[] upperBound(byte[] prefix) {
        byte[] end = Arrays.copyOf(prefix, prefix.length + 1);
        end[prefix.length] = (byte) 0xFF;
        return end;
    }

    @Override
    public String location() {
        return dir.toString();
    }

    @Override
    public long diskBytes() {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(Files::isRegularFile).mapToLong(f -> {
                try {
                    return Files.size(f);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }).sum();
        } catch (IOException | UncheckedIOException e) {
            return -1; // a file went away while listing (RocksDB deletes obsolete ones): unknown this time
        }
    }

    /** Flushes the memtables (so that the next open has no log to replay) and closes. */
    @Override
    public void close() {
        try (FlushOptions flush = new FlushOptions().setWaitForFlush(true)) {
            db.flush(flush, handles);
        } catch (RocksDBException e) {
            // the log still holds everything: the next open replays it
            throw new IllegalStateException("flushing " + dir + " failed: " + e.getMessage(), e);
        } finally {
            for (ColumnFamilyHandle h : handles) {
                h.close();
            }
            db.close();
            closeOptions();
        }
    }

    private void closeOptions() {
        toOs.close();
        toDevice.close();
        spaceOptions.close();
        dbOptions.close();
    }
}
