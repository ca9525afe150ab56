package io.switchboard.core.internal.modules;

import io.switchboard.api.Message;
import io.switchboard.api.Verdict;
import io.switchboard.api.admin.ChainEvent;
import io.switchboard.core.internal.chain.ChainRun;
import io.switchboard.core.internal.workers.WorkerThread;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker's monitor of its chain runs and observations on one worker: counts each module's decision into
 * the module's counters (this worker's cell, see {@link ModuleEntry.Counters}), logs failures and overruns,
 * and reports them to the {@link Quarantine}. A call counts once: as the pass, consume or replace the module
 * decided (an observation callback that returned counts as a pass), or, when it failed or ran late, as an
 * error or a timeout only (never also as the pass or consume its policy decided), so calls = passes +
 * consumes + replaces + errors + timeouts.
 */
public final class ModuleCounting implements ChainRun.Monitor {

    private static final Logger LOG = LoggerFactory.getLogger(ModuleCounting.class);

    private final WorkerThread worker;
    private final Quarantine quarantine;

    public ModuleCounting(WorkerThread worker, Quarantine quarantine) {
        this.worker = worker;
        this.quarantine = quarantine;
    }

    @Override
    public void skipped(ModuleEntry entry, Message message) {
        // not a call: nothing to count
    }

    @Override
    public void decided(ModuleEntry entry, Verdict verdict, ChainRun.Lapse lapse, long nanos, Message after) {
        if (lapse != null) {
            countLapse(entry, lapse, "applying its policy " + entry.description.policy());
        }
        entry.counters.record(worker, lapse == null ? outcome(verdict) : null, nanos);
    }

    /** An observation callback of {@code event} returned ({@code lapse} null), or failed or ran late. */
    public void observed(ChainEvent event, ModuleEntry entry, ChainRun.Lapse lapse, long nanos) {
        if (lapse != null) {
            countLapse(entry, lapse, "observing " + event.callback());
        }
        entry.counters.record(worker, lapse == null ? ModuleEntry.Outcome.PASS : null, nanos);
    }

    private static ModuleEntry.Outcome outcome(Verdict verdict) {
        return switch (verdict.kind()) {
            case PASS -> ModuleEntry.Outcome.PASS;
            case REPLACE -> ModuleEntry.Outcome.REPLACE;
            case CONSUME -> ModuleEntry.Outcome.CONSUME;
            default -> throw new IllegalArgumentException("not a decision: " + verdict);
        };
    }

    /** Counts and logs a failure or timeout; {@code where} ends the log line (the policy applied, or the callback observing). */
    private void countLapse(ModuleEntry entry, ChainRun.Lapse lapse, String where) {
        if (lapse.failure() == null) {
            entry.counters.timeouts.increment();
            LOG.warn("Module '{}' {}; {}", entry.name(), lapse.what(), where);
        } else {
            long errors = entry.counters.errors.sum();
            entry.counters.errors.increment();
            if (errors == 0) {
                LOG.error("Module '{}' failed; {}", entry.name(), where, lapse.failure());
            } else {
                LOG.warn("Module '{}' failed again ({} errors so far): {}; {}", entry.name(), errors + 1, lapse.failure(),
                        where);
            }
        }
        quarantine.lapsed(entry, lapse.what());
    }
}
