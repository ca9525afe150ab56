package io.switchboard.testkit;

import java.util.IdentityHashMap;
import java.util.Map;

import io.switchboard.api.MessageModule;

/** Per-module state of a session or worker double, keyed by module identity as the broker keys it. */
final class StateMap {

    private final Map<MessageModule, Object> states = new IdentityHashMap<>();

    synchronized <T> T get(MessageModule owner, Class<T> type) {
        Object state = states.get(owner);
        return type.isInstance(state) ? type.cast(state) : null;
    }

    synchronized void set(MessageModule owner, Object state) {
        if (state == null) {
            states.remove(owner);
        } else {
            states.put(owner, state);
        }
    }

    synchronized int size() {
        return states.size();
    }
}
