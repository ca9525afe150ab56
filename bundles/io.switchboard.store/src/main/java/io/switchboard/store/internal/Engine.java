package io.switchboard.store.internal;

import java.io.IOException;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * An embedded key-value engine under the {@link GroupCommit}: writes a batch of changes atomically and
 * reads a space back in key order. Only the store's writer thread writes; reads happen at recovery.
 */
interface Engine extends AutoCloseable {

    /** Every record of {@code space}, in key order. */
    void read(String space, BiConsumer<String, byte[]> each);

    /**
     * Writes {@code changes} in order as one atomic batch: after a crash either all of them or none are
     * there. With {@code fsync} the batch is on the device when this returns, else in the operating
     * system's hands (it survives the process, not a power loss).
     *
     * @throws IOException naming the cause (a full disk); nothing of the batch was applied
     */
    void write(List<Change> changes, boolean fsync) throws IOException;

    /** Where the engine keeps its records. */
    String location();

    /** Bytes the engine's files take on disk. */
    long diskBytes();

    /** Flushes and closes; the files are consistent afterwards. */
    @Override
    void close();
}
