package io.switchboard.core.internal.chain;

import java.util.ArrayList;
import java.util.List;

import io.switchboard.api.Message;
import io.switchboard.api.Verdict;
import io.switchboard.core.internal.modules.ModuleEntry;

/**
 * A run's monitor while some module observes decisions: counts as the worker's counters do and keeps each
 * decision that came with a reason (every refusal, an acceptance that names why) for the observers.
 */
final class DecisionRecorder implements ChainRun.Monitor {

    private final ChainRun.Monitor counting;
    private final DecisionImpl.About about;
    final List<DecisionImpl> decisions = new ArrayList<>(2);

    DecisionRecorder(ChainRun.Monitor counting, DecisionImpl.About about) {
        this.counting = counting;
        this.about = about;
    }

    @Override
    public void skipped(ModuleEntry entry, Message message) {
        counting.skipped(entry, message);
    }

    @Override
    public void decided(ModuleEntry entry, Verdict verdict, ChainRun.Lapse lapse, long nanos, Message after) {
        counting.decided(entry, verdict, lapse, nanos, after);
        boolean refused = verdict.kind() == Verdict.Kind.CONSUME;
        String reason = lapse != null ? "module '" + entry.name() + "' " + lapse.what() : verdict.reason();
        if (refused || reason != null) {
            decisions.add(new DecisionImpl(about.subject(), entry.name(), !refused, reason == null ? "" : reason,
                    about.clientId(), about.user(), about.topic(), System.currentTimeMillis()));
        }
    }
}
