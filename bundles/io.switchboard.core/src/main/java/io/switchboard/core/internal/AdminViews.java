package io.switchboard.core.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.switchboard.api.Message;
import io.switchboard.api.Session;
import io.switchboard.api.Verdict;
import io.switchboard.api.admin.ModuleInfo;
import io.switchboard.api.admin.TraceStep;

/** The admin views of tracked modules: their info records and dry-run traces. */
final class AdminViews {

    private AdminViews() {
    }

    static ModuleInfo info(ModuleEntry e) {
        ModuleEntry.Description d = e.description;
        String state = e.inChain() ? "ACTIVE" : "DISABLED";
        List<String> reasons = new ArrayList<>();
        if (!e.enabled) {
            reasons.add("disabled by an operator (sb:enable " + d.name() + " puts it back)");
        }
        if (!d.enabledByConfig()) {
            reasons.add("disabled by its configuration (switchboard.module.enabled=false)");
        }
        String reported = e.reportedProblem;
        if (reported != null) {
            reasons.add(reported);
        }
        reasons.addAll(d.problems());
        return new ModuleInfo(d.name(), e.serviceId, d.ranking(), d.type().name(), d.maturity().name(),
                e.bundle.getVersion().toString(), e.bundle.getSymbolicName() + " [" + e.bundle.getBundleId() + "]", state,
                reasons.isEmpty() ? null : String.join("; ", reasons), e.events, d.topics(), d.policy().name(),
                d.timeoutMillis(), e.counters.snapshot());
    }

    /**
     * Runs the message chain on the caller's thread without touching counters or routing; waits for
     * asynchronous decisions up to each module's budget.
     */
    static List<TraceStep> trace(ModuleEntry[] chain, Message message, Session sender) {
        List<TraceStep> steps = new ArrayList<>();
        Message current = message;
        for (ModuleEntry e : chain) {
            if (!e.description.appliesTo(current.topic())) {
                steps.add(new TraceStep(e.name(), "skipped (topic filter " + e.description.topics() + ")", 0,
                        current.payloadText()));
                continue;
            }
            long started = System.nanoTime();
            String decision;
            Verdict verdict;
            try {
                verdict = e.module.onMessage(current, sender);
                if (verdict != null && verdict.kind() == Verdict.Kind.LATER) {
                    verdict = verdict.stage().toCompletableFuture().get(e.description.timeoutMillis(), TimeUnit.MILLISECONDS);
                }
                decision = verdict == null ? "failed: returned null" : verdict.toString();
            } catch (java.util.concurrent.TimeoutException t) {
                verdict = null;
                decision = "timed out after " + e.description.timeoutMillis() + " ms (policy " + e.description.policy() + ")";
            } catch (InterruptedException t) {
                Thread.currentThread().interrupt();
                verdict = null;
                decision = "interrupted";
            } catch (Exception | LinkageError t) {
                verdict = null;
                decision = "failed: " + t + " (policy " + e.description.policy() + ")";
            }
            long nanos = System.nanoTime() - started;
            if (verdict != null && verdict.kind() == Verdict.Kind.REPLACE) {
                current = verdict.message();
            }
            steps.add(new TraceStep(e.name(), decision, nanos, current.payloadText()));
            if (verdict != null && verdict.kind() == Verdict.Kind.CONSUME) {
                break;
            }
        }
        return steps;
    }
}
