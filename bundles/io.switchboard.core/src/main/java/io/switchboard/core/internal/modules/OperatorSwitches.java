package io.switchboard.core.internal.modules;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import io.switchboard.store.MemoryStateStore;
import io.switchboard.store.StateStore;

/**
 * The modules an operator disabled with {@code sb:disable}, by module name, kept in the store (space
 * {@value #SPACE}) so that they stay disabled across a restart and across updates of the module, until
 * {@code sb:enable}.
 */
public final class OperatorSwitches {

    static final String SPACE = "modules.disabled";

    private final StateStore store;
    private final Set<String> disabled = ConcurrentHashMap.newKeySet();

    public OperatorSwitches(StateStore store) {
        this.store = store;
        store.read(SPACE, (name, unused) -> disabled.add(name));
    }

    /** Switches kept in memory only (a registry used before, or without, a store). */
    static OperatorSwitches none() {
        return new OperatorSwitches(new MemoryStateStore());
    }

    boolean isDisabled(String moduleName) {
        return disabled.contains(moduleName);
    }

    void set(String moduleName, boolean enabled) {
        boolean changed = enabled ? disabled.remove(moduleName) : disabled.add(moduleName);
        if (changed) {
            if (enabled) {
                store.delete(SPACE, moduleName);
            } else {
                store.put(SPACE, moduleName, new byte[0]);
            }
        }
    }
}
