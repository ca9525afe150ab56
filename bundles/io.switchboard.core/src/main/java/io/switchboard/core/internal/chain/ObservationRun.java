package io.switchboard.core.internal.chain;

import java.util.function.Consumer;

import io.switchboard.api.admin.ChainEvent;
import io.switchboard.core.internal.modules.ModuleEntry;
import io.switchboard.core.internal.workers.CoreContext;
import io.switchboard.core.internal.workers.WorkerThread;

/**
 * Calls one observation callback ({@code onStatus}, session events, {@code onWorkerStart}...) on each module
 * of a list, on a worker, under the watchdog as a chain run's calls are, then runs what follows. A callback
 * that throws or runs past its module's budget counts as an error or a timeout, towards quarantine; one that
 * blocks is cut off by the watchdog and the worker goes on, in a new thread, with the next module.
 */
public final class ObservationRun implements WorkerThread.Overrunnable {

    private final ChainEvent event;
    private final ModuleEntry[] modules;
    private final String topic;
    private final Consumer<ModuleEntry> callback;
    private final WorkerThread worker;
    private final int hops;
    private final Runnable then;
    private int index;

    /**
     * @param modules the modules to call, in order; those not handling {@code event} are skipped
     * @param topic the event's topic: modules whose topic filters do not match it are skipped; null for all
     * @param hops module hops behind the event, for a module that sends from the callback
     * @param then what follows, run on the worker once every module has been called
     */
    public ObservationRun(ChainEvent event, ModuleEntry[] modules, String topic, Consumer<ModuleEntry> callback, WorkerThread worker,
            int hops, Runnable then) {
        this.event = event;
        this.modules = modules;
        this.topic = topic;
        this.callback = callback;
        this.worker = worker;
        this.hops = hops;
        this.then = then;
    }

    /** Calls the modules (or the rest of them) on the current thread, which must be the worker's. */
    public void run() {
        int previousHops = CoreContext.hops();
        CoreContext.setHops(hops);
        try {
            long started = System.nanoTime();
            while (index < modules.length) {
                ModuleEntry entry = modules[index++];
                if (!entry.handles(event) || topic != null && !entry.description().appliesTo(topic)) {
                    continue;
                }
                long token = worker.beginCall(entry, this, started);
                Throwable failure = null;
                try {
                    callback.accept(entry);
                } catch (Throwable t) {
                    failure = t;
                }
                if (!worker.endCall(token)) {
                    return; // overran: the watchdog handed the rest to the worker's replacement thread
                }
                long ended = System.nanoTime();
                worker.counting().observed(event, entry,
                        failure != null ? ChainRun.Lapse.failed(failure) : ChainRun.overBudget(entry, ended - started),
                        ended - started);
                started = ended;
            }
        } finally {
            CoreContext.setHops(previousHops);
        }
        then.run();
    }

    @Override
    public void overran(ModuleEntry entry, long started) {
        worker.counting().observed(event, entry, ChainRun.Lapse.late("blocked its worker in " + event.callback()
                + " past its time budget of " + entry.description().timeoutMillis() + " ms"), System.nanoTime() - started);
        run();
    }
}
