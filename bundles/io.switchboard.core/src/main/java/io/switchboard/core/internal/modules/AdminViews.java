package io.switchboard.core.internal.modules;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import io.switchboard.api.admin.ModuleInfo;
import org.osgi.framework.Bundle;

/** The admin view of a tracked module: its info record. */
public final class AdminViews {

    private AdminViews() {
    }

    public static ModuleInfo info(ModuleEntry e, Chains chains) {
        ModuleEntry.Description d = e.description;
        Bundle newer = chains.supersededBy(e);
        String quarantine = e.health.quarantineReason();
        String state = e.vacancy != null ? "REPLACING" : quarantine != null ? "QUARANTINED"
                : newer != null ? "SUPERSEDED" : e.inChain() ? "ACTIVE" : "DISABLED";
        List<String> reasons = new ArrayList<>();
        if (e.vacancy != null) {
            reasons.add("its service went away and its successor is awaited: its events wait up to " + d.timeoutMillis()
                    + " ms, then " + d.policy() + " decides");
        }
        if (quarantine != null) {
            reasons.add("quarantined: " + quarantine + " (sb:enable " + d.name() + " re-admits it)");
        }
        if (newer != null) {
            reasons.add("superseded by version " + newer.getVersion() + " (" + newer.getSymbolicName() + " ["
                    + newer.getBundleId() + "]): only the highest version of a bundle joins the chain");
        }
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
        ModuleHealth.LastError lastError = e.health.lastError();
        return new ModuleInfo(d.name(), e.serviceId, d.ranking(), d.type().name(), d.maturity().name(),
                e.bundle.getVersion().toString(), e.bundle.getSymbolicName() + " [" + e.bundle.getBundleId() + "]", state,
                reasons.isEmpty() ? null : String.join("; ", reasons), e.calledFor(), d.topics(), d.policy().name(),
                d.timeoutMillis(), e.counters.snapshot(), lastError == null ? null : lastError.what(),
                lastError == null ? null : Instant.ofEpochMilli(lastError.epochMillis()));
    }
}
