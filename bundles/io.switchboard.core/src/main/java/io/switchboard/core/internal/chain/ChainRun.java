package io.switchboard.core.internal.chain;

import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import io.switchboard.api.Admission;
import io.switchboard.api.FailurePolicy;
import io.switchboard.api.Message;
import io.switchboard.api.ReasonCode;
import io.switchboard.api.Verdict;
import io.switchboard.core.internal.modules.ModuleCounting;
import io.switchboard.core.internal.modules.ModuleEntry;
import io.switchboard.core.internal.modules.Vacancy;
import io.switchboard.core.internal.workers.CoreContext;
import io.switchboard.core.internal.workers.WorkerThread;
import org.osgi.framework.Bundle;

/**
 * Runs one decision through one chain: a message through the message, delivery or call chain, or an
 * admission (connect, login, subscribe) expressed as verdicts. Runs on a worker; a module that decides
 * later suspends the run without blocking, and the run resumes on the same worker when the decision
 * arrives or the module's time budget runs out. A module that throws or is late gets its failure policy.
 * What each module decided goes to the run's {@link Monitor}: the worker's {@link ModuleCounting} for the
 * broker's own events, a {@link ChainTrace} for a dry run.
 */
public final class ChainRun implements WorkerThread.Overrunnable {

    /** Calls one module's callback for this run. */
    @FunctionalInterface
    public interface Call {
        Verdict call(ModuleEntry entry, Message message) throws Exception;
    }

    /** Receives the run's outcome: a pass (with the possibly changed message) or a consume. */
    @FunctionalInterface
    public interface Done {
        void done(Verdict outcome, Message message, ModuleEntry decidedBy);
    }

    /** Hears each module's part in a run, on the run's worker, in chain order. */
    public interface Monitor {
        /** {@code entry} was not called: none of its topic filters matches {@code message}'s topic. */
        void skipped(ModuleEntry entry, Message message);

        /**
         * {@code entry}'s step ended with {@code verdict} after {@code nanos}, the chain going on with (or
         * consuming) {@code after}; {@code lapse} is null when the module decided itself, else it says why
         * its failure policy decided for it.
         */
        void decided(ModuleEntry entry, Verdict verdict, Lapse lapse, long nanos, Message after);
    }

    /**
     * Why a module's failure policy decided for it: it failed ({@code failure} is what it threw) or it ran
     * past its time budget ({@code failure} is null). {@code what} completes "module 'name' ...".
     */
    public record Lapse(String what, Throwable failure) {

        static Lapse failed(Throwable failure) {
            return new Lapse("failed: " + failure, failure);
        }

        static Lapse late(String what) {
            return new Lapse(what, null);
        }
    }

    private final WorkerThread worker;
    private final ScheduledExecutorService timer;
    private final Monitor monitor;
    private ModuleEntry[] chain;
    private Call call;
    private Done done;
    private Bundle skipBundle;
    private int hops;
    /** The run went on without its starter (suspended, awaiting a successor, cut off): never reused. */
    private boolean detached;
    private int index;
    /** The successor deciding in place of the vacant {@code chain[index]}, or null. */
    private ModuleEntry successor;
    private Message message;

    /**
     * @param message the message (its topic selects modules with topic filters), or {@code null} for admissions
     * @param skipBundle modules of this bundle are skipped (a module does not see messages it sent), or {@code null}
     * @param hops module hops behind this message, exposed to HostServices.send while a module runs
     */
    public ChainRun(ModuleEntry[] chain, int start, Message message, Call call, Done done, WorkerThread worker,
            ScheduledExecutorService timer, Bundle skipBundle, int hops) {
        this(chain, start, message, call, done, worker, timer, skipBundle, hops, worker.counting());
    }

    /** A run whose module decisions go to {@code monitor} instead of the worker's counters. */
    ChainRun(ModuleEntry[] chain, int start, Message message, Call call, Done done, WorkerThread worker,
            ScheduledExecutorService timer, Bundle skipBundle, int hops, Monitor monitor) {
        this(worker, timer, monitor);
        prepare(chain, start, message, call, done, skipBundle, hops);
    }

