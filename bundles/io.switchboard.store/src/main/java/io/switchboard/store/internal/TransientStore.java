package io.switchboard.store.internal;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.BiConsumer;
import java.util.function.Supplier;

import io.switchboard.store.StateStore;

/** {@code persistence = false}: nothing is kept, nothing is recovered, everything is "written" at once. */
final class TransientStore implements StateStore {

    private static final CompletionStage<Void> DONE = CompletableFuture.completedFuture(null);

    @Override
    public boolean durable() {
        return false;
    }

    @Override
    public Status status() {
        return new Status("nowhere (persistence=false)", "", 0, java.util.Map.of(), 0, 0, 0, 0, 0);
    }

    @Override
    public long previousRunAlive() {
        return 0;
    }

    @Override
    public void read(String space, BiConsumer<String, byte[]> each) {
    }

    @Override
    public void put(String space, String key, byte[] value) {
    }

    @Override
    public void insert(String space, String key, Supplier<byte[]> value) {
    }

    @Override
    public void delete(String space, String key) {
    }

    @Override
    public void deletePrefix(String space, String keyPrefix) {
    }

    @Override
    public CompletionStage<Void> written() {
        return DONE;
    }
}
