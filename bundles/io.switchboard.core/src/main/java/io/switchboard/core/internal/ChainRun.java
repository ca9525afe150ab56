package io.switchboard.core.internal;

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
import org.osgi.framework.Bundle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one decision through one chain: a message through the message, delivery or call chain, or an
 * admission (connect, login, subscribe) expressed as verdicts. Runs on a worker; a module that decides
 * later suspends the run without blocking, and the run resumes on the same worker when the decision
 * arrives or the module's time budget runs out. A module that throws or is late gets its failure policy.
 */
final class ChainRun {

    private static final Logger LOG = LoggerFactory.getLogger(ChainRun.class);

    /** Calls one module's callback for this run. */
    @FunctionalInterface
    interface Call {
        Verdict call(ModuleEntry entry, Message message) throws Exception;
    }

    /** Receives the run's outcome: a pass (with the possibly changed message) or a consume. */
    @FunctionalInterface
    interface Done {
        void done(Verdict outcome, Message message, ModuleEntry decidedBy);
    }

    private final ModuleEntry[] chain;
    private final Call call;
    private final Done done;
    private final WorkerThread worker;
    private final ScheduledExecutorService timer;
    private final Bundle skipBundle;
    private final int hops;
    private int index;
    private Message message;

    /**
     * @param message the message (its topic selects modules with topic filters), or {@code null} for admissions
     * @param skipBundle modules of this bundle are skipped (a module does not see messages it sent), or {@code null}
     * @param hops module hops behind this message, exposed to HostServices.send while a module runs
     */
    ChainRun(ModuleEntry[] chain, int start, Message message, Call call, Done done, WorkerThread worker,
            ScheduledExecutorService timer, Bundle skipBundle, int hops) {
        this.chain = chain;
        this.index = start;
        this.message = message;
        this.call = call;
        this.done = done;
        this.worker = worker;
        this.timer = timer;
        this.skipBundle = skipBundle;
        this.hops = hops;
    }

    /** An admission as a verdict: accept passes, refuse consumes with the reason. */
    static Verdict toVerdict(Admission admission) {
        if (admission == null || admission.isAccepted()) {
            return Verdict.pass();
        }
        if (admission.isRefused()) {
            return Verdict.consume(admission.reasonCode(), admission.reason());
        }
        return Verdict.later(admission.stage().thenApply(ChainRun::toVerdict));
    }

    /** Runs (or continues) the chain on the current thread, which must be the run's worker. */
    void run() {
        int previousHops = CoreContext.hops();
        CoreContext.setHops(hops);
        try {
            // one clock reading per module: a call ends when the next one starts
            long started = System.nanoTime();
            while (index < chain.length) {
                ModuleEntry entry = chain[index];
                if (skipBundle != null && entry.bundle == skipBundle
                        || message != null && !entry.description.appliesTo(message.topic())) {
                    index++;
                    continue;
                }
                long token = worker == null ? 0 : worker.beginCall(entry, this, started);
                Verdict verdict;
                Throwable failure = null;
                try {
                    verdict = call.call(entry, message);
                } catch (Throwable t) {
                    verdict = null;
                    failure = t;
                }
                if (worker != null && !worker.endCall(token)) {
                    return; // overran: the watchdog handed this run to the worker's replacement thread
                }
                if (failure != null) {
                    verdict = failed(entry, failure);
                } else if (verdict == null) {
                    verdict = failed(entry, new NullPointerException("the callback returned null"));
                }
                if (verdict.kind() == Verdict.Kind.LATER) {
                    suspend(entry, verdict.stage(), started);
                    return;
                }
                long ended = System.nanoTime();
                if (!apply(entry, verdict, ended - started, true)) {
                    return;
                }
                started = ended;
            }
            done.done(Verdict.pass(), message, null);
        } finally {
            CoreContext.setHops(previousHops);
        }
    }

