package io.switchboard.core.internal;

import io.switchboard.api.Message;
import io.switchboard.api.Verdict;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker's monitor of its chain runs on one worker: counts each module's decision into the module's
 * counters (this worker's cell, see {@link ModuleEntry.Counters}) and logs failures and overruns. A call
 * counts once: as the pass, consume or replace the module decided, or, when its failure policy decided for
 * it, as an error or a timeout only (never also as the policy's pass or consume), so calls = passes +
 * consumes + replaces + errors + timeouts.
 */
final class ModuleCounting implements ChainRun.Monitor {

    private static final Logger LOG = LoggerFactory.getLogger(ModuleCounting.class);

    private final WorkerThread worker;

    ModuleCounting(WorkerThread worker) {
        this.worker = worker;
    }

    @Override
    public void skipped(ModuleEntry entry, Message message) {
        // not a call: nothing to count
    }

    @Override
    public void decided(ModuleEntry entry, Verdict verdict, ChainRun.Lapse lapse, long nanos, Message after) {
        if (lapse != null) {
            countLapse(entry, lapse);
        }
        entry.counters.record(worker, lapse == null ? outcome(verdict) : null, nanos);
    }

    private static ModuleEntry.Outcome outcome(Verdict verdict) {
        return switch (verdict.kind()) {
            case PASS -> ModuleEntry.Outcome.PASS;
            case REPLACE -> ModuleEntry.Outcome.REPLACE;
            case CONSUME -> ModuleEntry.Outcome.CONSUME;
            default -> throw new IllegalArgumentException("not a decision: " + verdict);
        };
    }

    private static void countLapse(ModuleEntry entry, ChainRun.Lapse lapse) {
        if (lapse.failure() == null) {
            entry.counters.timeouts.increment();
            LOG.warn("Module '{}' {}; applying its policy {}", entry.name(), lapse.what(), entry.description.policy());
            return;
        }
        long errors = entry.counters.errors.sum();
        entry.counters.errors.increment();
        if (errors == 0) {
            LOG.error("Module '{}' failed; applying its policy {}", entry.name(), entry.description.policy(), lapse.failure());
        } else {
            LOG.warn("Module '{}' failed again ({} errors so far): {}; applying its policy {}", entry.name(), errors + 1,
                    lapse.failure(), entry.description.policy());
        }
    }
}
