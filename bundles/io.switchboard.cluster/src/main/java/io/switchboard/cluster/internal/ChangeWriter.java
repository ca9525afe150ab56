package io.switchboard.cluster.internal;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes a node's changes to a replicated map one after another, in the order they were queued, on a thread of its
 * own, so that the broker's workers never wait on the network. A change that fails (the member is shutting down, or
 * lost the cluster) is logged and skipped; at close the other members clean up what this node leaves behind.
 */
public final class ChangeWriter implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ChangeWriter.class);

    private final String what;
    private final ExecutorService writer;

    /** {@code what}: the changes' name in log lines and in the thread's name ("routes", "presence"). */
    public ChangeWriter(String what) {
        this.what = what;
        this.writer = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "switchboard-cluster-" + what);
            t.setDaemon(true);
            return t;
        });
    }

    /** Queues {@code change}; returns at once. Nothing is written once closing. */
    public void write(Runnable change) {
        try {
            writer.execute(() -> {
                try {
                    change.run();
                } catch (RuntimeException e) {
                    LOG.warn("Cluster {} change not written: {}", what, e.toString());
                }
            });
        } catch (RejectedExecutionException closing) {
            // the other members drop what this node leaves behind when it leaves
        }
    }

    /** Writes the changes still queued (up to 5 s). */
    @Override
    public void close() {
        writer.shutdown();
        try {
            if (!writer.awaitTermination(5, TimeUnit.SECONDS)) {
                LOG.warn("Cluster {} changes still queued at shutdown; the other members forget this node's when it leaves",
                        what);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