    /**
     * Counts and applies one module's decision; returns whether the chain goes on. A synchronous
     * decision that overran the budget gets the policy too (late asynchronous ones were cut off by the timer).
     */
    private boolean apply(ModuleEntry entry, Verdict verdict, long elapsed, boolean synchronous) {
        ModuleEntry.Description description = entry.description;
        if (synchronous && elapsed > TimeUnit.MILLISECONDS.toNanos(description.timeoutMillis())) {
            entry.counters.timeouts.increment();
            LOG.warn("Module '{}' took {} ms, over its budget of {} ms; applying its policy {}", entry.name(),
                    elapsed / 1_000_000, description.timeoutMillis(), description.policy());
            verdict = policyVerdict(entry, "took " + elapsed / 1_000_000 + " ms, over its time budget");
        }
        index++;
        switch (verdict.kind()) {
            case PASS -> entry.counters.record(worker, ModuleEntry.Outcome.PASS, elapsed);
            case REPLACE -> {
                entry.counters.record(worker, ModuleEntry.Outcome.REPLACE, elapsed);
                message = verdict.message();
            }
            case CONSUME -> {
                entry.counters.record(worker, ModuleEntry.Outcome.CONSUME, elapsed);
                done.done(verdict, message, entry);
                return false;
            }
            default -> throw new IllegalStateException("unexpected verdict " + verdict);
        }
        return true;
    }

    private void suspend(ModuleEntry entry, CompletionStage<Verdict> stage, long started) {
        AtomicBoolean settled = new AtomicBoolean();
        long budget = entry.description.timeoutMillis();
        ScheduledFuture<?> timeout = timer.schedule(() -> {
            if (settled.compareAndSet(false, true)) {
                entry.counters.timeouts.increment();
                LOG.warn("Module '{}' did not decide within its budget of {} ms; applying its policy {}", entry.name(),
                        budget, entry.description.policy());
                worker.execute(() -> resume(entry, policyVerdict(entry, "did not decide within " + budget + " ms"), started));
            }
        }, budget, TimeUnit.MILLISECONDS);
        stage.whenComplete((verdict, failure) -> {
            if (settled.compareAndSet(false, true)) {
                timeout.cancel(false);
                worker.execute(() -> {
                    Verdict v;
                    if (failure != null) {
                        v = failed(entry, failure);
                    } else if (verdict == null || verdict.kind() == Verdict.Kind.LATER) {
                        v = failed(entry, new IllegalStateException("the asynchronous decision was "
                                + (verdict == null ? "null" : "another 'later'")));
                    } else {
                        v = verdict;
                    }
                    resume(entry, v, started);
                });
            }
        });
    }

    /** The watchdog cut off a call that blocked the worker: the module's policy decides, the chain goes on. */
    void overran(ModuleEntry entry, long started) {
        entry.counters.timeouts.increment();
        resume(entry, policyVerdict(entry, "blocked its worker past its time budget"), started);
    }

    private void resume(ModuleEntry entry, Verdict verdict, long started) {
        if (apply(entry, verdict, System.nanoTime() - started, false)) {
            run();
        }
    }

    private static Verdict failed(ModuleEntry entry, Throwable t) {
        long errors = entry.counters.errors.sum();
        entry.counters.errors.increment();
        if (errors == 0) {
            LOG.error("Module '{}' failed; applying its policy {}", entry.name(), entry.description.policy(), t);
        } else {
            LOG.warn("Module '{}' failed again ({} errors so far): {}; applying its policy {}", entry.name(), errors + 1, t,
                    entry.description.policy());
        }
        return policyVerdict(entry, "failed: " + t);
    }

    private static Verdict policyVerdict(ModuleEntry entry, String what) {
        if (entry.description.policy() == FailurePolicy.FAIL_OPEN) {
            return Verdict.pass();
        }
        return Verdict.consume(ReasonCode.UNSPECIFIED_ERROR, "module '" + entry.name() + "' " + what);
    }
}
