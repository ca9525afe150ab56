package io.switchboard.core.internal.chain;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.switchboard.api.FailurePolicy;
import io.switchboard.api.Message;
import io.switchboard.api.Session;
import io.switchboard.api.Verdict;
import io.switchboard.api.admin.TraceStep;
import io.switchboard.core.internal.modules.ModuleEntry;
import io.switchboard.core.internal.workers.WorkerThread;

/**
 * A dry run of the message chain (sb:trace): the broker's own {@link ChainRun} on a worker, under the
 * watchdog, with the time budgets and failure policies of a publish, so its outcome is the broker's by
 * construction. As the run's monitor it records each module's step instead of counting it, and its end
 * routes nothing.
 */
public final class ChainTrace implements ChainRun.Monitor {

    /** Waited beyond the modules' budgets: the tasks queued on the worker ahead of the trace. */
    private static final long GRACE_MILLIS = 2_000;

    /** Written by the run (on its worker), read once the run is done. */
    private final List<TraceStep> steps = new ArrayList<>();
    private final CompletableFuture<List<TraceStep>> result = new CompletableFuture<>();

    private ChainTrace() {
    }

    /**
     * Runs {@code message} through {@code chain} as {@code sender} on {@code worker} and waits for the outcome, which
     * the modules' budgets bound: the steps, the last one consuming the message if a module (or its policy) did.
     *
     * @throws IllegalStateException if the run does not end in time (its worker busy) or the wait is interrupted
     */
    public static List<TraceStep> run(ModuleEntry[] chain, Message message, Session sender, WorkerThread worker,
            ScheduledExecutorService timer) {
        ChainTrace trace = new ChainTrace();
        ChainRun run = new ChainRun(chain, 0, message, (e, m) -> e.module().onMessage(m, sender),
                (outcome, m, by) -> trace.result.complete(List.copyOf(trace.steps)), worker, timer, null, 0, trace);
        worker.execute(run::run);
        return trace.await(longestRun(chain) + GRACE_MILLIS);
    }

    /** Every module at its budget, each cut off by the watchdog at worst one period late. */
    private static long longestRun(ModuleEntry[] chain) {
        long millis = 0;
        for (ModuleEntry e : chain) {
            millis += e.description().timeoutMillis() + WorkerThread.WATCHDOG_PERIOD_MILLIS;
        }
        return millis;
    }

    private List<TraceStep> await(long millis) {
        try {
            return result.get(millis, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new IllegalStateException("the trace did not end within " + millis + " ms: its worker is busy");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while tracing");
        } catch (ExecutionException e) {
            throw new IllegalStateException("the trace failed", e.getCause()); // cannot happen: completed only normally
        }
    }

    @Override
    public void skipped(ModuleEntry entry, Message message) {
        steps.add(new TraceStep(entry.name(), "skipped (topic filter " + entry.description().topics() + ")", 0,
                message.payloadText()));
    }

    @Override
    public void decided(ModuleEntry entry, Verdict verdict, ChainRun.Lapse lapse, long nanos, Message after) {
        steps.add(new TraceStep(entry.name(), lapse == null ? verdict.toString() : policyDecision(entry, lapse, verdict),
                nanos, after.payloadText()));
    }

    /** E.g. "timed out after 200 ms (policy FAIL_CLOSED) → consumed", as TraceStep documents. */
    private static String policyDecision(ModuleEntry entry, ChainRun.Lapse lapse, Verdict verdict) {
        FailurePolicy policy = entry.description().policy();
        return lapse.what() + " (policy " + policy + ") → " + (verdict.kind() == Verdict.Kind.CONSUME ? "consumed" : "passed");
    }
}
