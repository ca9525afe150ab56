package io.switchboard.core.internal.modules;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

import io.switchboard.api.MessageModule;
import org.osgi.framework.Bundle;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The whiteboard of {@link MessageModule} services. Changes happen under one lock and publish a new
 * {@link Chains} snapshot; readers on the message path only read the volatile snapshot.
 */
public final class ModuleRegistry {

    private static final Logger LOG = LoggerFactory.getLogger(ModuleRegistry.class);

    private final Object lock = new Object();
    private final Map<Long, ModuleEntry> entries = new LinkedHashMap<>();
    private volatile Chains chains = Chains.EMPTY;
    private volatile OperatorSwitches switches = OperatorSwitches.none();

    /** Where sb:disable is kept; set before modules join. */
    public void useSwitches(OperatorSwitches switches) {
        this.switches = switches;
    }

    public Chains chains() {
        return chains;
    }

    /** A module that joined, and the vacancy it fills (to be told once the module is ready), or null. */
    public record Added(ModuleEntry entry, Vacancy filled) {
    }

    /**
     * Tracks a module; if it succeeds a vacant entry (same module name, same bundle symbolic name), the
     * vacant entry leaves in the same snapshot, so no message finds neither.
     */
    public Added add(ServiceReference<MessageModule> ref, MessageModule module) {
        ModuleEntry entry = new ModuleEntry(ref, module);
        if (switches.isDisabled(entry.name())) {
            entry.enabled = false;
            LOG.info("Module '{}' stays disabled: an operator disabled it (sb:enable {} takes it back)", entry.name(),
                    entry.name());
        }
        ModuleEntry predecessor;
        synchronized (lock) {
            predecessor = vacantPredecessorOf(entry);
            if (predecessor != null) {
                entries.remove(predecessor.serviceId);
            }
            entries.put(entry.serviceId, entry);
            publish();
        }
        if (predecessor != null) {
            // no old version to name: an update in place changes the version of the same Bundle object
            LOG.info("Module '{}' is back: bundle {} {} [{}] takes its place (events held meanwhile now continue)",
                    entry.name(), entry.bundle.getSymbolicName(), entry.bundle.getVersion(), entry.bundle.getBundleId());
        }
        LOG.info("Module '{}' joined the chain (ranking {}, bundle {} {}, events {})", entry.name(), entry.ranking(),
                entry.bundle.getSymbolicName(), entry.bundle.getVersion(), entry.calledFor());
        Bundle newer = chains.supersededBy(entry);
        if (newer != null) {
            LOG.warn("Module '{}' of {} {} stays out of the chain: version {} [{}] of the bundle supersedes it",
                    entry.name(), entry.bundle.getSymbolicName(), entry.bundle.getVersion(), newer.getVersion(),
                    newer.getBundleId());
        }
        entry.description.problems().forEach(p -> LOG.warn("Module '{}': {}", entry.name(), p));
        return new Added(entry, predecessor == null ? null : predecessor.vacancy);
    }

    private ModuleEntry liveSiblingOf(ModuleEntry entry) {
        for (ModuleEntry e : entries.values()) {
            if (e != entry && e.vacancy == null && e.name().equals(entry.name())
                    && Objects.equals(e.bundle.getSymbolicName(), entry.bundle.getSymbolicName())) {
                return e;
            }
        }
        return null;
    }

    private ModuleEntry vacantPredecessorOf(ModuleEntry entry) {
        for (ModuleEntry e : entries.values()) {
            if (e.vacancy != null && e.name().equals(entry.name())
                    && Objects.equals(e.bundle.getSymbolicName(), entry.bundle.getSymbolicName())) {
                return e;
            }
        }
        return null;
    }