    private ChainRun(WorkerThread worker, ScheduledExecutorService timer, Monitor monitor) {
        this.worker = worker;
        this.timer = timer;
        this.monitor = monitor;
    }

    private void prepare(ModuleEntry[] chain, int start, Message message, Call call, Done done, Bundle skipBundle,
            int hops) {
        this.chain = chain;
        this.index = start;
        this.message = message;
        this.call = call;
        this.done = done;
        this.skipBundle = skipBundle;
        this.hops = hops;
    }

    /**
     * Runs a chain on the current thread, which must hold {@code worker}, like {@code new ChainRun(...).run()}, with a
     * run the worker kept from an earlier message: a run that ends before this returns (every module decided at once)
     * goes back to the worker for the next one, so the pass path allocates nothing per message. A run that goes on
     * later (a module decided later, was away or was cut off) is left to the callbacks that continue it.
     */
    public static void start(ModuleEntry[] chain, int start, Message message, Call call, Done done, WorkerThread worker,
            ScheduledExecutorService timer, Bundle skipBundle, int hops) {
        ChainRun run = worker.takeSpareRun();
        if (run == null || run.timer != timer) {
            run = new ChainRun(worker, timer, worker.counting());
        }
        run.prepare(chain, start, message, call, done, skipBundle, hops);
        Thread workerThread = worker.ownThread();
        run.run();
        // a replaced worker thread means a call here was cut off and this thread abandoned: it keeps nothing
        if (!run.detached && worker.ownThread() == workerThread) {
            run.prepare(null, 0, null, null, null, null, 0); // holds nothing of this message while spare
            worker.keepSpareRun(run);
        }
    }

    /** An admission as a verdict: accept passes (with its reason, for traces), refuse consumes with the reason. */
    public static Verdict toVerdict(Admission admission) {
        if (admission == null) {
            return Verdict.pass();
        }
        if (admission.isAccepted()) {
            return Verdict.pass(admission.reason());
        }
        if (admission.isRefused()) {
            return Verdict.consume(admission.reasonCode(), admission.reason());
        }
        return Verdict.later(admission.stage().thenApply(ChainRun::toVerdict));
    }

    /** Runs (or continues) the chain on the current thread, which must be the run's worker. */
    public void run() {
        int previousHops = CoreContext.hops();
        CoreContext.setHops(hops);
        try {
            // one clock reading per module: a call ends when the next one starts
            long started = System.nanoTime();
            while (index < chain.length) {
                ModuleEntry entry = successor != null ? successor : chain[index];
                if (skipBundle != null && entry.bundle() == skipBundle) {
                    advance();
                    continue;
                }
                if (message != null && !entry.description().appliesTo(message.topic())) {
                    monitor.skipped(entry, message);
                    advance();
                    continue;
                }
                Vacancy vacancy = entry.vacancy();
                if (vacancy != null) {
                    detached = true;
                    awaitSuccessor(entry, vacancy, started);
                    return;
                }
                long token = worker.beginCall(entry, this, started);
                Verdict verdict;
                Throwable failure = null;
                try {
                    verdict = call.call(entry, message);
                } catch (Throwable t) {
                    verdict = null;
                    failure = t;
                }
                if (!worker.endCall(token)) {
                    detached = true;
                    return; // overran: the watchdog handed this run to the worker's replacement thread
                }
                if (failure == null && verdict != null && verdict.kind() == Verdict.Kind.LATER) {
                    detached = true;
                    suspend(entry, verdict.stage(), started);
                    return;
                }
                long ended = System.nanoTime();
                Lapse lapse = failure != null ? Lapse.failed(failure)
                        : verdict == null ? Lapse.failed(new NullPointerException("the callback returned null"))
                        : overBudget(entry, ended - started);
                if (!apply(entry, verdict, lapse, ended - started)) {
                    return;
                }
                started = ended;
            }
            done.done(Verdict.pass(), message, null);
        } finally {
            CoreContext.setHops(previousHops);
        }
    }

    /** A synchronous call that took longer than its budget lapsed too (before the watchdog noticed), or null. */
    static Lapse overBudget(ModuleEntry entry, long elapsed) {
        long budget = entry.description().timeoutMillis();
        if (elapsed <= TimeUnit.MILLISECONDS.toNanos(budget)) {
            return null;
        }
        return Lapse.late("took " + elapsed / 1_000_000 + " ms, over its time budget of " + budget + " ms");
    }

