package io.switchboard.core.internal.workers;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.switchboard.api.admin.ChainEvent;
import io.switchboard.core.internal.chain.ObservationRun;
import io.switchboard.core.internal.modules.ModuleEntry;
import io.switchboard.core.internal.modules.ModuleRegistry;
import io.switchboard.core.internal.modules.Quarantine;

/**
 * The worker threads and their watchdog. Every module joins every worker ({@code onWorkerStart} on the
 * worker's thread) and leaves it ({@code onWorkerStop}) when the module goes or the worker stops.
 */
public final class WorkerPool {

    private final ModuleRegistry registry;
    private final WorkerThread[] workers;

    public WorkerPool(int count, Quarantine quarantine, ModuleRegistry registry) {
        this.registry = registry;
        WorkerThread[] created = new WorkerThread[count];
        for (int i = 0; i < count; i++) {
            created[i] = new WorkerThread(i, quarantine, () -> joinAll(CoreContext.worker()),
                    () -> leaveAll(CoreContext.worker()));
        }
        this.workers = created;
    }

    /** Starts the threads, and the watchdog on {@code timer}. */
    public void start(ScheduledExecutorService timer) {
        for (WorkerThread w : workers) {
            w.start();
        }
        timer.scheduleWithFixedDelay(this::watch, WorkerThread.WATCHDOG_PERIOD_MILLIS, WorkerThread.WATCHDOG_PERIOD_MILLIS,
                TimeUnit.MILLISECONDS);
    }

    /** Runs each worker's stop callbacks after its queued tasks; waits up to {@code timeoutMillis} for each. */
    public void stop(long timeoutMillis) {
        for (WorkerThread w : workers) {
            try {
                w.stop(timeoutMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    public int size() {
        return workers.length;
    }

    /** The worker for {@code key}: the same key always runs on the same worker. */
    public WorkerThread workerFor(long key) {
        return workers[(int) Math.floorMod(key, (long) workers.length)];
    }

    /** Completes once every worker ran what was queued on it (or runs on its behalf) before this call. */
    public CompletionStage<Void> afterQueued() {
        CompletableFuture<?>[] ran = new CompletableFuture<?>[workers.length];
        for (int i = 0; i < workers.length; i++) {
            CompletableFuture<Void> one = new CompletableFuture<>();
            workers[i].execute(() -> one.complete(null));
            ran[i] = one;
        }
        return CompletableFuture.allOf(ran);
    }

    /** Queues {@code entry}'s {@code onWorkerStart} on every worker. */
    public void join(ModuleEntry entry) {
        for (WorkerThread w : workers) {
            w.execute(() -> join(w, List.of(entry)));
        }
    }

    /** Queues {@code entry}'s {@code onWorkerStop} on every worker, after which the worker forgets its state. */
    public void leave(ModuleEntry entry) {
        for (WorkerThread w : workers) {
            w.execute(() -> leave(w, List.of(entry)));
        }
    }

    private void watch() {
        long now = System.nanoTime();
        for (WorkerThread w : workers) {
            w.checkOverrun(now);
        }
    }

    private void joinAll(WorkerThread w) {
        // a held place (its module is being replaced) is no module to start on a worker
        join(w, registry.chains().all().stream().filter(e -> e.vacancy() == null).toList());
    }

    private void leaveAll(WorkerThread w) {
        leave(w, new ArrayList<>(w.joined));
    }

    /** On {@code w}'s thread: the modules new to it get {@code onWorkerStart}. */
    private static void join(WorkerThread w, Collection<ModuleEntry> entries) {
        List<ModuleEntry> joining = new ArrayList<>();
        for (ModuleEntry e : entries) {
            if (w.joined.add(e)) {
                joining.add(e);
            }
        }
        new ObservationRun(ChainEvent.WORKER_START, joining.toArray(new ModuleEntry[0]), null,
                e -> e.module().onWorkerStart(w), w, 0, () -> {
                }).run();
    }

    /** On {@code w}'s thread: the modules leaving it get {@code onWorkerStop}, then lose their state on it. */
    private static void leave(WorkerThread w, Collection<ModuleEntry> entries) {
        List<ModuleEntry> leaving = new ArrayList<>();
        for (ModuleEntry e : entries) {
            if (w.joined.remove(e)) {
                leaving.add(e);
            }
        }
        new ObservationRun(ChainEvent.WORKER_STOP, leaving.toArray(new ModuleEntry[0]), null,
                e -> e.module().onWorkerStop(w), w, 0, () -> leaving.forEach(e -> w.forget(e.module()))).run();
    }
}
