package io.switchboard.core.internal;

import java.util.LinkedHashMap;
import java.util.Map;

import io.switchboard.api.MessageModule;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The whiteboard of {@link MessageModule} services. Changes happen under one lock and publish a new
 * {@link Chains} snapshot; readers on the message path only read the volatile snapshot.
 */
final class ModuleRegistry {

    private static final Logger LOG = LoggerFactory.getLogger(ModuleRegistry.class);

    private final Object lock = new Object();
    private final Map<Long, ModuleEntry> entries = new LinkedHashMap<>();
    private volatile Chains chains = Chains.EMPTY;

    Chains chains() {
        return chains;
    }

    ModuleEntry add(ServiceReference<MessageModule> ref, MessageModule module) {
        ModuleEntry entry = new ModuleEntry(ref, module);
        synchronized (lock) {
            entries.put(entry.serviceId, entry);
            publish();
        }
        LOG.info("Module '{}' joined the chain (ranking {}, bundle {} {}, events {})", entry.name(), entry.ranking(),
                entry.bundle.getSymbolicName(), entry.bundle.getVersion(), entry.events);
        entry.description.problems().forEach(p -> LOG.warn("Module '{}': {}", entry.name(), p));
        return entry;
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

    ModuleEntry remove(ServiceReference<MessageModule> ref) {
        ModuleEntry entry;
        synchronized (lock) {
            entry = entries.remove((Long) ref.getProperty(Constants.SERVICE_ID));
            if (entry != null) {
                publish();
            }
        }
        if (entry != null) {
            LOG.info("Module '{}' left the chain", entry.name());
        }
        return entry;
    }

    /** The tracked entry of {@code module} if it was registered by {@code bundle}, or null. */
    ModuleEntry find(MessageModule module, org.osgi.framework.Bundle bundle) {
        for (ModuleEntry e : chains.all()) {
            if (e.module == module && e.bundle.equals(bundle)) {
                return e;
            }
        }
        return null;
    }

    /** Enables or disables every module called {@code name}; returns how many there were. */
    int setEnabled(String name, boolean enabled) {
        int found = 0;
        synchronized (lock) {
            for (ModuleEntry e : entries.values()) {
                if (e.name().equals(name)) {
                    e.enabled = enabled;
                    found++;
                }
            }
            if (found > 0) {
                publish();
            }
        }
        return found;
    }

    private void publish() {
        chains = new Chains(entries.values());
    }
}
