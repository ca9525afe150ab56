package io.switchboard.core.internal;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import io.switchboard.api.admin.ModuleInfo;

/** The admin view of a tracked module: its info record. */
final class AdminViews {

    private AdminViews() {
    }

    static ModuleInfo info(ModuleEntry e) {
        ModuleEntry.Description d = e.description;
        String quarantine = e.health.quarantineReason();
        String state = quarantine != null ? "QUARANTINED" : e.inChain() ? "ACTIVE" : "DISABLED";
        List<String> reasons = new ArrayList<>();
        if (quarantine != null) {
            reasons.add("quarantined: " + quarantine + " (sb:enable " + d.name() + " re-admits it)");
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
                reasons.isEmpty() ? null : String.join("; ", reasons), e.events, d.topics(), d.policy().name(),
                d.timeoutMillis(), e.counters.snapshot(), lastError == null ? null : lastError.what(),
                lastError == null ? null : Instant.ofEpochMilli(lastError.epochMillis()));
    }
}