    void modified(ServiceReference<MessageModule> ref) {
        synchronized (lock) {
            ModuleEntry entry = entries.get((Long) ref.getProperty(Constants.SERVICE_ID));
            if (entry == null) {
                return;
            }
            ModuleEntry.Description before = entry.description;
            entry.description = ModuleEntry.describe(ref, before);
            publish();
            if (before.ranking() != entry.ranking() || !before.name().equals(entry.name())) {
                LOG.info("Module '{}' now has ranking {} (was '{}' at {})", entry.name(), entry.ranking(), before.name(),
                        before.ranking());
            }
            entry.description.problems().forEach(p -> LOG.warn("Module '{}': {}", entry.name(), p));
        }
    }

    /**
     * The module's service went away. If {@code awaitSuccessor} and no other version of it runs, its entry
     * stays in the chains as a vacancy (its runs wait for a successor; {@code entry.vacancy} is set) until
     * {@link #add} fills it or {@link #abandon} ends it; otherwise it leaves at once.
     */
    ModuleEntry remove(ServiceReference<MessageModule> ref, boolean awaitSuccessor) {
        ModuleEntry entry;
        synchronized (lock) {
            Long id = (Long) ref.getProperty(Constants.SERVICE_ID);
            entry = entries.get(id);
            // another version of the module already running (superseded until now) takes over at once
            boolean vacate = awaitSuccessor && entry != null && liveSiblingOf(entry) == null;
            if (entry != null) {
                if (vacate) {
                    entry.vacancy = new Vacancy();
                } else {
                    entries.remove(id);
                }
                publish();
            }
        }
        if (entry != null && entry.vacancy != null) {
            LOG.info("Module '{}' is away (its bundle {} is stopping or updating, or its component is re-created): "
                    + "its events wait up to {} ms for its successor", entry.name(), entry.bundle.getSymbolicName(),
                    entry.description.timeoutMillis());
        } else if (entry != null) {
            LOG.info("Module '{}' left the chain", entry.name());
        }
        return entry;
    }

    /** Ends {@code entry}'s vacancy if no successor filled it: it leaves the chains, waiting runs get its policy. */
    void abandon(ModuleEntry entry) {
        boolean left;
        synchronized (lock) {
            left = entry.vacancy != null && entries.remove(entry.serviceId, entry);
            if (left) {
                publish();
            }
        }
        if (left) {
            LOG.info("Module '{}' left the chain: no successor within its budget of {} ms", entry.name(),
                    entry.description.timeoutMillis());
            entry.vacancy.abandon();
        }
    }

    /** The tracked entry of {@code module} if it was registered by {@code bundle}, or null. */
    private ModuleEntry find(MessageModule module, Bundle bundle) {
        for (ModuleEntry e : chains.all()) {
            if (e.module == module && e.bundle.equals(bundle)) {
                return e;
            }
        }
        return null;
    }

    /** Records (or clears, with null) a problem a module reports about itself; false if it is not tracked. */
    public boolean reportProblem(Bundle bundle, MessageModule module, String problem) {
        ModuleEntry entry = find(module, bundle);
        if (entry == null) {
            return false;
        }
        entry.reportedProblem = problem;
        return true;
    }

    /**
     * Enables (and re-admits from quarantine) or disables the one module {@code selector} names ({@code name}
     * or {@code name@version}, see {@link ModuleSelector}); returns it.
     *
     * @throws IllegalArgumentException naming the candidates when there is none or more than one
     */
    public ModuleEntry setEnabled(String selector, boolean enabled) {
        synchronized (lock) {
            ModuleEntry chosen = ModuleSelector.select(selector, chains);
            chosen.enabled = enabled;
            switches.set(chosen.name(), enabled);
            if (enabled) {
                chosen.health.readmit();
            }
            publish();
            return chosen;
        }
    }

    /** Takes {@code entry} out of the chains for {@code reason}; false if it is gone or already in quarantine. */
    boolean quarantine(ModuleEntry entry, String reason) {
        synchronized (lock) {
            if (entries.get(entry.serviceId) != entry || !entry.health.quarantine(reason)) {
                return false;
            }
            publish();
            return true;
        }
    }

    private void publish() {
        chains = new Chains(entries.values());
    }
}