    /**
     * Applies one module's decision, or its failure policy's when it lapsed, and tells the monitor;
     * returns whether the chain goes on.
     */
    private boolean apply(ModuleEntry entry, Verdict verdict, Lapse lapse, long elapsed) {
        Verdict decided = lapse == null ? verdict : policyVerdict(entry, lapse.what());
        advance();
        switch (decided.kind()) {
            case PASS -> monitor.decided(entry, decided, lapse, elapsed, message);
            case REPLACE -> {
                message = decided.message();
                monitor.decided(entry, decided, lapse, elapsed, message);
            }
            case CONSUME -> {
                monitor.decided(entry, decided, lapse, elapsed, message);
                done.done(decided, message, entry);
                return false;
            }
            default -> throw new IllegalStateException("unexpected verdict " + decided);
        }
        return true;
    }

    private void suspend(ModuleEntry entry, CompletionStage<Verdict> stage, long started) {
        AtomicBoolean settled = new AtomicBoolean();
        long budget = entry.description().timeoutMillis();
        ScheduledFuture<?> timeout = timer.schedule(() -> {
            if (settled.compareAndSet(false, true)) {
                worker.execute(() -> resume(entry, null, Lapse.late("timed out after " + budget + " ms"), started));
            }
        }, budget, TimeUnit.MILLISECONDS);
        stage.whenComplete((verdict, failure) -> {
            if (settled.compareAndSet(false, true)) {
                timeout.cancel(false);
                worker.execute(() -> {
                    if (failure != null) {
                        resume(entry, null, Lapse.failed(failure), started);
                    } else if (verdict == null || verdict.kind() == Verdict.Kind.LATER) {
                        resume(entry, null, Lapse.failed(new IllegalStateException("the asynchronous decision was "
                                + (verdict == null ? "null" : "another 'later'"))), started);
                    } else {
                        resume(entry, verdict, null, started);
                    }
                });
            }
        });
    }

    private void advance() {
        index++;
        successor = null;
    }

    /**
     * The module is away (its bundle updating, its component re-created): the run waits, without blocking,
     * for its successor, which then decides in its place; if none comes within the module's budget, or it
     * left for good, the module's failure policy decides, as for a module that is late.
     */
    private void awaitSuccessor(ModuleEntry entry, Vacancy vacancy, long started) {
        AtomicBoolean settled = new AtomicBoolean();
        long budget = entry.description().timeoutMillis();
        ScheduledFuture<?> timeout = timer.schedule(() -> {
            if (settled.compareAndSet(false, true)) {
                worker.execute(() -> resume(entry, null, Lapse.late("was away (replaced) and no successor came within its "
                        + "time budget of " + budget + " ms"), started));
            }
        }, budget, TimeUnit.MILLISECONDS);
        vacancy.successor().whenComplete((next, failure) -> {
            if (settled.compareAndSet(false, true)) {
                timeout.cancel(false);
                worker.execute(() -> {
                    if (next == null) {
                        resume(entry, null, Lapse.late("left the chain and no successor came within its time budget of "
                                + budget + " ms"), started);
                    } else {
                        successor = next;
                        run();
                    }
                });
            }
        });
    }

    /** The watchdog cut off a call that blocked the worker: the module's policy decides, the chain goes on. */
    @Override
    public void overran(ModuleEntry entry, long started) {
        resume(entry, null, Lapse.late("blocked its worker past its time budget of " + entry.description().timeoutMillis()
                + " ms"), started);
    }

    private void resume(ModuleEntry entry, Verdict verdict, Lapse lapse, long started) {
        if (apply(entry, verdict, lapse, System.nanoTime() - started)) {
            run();
        }
    }

    private static Verdict policyVerdict(ModuleEntry entry, String what) {
        if (entry.description().policy() == FailurePolicy.FAIL_OPEN) {
            return Verdict.pass();
        }
        return Verdict.consume(ReasonCode.UNSPECIFIED_ERROR, "module '" + entry.name() + "' " + what);
    }
}
