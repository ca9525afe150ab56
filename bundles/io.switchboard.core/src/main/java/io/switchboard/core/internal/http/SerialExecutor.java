package io.switchboard.core.internal.http;

import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.RejectedExecutionException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs tasks one after another, in submission order, on a shared executor: the listener of one exchange
 * sees its callbacks strictly sequentially while exchanges share the broker's threads. Runs a small batch
 * per turn so that one fast stream does not hold a shared thread for long.
 */
final class SerialExecutor implements Executor {

    private static final Logger LOG = LoggerFactory.getLogger(SerialExecutor.class);
    private static final int BATCH = 16;

    private final Executor delegate;
    private final ArrayDeque<Runnable> queue = new ArrayDeque<>(); // guarded by itself
    private boolean scheduled; // guarded by queue

    SerialExecutor(Executor delegate) {
        this.delegate = delegate;
    }

    @Override
    public void execute(Runnable task) {
        synchronized (queue) {
            queue.add(task);
            if (scheduled) {
                return;
            }
            scheduled = true;
        }
        dispatch();
    }

    private void dispatch() {
        try {
            delegate.execute(this::drain);
        } catch (RejectedExecutionException e) {
            // The broker's executor is shutting down. The tasks still have to run, or an exchange's
            // stage never completes; never inline, as the submitter may be the module's own thread.
            LOG.warn("HTTP callback executor refused a task; running the callbacks on the common pool", e);
            ForkJoinPool.commonPool().execute(this::drain);
        }
    }

    private void drain() {
        for (int i = 0; i < BATCH; i++) {
            Runnable task;
            synchronized (queue) {
                task = queue.poll();
                if (task == null) {
                    scheduled = false;
                    return;
                }
            }
            try {
                task.run();
            } catch (RuntimeException | Error e) {
                LOG.error("HTTP callback task failed", e);
            }
        }
        dispatch(); // more may be waiting: give the thread back and continue in a new turn
    }
}
