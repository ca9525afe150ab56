package io.switchboard.core.internal.chain;

import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Consumer;

import io.switchboard.api.Verdict;
import io.switchboard.api.admin.ChainEvent;
import io.switchboard.core.internal.modules.ModuleEntry;
import io.switchboard.core.internal.modules.ModuleRegistry;
import io.switchboard.core.internal.workers.WorkerThread;

/**
 * Runs the admission chains (connect, TLS, login, subscribe) and the session events' observation chains of
 * the module snapshot current at the call: what sessions and routing share.
 */
public final class ChainRunner {

    private final ModuleRegistry registry;
    private final ScheduledExecutorService timer;

    public ChainRunner(ModuleRegistry registry, ScheduledExecutorService timer) {
        this.registry = registry;
        this.timer = timer;
    }

    /**
     * Runs an admission chain about {@code about} on {@code worker}; {@code done} gets a pass or a consume (refusal).
     * While some module observes decisions, those made with a reason are raised to it after the run.
     */
    public void admit(ChainEvent event, ChainRun.Call call, WorkerThread worker, DecisionImpl.About about,
            Consumer<Verdict> done) {
        if (!observesDecisions()) {
            admit(event, call, worker, done);
            return;
        }
        DecisionRecorder recorder = new DecisionRecorder(worker.counting(), about);
        new ChainRun(registry.chains().of(event), 0, null, call, (verdict, m, by) -> {
            recorder.decisions.forEach(d -> raise(d, worker));
            done.accept(verdict);
        }, worker, timer, null, 0, recorder).run();
    }

    /** Whether some module observes decisions ({@code onDecision}): otherwise none is collected. */
    public boolean observesDecisions() {
        return registry.chains().of(ChainEvent.DECISION).length > 0;
    }

    /** Hands {@code decision} to the modules observing decisions, on {@code worker}. */
    public void raise(DecisionImpl decision, WorkerThread worker) {
        new ObservationRun(ChainEvent.DECISION, registry.chains().of(ChainEvent.DECISION), decision.topic(),
                e -> e.module().onDecision(decision), worker, 0, () -> {
                }).run();
    }

    /** Runs an admission chain on {@code worker}; {@code done} gets a pass or a consume (refusal). */
    public void admit(ChainEvent event, ChainRun.Call call, WorkerThread worker, Consumer<Verdict> done) {
        new ChainRun(registry.chains().of(event), 0, null, call, (verdict, m, by) -> done.accept(verdict), worker, timer,
                null, 0).run();
    }

    /**
     * Calls a session event's observation callback on each module of its chain, on {@code worker} under the
     * watchdog (see {@link ObservationRun}), then {@code then}.
     */
    public void observe(ChainEvent event, Consumer<ModuleEntry> callback, WorkerThread worker, Runnable then) {
        new ObservationRun(event, registry.chains().of(event), null, callback, worker, 0, then).run();
    }
}
