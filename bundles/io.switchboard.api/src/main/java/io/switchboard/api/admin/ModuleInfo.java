package io.switchboard.api.admin;

import java.time.Instant;
import java.util.List;
import java.util.Set;

/**
 * One module as the broker knows it: active in the chain, or installed but not active with the reason.
 *
 * @param name the module's name
 * @param serviceId the service id, or -1 when not registered
 * @param ranking the service ranking
 * @param type the module type's name
 * @param maturity the maturity's name
 * @param version the module bundle's version
 * @param bundle the bundle's symbolic name and id, e.g. {@code io.switchboard.module.profanity [12]}
 * @param state {@code ACTIVE}, {@code DISABLED} (by an operator or its configuration), {@code QUARANTINED}
 *        (taken out of the chain by the broker after repeated failures or timeouts, until an operator enables
 *        it again), or why not active: {@code UNRESOLVED}, {@code FAILED}, {@code UNSATISFIED}, {@code INSTALLED}
 * @param reason why the module is not active (for {@code QUARANTINED}: how many failures in what window, and
 *        the last one), or a problem it reported while active (e.g. a rejected configuration), in plain words;
 *        {@code null} when there is none
 * @param events the events it handles
 * @param topics the topic filters it is limited to; empty for all
 * @param failurePolicy its failure policy's name
 * @param timeoutMillis its time budget per decision
 * @param counters what it has done so far
 * @param lastError its last failure or timeout (what it threw, or how it ran late), as its failure policy saw
 *        it; {@code null} when it has had none (since 1.1)
 * @param lastErrorTime when {@code lastError} happened; {@code null} when it has had none (since 1.1)
 */
public record ModuleInfo(String name, long serviceId, int ranking, String type, String maturity, String version,
        String bundle, String state, String reason, Set<ChainEvent> events, List<String> topics,
        String failurePolicy, long timeoutMillis, ModuleCounters counters, String lastError, Instant lastErrorTime) {

    /** The constructor of admin API 1.0, kept for binary compatibility: no last error. */
    public ModuleInfo(String name, long serviceId, int ranking, String type, String maturity, String version,
            String bundle, String state, String reason, Set<ChainEvent> events, List<String> topics,
            String failurePolicy, long timeoutMillis, ModuleCounters counters) {
        this(name, serviceId, ranking, type, maturity, version, bundle, state, reason, events, topics, failurePolicy,
                timeoutMillis, counters, null, null);
    }
}
