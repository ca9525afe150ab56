package io.switchboard.cluster.internal.sessions;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.BiConsumer;
import java.util.function.Supplier;

import io.switchboard.store.StateStore;

/**
 * The {@link StateStore} of a cluster node: everything goes to the local store, and the records of the sessions this
 * node holds (the MQTT front door's spaces, {@link RecordKeys#SPACES}) are also copied to the cluster's map with its
 * backups ({@link RecordMirror}). {@link #written()} completes when both the local commit and the copy are done, so
 * what the broker acknowledges (a PUBACK, a SUBACK) is on more than one machine.
 *
 * <p>{@link #read} of those spaces returns only the sessions this node may hold ({@link Ownership#keepFromLocalStore}):
 * a session that moved to another node while this one was away is stale here and is deleted locally.
 */
final class ReplicatedStateStore implements StateStore {

    private final StateStore local;
    private final RecordMirror mirror;
    private final Ownership ownership;

    ReplicatedStateStore(StateStore local, RecordMirror mirror, Ownership ownership) {
        this.local = local;
        this.mirror = mirror;
        this.ownership = ownership;
    }

    private boolean mirrored(String space, String key) {
        return RecordKeys.SPACES.contains(space) && ownership.holds(RecordKeys.clientId(key));
    }

    @Override
    public Status status() {
        return local.status();
    }

    @Override
    public boolean durable() {
        return local.durable();
    }

    @Override
    public long previousRunAlive() {
        return local.previousRunAlive();
    }

    @Override
    public void read(String space, BiConsumer<String, byte[]> each) {
        if (!RecordKeys.SPACES.contains(space)) {
            local.read(space, each);
            return;
        }
        local.read(space, (key, value) -> {
            if (ownership.keepFromLocalStore(RecordKeys.clientId(key))) {
                mirror.put(RecordKeys.mapKey(space, key), () -> value); // the cluster's copy after a restart of all nodes
                each.accept(key, value);
            } else {
                local.delete(space, key);
            }
        });
    }

    @Override
    public void put(String space, String key, byte[] value) {
        local.put(space, key, value);
        if (mirrored(space, key)) {
            mirror.put(RecordKeys.mapKey(space, key), () -> value);
        }
    }

    @Override
    public void insert(String space, String key, Supplier<byte[]> value) {
        if (!mirrored(space, key)) {
            local.insert(space, key, value);
            return;
        }
        Once once = new Once(value);
        local.insert(space, key, once);
        mirror.insert(RecordKeys.mapKey(space, key), once);
    }

    @Override
    public void delete(String space, String key) {
        local.delete(space, key);
        if (mirrored(space, key)) {
            mirror.delete(RecordKeys.mapKey(space, key));
        }
    }

    @Override
    public void deletePrefix(String space, String keyPrefix) {
        local.deletePrefix(space, keyPrefix);
        if (mirrored(space, keyPrefix)) {
            mirror.deletePrefix(space, keyPrefix);
        }
    }

    @Override
    public CompletionStage<Void> written() {
        CompletionStage<Void> copied = mirror.written();
        CompletionStage<Void> committed = local.written();
        CompletableFuture<Void> copiedNow = copied.toCompletableFuture();
        if (copiedNow.isDone() && !copiedNow.isCompletedExceptionally()) {
            return committed; // nothing of a held session changed: the hot path pays nothing more
        }
        return committed.thenCombine(copied, (a, b) -> null);
    }
}
