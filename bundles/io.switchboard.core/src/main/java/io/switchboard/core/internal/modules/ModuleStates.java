package io.switchboard.core.internal.modules;

import java.util.concurrent.ConcurrentHashMap;

import io.switchboard.api.MessageModule;

/**
 * What each module keeps on a session or a worker, keyed by the module so modules never share it. The map is made
 * when a module first keeps something: most sessions of an idle broker have none.
 */
public final class ModuleStates {

    private volatile ConcurrentHashMap<MessageModule, Object> states;

    public <T> T get(MessageModule owner, Class<T> type) {
        ConcurrentHashMap<MessageModule, Object> map = states;
        Object state = map == null ? null : map.get(owner);
        return type.isInstance(state) ? type.cast(state) : null;
    }

    public void set(MessageModule owner, Object state) {
        if (state == null) {
            ConcurrentHashMap<MessageModule, Object> map = states;
            if (map != null) {
                map.remove(owner);
            }
        } else {
            map().put(owner, state);
        }
    }

    private ConcurrentHashMap<MessageModule, Object> map() {
        ConcurrentHashMap<MessageModule, Object> map = states;
        if (map == null) {
            synchronized (this) {
                map = states;
                if (map == null) {
                    map = new ConcurrentHashMap<>();
                    states = map;
                }
            }
        }
        return map;
    }
}
