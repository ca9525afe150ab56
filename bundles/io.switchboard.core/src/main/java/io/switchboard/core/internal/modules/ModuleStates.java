package io.switchboard.core.internal.modules;

import java.util.concurrent.ConcurrentHashMap;

import io.switchboard.api.MessageModule;

/** What each module keeps on a session or a worker, keyed by the module so modules never share it. */
public final class ModuleStates {

    private final ConcurrentHashMap<MessageModule, Object> states = new ConcurrentHashMap<>();

    public <T> T get(MessageModule owner, Class<T> type) {
        Object state = states.get(owner);
        return type.isInstance(state) ? type.cast(state) : null;
    }

    public void set(MessageModule owner, Object state) {
        if (state == null) {
            states.remove(owner);
        } else {
            states.put(owner, state);
        }
    }
}
