package io.switchboard.store.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;
import org.h2.mvstore.MVStoreException;
import org.h2.mvstore.type.ByteArrayDataType;
import org.h2.mvstore.type.StringDataType;

/**
 * H2's MVStore as an {@link Engine}, for the engine comparison only (docs/store.md): the store shipped it
 * first and replaced it with {@link RocksDbEngine}. As configured here (dead chunks reused after 1 s),
 * DurabilityIT lost acknowledged messages after SIGKILL; with MVStore's 45 s default the persistence
 * benchmark lost the last few of 300,000.
 *
 * <p>H2's MVStore as the {@link Engine}: one file, one map per space, a commit per batch. MVStore appends
 * each commit as a chunk and keeps the last complete one on a crash, so a batch is all or nothing; it
 * holds an exclusive lock on its file, so a second process cannot open the same store.
 *
 * <p>Disk space: a commit appends a chunk, and a chunk no longer referenced is reused once MVStore's
 * retention time has passed; overwriting it is safe only once the commits replacing it are on the device
 * (else a power loss could leave the last chunk pointing at rewritten pages). With {@code fsync} every
 * commit is synced, so dead chunks are reused at once (retention 0). Without, the file is synced at least
 * every {@value #SYNC_MILLIS} ms and dead chunks are kept {@value #OS_RETENTION_MILLIS} ms. MVStore's
 * default (45 s retention, no sync of ours) let a sustained QoS 1 load grow the file by gigabytes
 * (docs/store.md).
 */
final class MvStoreEngine implements Engine {

    /** Without fsync per commit: how often the file is synced anyway, so that dead chunks can be reused. */
    static final long SYNC_MILLIS = 250;
    static final int OS_RETENTION_MILLIS = 1000;

    private final Path file;
    private MVStore store;
    /** The retention in force: set from the first write's sync mode (the store's, fixed while it runs). */
    private int retentionMillis = -1;
    private long lastSync = System.nanoTime();
    private final Map<String, MVMap<String, byte[]>> spaces = new HashMap<>();

    /**
     * Opens (or creates) the store in {@code file}.
     *
     * @throws StoreOpenException naming the file and what to do when it cannot be read
     */
    MvStoreEngine(Path file) {
        this.file = file;
        this.store = open(file);
    }

    private static MVStore open(Path file) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            // commits are ours (one per batch), never the engine's background thread's
            return new MVStore.Builder().fileName(file.toString()).autoCommitDisabled().open();
        } catch (MVStoreException | IllegalStateException | IOException e) {
            throw new StoreOpenException(file, e);
        }
    }

    private MVMap<String, byte[]> space(String name) {
        return spaces.computeIfAbsent(name, n -> store.openMap(n,
                new MVMap.Builder<String, byte[]>().keyType(StringDataType.INSTANCE).valueType(ByteArrayDataType.INSTANCE)));
    }

    @Override
    public void read(String space, BiConsumer<String, byte[]> each) {
        for (Map.Entry<String, byte[]> e : space(space).entrySet()) {
            each.accept(e.getKey(), e.getValue());
        }
    }

    @Override
    public void write(List<Change> changes, boolean fsync) throws IOException {
        int retention = fsync ? 0 : OS_RETENTION_MILLIS;
        if (retention != retentionMillis) {
            store.setRetentionTime(retention);
            retentionMillis = retention;
        }
        try {
            for (Change c : changes) {
                MVMap<String, byte[]> map = space(c.space());
                switch (c.kind()) {
                    case PUT -> map.put(c.key(), c.bytes());
                    case DELETE -> map.remove(c.key());
                    case DELETE_PREFIX -> deletePrefix(map, c.key());
                }
            }
            store.commit();
            long now = System.nanoTime();
            if (fsync || now - lastSync >= SYNC_MILLIS * 1_000_000) {
                store.sync();
                lastSync = now;
            }
        } catch (MVStoreException | IllegalStateException e) {
            recover();
            throw new IOException("writing " + changes.size() + " change" + (changes.size() == 1 ? "" : "s") + " to " + file
                    + " failed: " + e.getMessage(), e);
        }
    }

    private static void deletePrefix(MVMap<String, byte[]> map, String prefix) {
        for (Iterator<String> keys = map.keyIterator(prefix); keys.hasNext(); ) {
            String key = keys.next();
            if (!key.startsWith(prefix)) {
                break;
            }
            map.remove(key);
        }
    }

    /** After a failed commit: drop what was not committed, reopening the file if MVStore closed it. */
    private void recover() {
        if (!store.isClosed()) {
            store.rollback();
            return;
        }
        spaces.clear();
        store = open(file);
        retentionMillis = -1;
    }

    @Override
    public String location() {
        return file.toString();
    }

    @Override
    public long diskBytes() {
        try {
            return Files.size(file);
        } catch (IOException e) {
            return -1;
        }
    }

    @Override
    public void close() {
        if (!store.isClosed()) {
            store.close();
        }
    }
}
