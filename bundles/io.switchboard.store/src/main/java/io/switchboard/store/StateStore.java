package io.switchboard.store;

import java.util.concurrent.CompletionStage;
import java.util.function.BiConsumer;
import java.util.function.Supplier;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The broker's state at rest: records (byte arrays) by space (e.g. {@code sessions}, {@code retained})
 * and key, sorted by key within a space. Writes are recorded in call order and written to disk together
 * by a single writer (group commit): {@link #put} and {@link #delete} return at once and never touch the
 * disk on the caller's thread; {@link #written()} says when what came before it is on disk. A caller
 * that acknowledges something to a client (PUBACK) waits for {@link #written()} first.
 *
 * <p>Recovery: {@link #read} returns what was on disk when the store opened, before any write of this
 * run; it is meant for a component's activation, before it accepts work. Thread-safe.
 */
@ProviderType
public interface StateStore {

    /**
     * What the store is and has done, for operators ({@code sb:stats}).
     *
     * @param location where the records are, or a description of a store without a file
     * @param sync {@code os} or {@code fsync} (see the store's configuration), empty when not durable
     * @param diskBytes bytes the store takes on disk
     * @param recovered records per space as the broker read them back at start (what it recovered)
     * @param openMillis how long opening (and so recovering) the store took
     * @param batches group commits written
     * @param failedBatches group commits that failed (and were retried)
     * @param pending changes waiting for the next group commit
     * @param skipped changes never written because a later change of the same key, before the group commit took
     *     them, replaced or undid them (a message acknowledged by its subscriber before it reached the disk)
     */
    record Status(String location, String sync, long diskBytes, java.util.Map<String, Long> recovered, long openMillis,
            long batches, long failedBatches, int pending, long skipped) {
    }

    /** What the store is and has done. */
    Status status();

    /** Whether records survive a restart; false when configured with {@code persistence = false}. */
    boolean durable();

    /**
     * When the broker that last used this store was last known alive (epoch ms): its last commit, written
     * at least once a second while it ran. After a crash, the downtime is counted from here. 0 for a new
     * store.
     */
    long previousRunAlive();

    /** Calls {@code each} with every record of {@code space} in key order, as recovered at start. */
    void read(String space, BiConsumer<String, byte[]> each);

    /** Records {@code value} under {@code key} (replacing it), with the next group commit. */
    void put(String space, String key, byte[] value);

    /**
     * Records what {@code value} makes under {@code key}, a key not used before in {@code space} (one with a new
     * sequence number), with the next group commit. {@code value} runs on the store's writer thread, so it must
     * read only what does not change; it does not run at all when {@code key} is deleted before that commit
     * takes it: then neither change reaches the disk (a queued message its subscriber acknowledged at once).
     */
    void insert(String space, String key, Supplier<byte[]> value);

    /** Removes the record under {@code key}, with the next group commit. */
    void delete(String space, String key);

    /** Removes every record of {@code space} whose key starts with {@code keyPrefix}, with the next group commit. */
    void deletePrefix(String space, String keyPrefix);

    /**
     * Completes when every change made before this call is written as the {@code sync} setting promises
     * (to the operating system, or to the device); fails with the cause when writing failed (a full
     * disk), in which case the changes are retried with the following commits. Completes at once when
     * nothing is pending. Completion runs on the store's writer thread: do not block there.
     */
    CompletionStage<Void> written();
}
