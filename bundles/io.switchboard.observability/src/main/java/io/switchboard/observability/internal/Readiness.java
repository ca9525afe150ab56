package io.switchboard.observability.internal;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.switchboard.api.admin.BrokerAdmin;
import io.switchboard.api.admin.ChainEvent;
import io.switchboard.api.admin.ModuleInfo;
import io.switchboard.store.StateStore;

/**
 * Whether the broker is ready to serve: the store has recovered (its service is up: it opens and reads back
 * its records before it registers), the core runs, every configured MQTT listener is bound, and every module a
 * listener requires is in a chain (as the listener itself checks at each CONNECT). What is not, in words.
 */
final class Readiness {

    /**
     * The outcome.
     *
     * @param missing what keeps the broker from being ready, one sentence each; empty when ready
     * @param listeners each listener's name and whether it listens
     */
    record Report(List<String> missing, Map<String, Boolean> listeners) {
        boolean ready() {
            return missing.isEmpty();
        }
    }

    private Readiness() {
    }

    static Report evaluate(StateStore store, BrokerAdmin admin, List<Listeners.Listener> listeners) {
        List<String> missing = new ArrayList<>();
        if (store == null) {
            missing.add("store: not open (no StateStore service; the log says why)");
        }
        if (admin == null) {
            missing.add("core: the broker core is not running (no BrokerAdmin service)");
        }
        Map<String, Boolean> listening = new LinkedHashMap<>();
        if (listeners.isEmpty()) {
            missing.add("listeners: no MQTT listener is configured (configadmin/io.switchboard.mqtt.listener-*.cfg)");
        }
        for (Listeners.Listener l : listeners) {
            listening.put(l.name(), l.listening());
            if (!l.listening()) {
                missing.add("listener '" + l.name() + "': not listening: " + l.problem());
            }
        }
        if (admin != null) {
            Set<String> active = activeModules(admin);
            for (Listeners.Listener l : listeners) {
                for (String module : l.mandatoryModules()) {
                    if (!active.contains(module)) {
                        missing.add("module '" + module + "': required by listener '" + l.name() + "', not active");
                    }
                }
            }
        }
        return new Report(List.copyOf(missing), listening);
    }

    /** The names of the modules in a chain: what the listeners' gate counts as active. */
    private static Set<String> activeModules(BrokerAdmin admin) {
        Set<String> names = new HashSet<>();
        for (ChainEvent event : ChainEvent.values()) {
            for (ModuleInfo module : admin.chain(event)) {
                names.add(module.name());
            }
        }
        return names;
    }
}
