package io.switchboard.mqtt.internal.transport;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import io.switchboard.api.admin.BrokerAdmin;
import io.switchboard.api.admin.ChainEvent;
import io.switchboard.api.admin.ModuleInfo;

/**
 * The modules a listener requires before it lets clients in. Asked at each CONNECT (so a module that
 * leaves the broker closes the door at once): a module counts when the broker has it in a chain, i.e.
 * {@code ACTIVE} in {@code sb:modules} (not disabled by an operator or its configuration), under the name
 * {@code sb:modules} shows (for factory instances {@code name:instance}).
 *
 * <p>It reads the chains ({@link BrokerAdmin#chain}), which the broker keeps as ready snapshots, rather
 * than {@link BrokerAdmin#modules}, which also inspects the installed bundles for the inactive ones: a
 * CONNECT storm while a module is missing stays cheap.
 */
final class MandatoryModules {

    private final String listener;
    private final List<String> required;
    private final BrokerAdmin admin;

    MandatoryModules(String listener, List<String> required, BrokerAdmin admin) {
        this.listener = listener;
        this.required = List.copyOf(required);
        this.admin = admin;
    }

    List<String> required() {
        return required;
    }

    /**
     * {@code null} when every required module is active; otherwise the reason to refuse a client with,
     * naming the missing modules.
     */
    String missing() {
        if (required.isEmpty()) {
            return null;
        }
        Set<String> wanted = new HashSet<>(required);
        try {
            for (ChainEvent event : ChainEvent.values()) {
                for (ModuleInfo module : admin.chain(event)) {
                    wanted.remove(module.name());
                }
                if (wanted.isEmpty()) {
                    return null;
                }
            }
        } catch (RuntimeException e) { // the core is stopping: stay closed
            return "listener '" + listener + "' cannot check its mandatory modules " + required + ": " + e;
        }
        List<String> missing = new ArrayList<>(required);
        missing.retainAll(wanted);
        return "listener '" + listener + "' requires module" + (missing.size() == 1 ? " " : "s ")
                + String.join(", ", missing) + ", not active in the broker";
    }
}
