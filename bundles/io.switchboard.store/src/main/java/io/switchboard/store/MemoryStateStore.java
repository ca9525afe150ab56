package io.switchboard.store;

import java.util.Map;
import java.util.NavigableMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.BiConsumer;
import java.util.function.Supplier;

/**
 * A {@link StateStore} in memory, for tests and benchmarks that run the broker's parts without a
 * framework: records live as long as this object, so a test can "restart" a component on the same
 * instance and see what it recovers. Writes are immediate; {@link #written()} is complete at once, or
 * fails while {@link #failWrites} says so (a test's full disk).
 */
public final class MemoryStateStore implements StateStore {

    private static final CompletionStage<Void> DONE = CompletableFuture.completedFuture(null);

    private final Map<String, NavigableMap<String, byte[]>> spaces = new ConcurrentHashMap<>();
    private volatile Exception writeFailure;

    private NavigableMap<String, byte[]> space(String name) {
        return spaces.computeIfAbsent(name, n -> new ConcurrentSkipListMap<>());
    }

    @Override
    public Status status() {
        Map<String, Long> counts = new java.util.TreeMap<>();
        spaces.forEach((name, records) -> counts.put(name, (long) records.size()));
        return new Status("memory", "", 0, counts, 0, 0, 0, 0, 0);
    }

    /** Records survive a component's restart on this instance. */
    @Override
    public boolean durable() {
        return true;
    }

    @Override
    public long previousRunAlive() {
        return 0;
    }

    @Override
    public void read(String space, BiConsumer<String, byte[]> each) {
        space(space).forEach(each);
    }

    @Override
    public void put(String space, String key, byte[] value) {
        space(space).put(key, value.clone());
    }

    @Override
    public void insert(String space, String key, Supplier<byte[]> value) {
        put(space, key, value.get());
    }

    @Override
    public void delete(String space, String key) {
        space(space).remove(key);
    }

    @Override
    public void deletePrefix(String space, String keyPrefix) {
        space(space).keySet().removeIf(k -> k.startsWith(keyPrefix));
    }

    @Override
    public CompletionStage<Void> written() {
        Exception failure = writeFailure;
        return failure == null ? DONE : CompletableFuture.failedFuture(failure);
    }

    /** From now on {@link #written()} fails with {@code cause} (as on a full disk); {@code null} ends it. */
    public void failWrites(Exception cause) {
        this.writeFailure = cause;
    }

    /** How many records {@code space} holds. */
    public int size(String space) {
        return space(space).size();
    }
}
