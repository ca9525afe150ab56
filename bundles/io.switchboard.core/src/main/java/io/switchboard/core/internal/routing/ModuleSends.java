package io.switchboard.core.internal.routing;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Hop counts of recent module-sent messages, so an answer sent later on another thread (its
 * {@code refId} naming the message it answers) still counts its hops and loops stay bounded.
 * Not final only so that a test can delay {@link #remember} and prove when it must happen.
 */
public class ModuleSends {

    private static final int CAPACITY = 65_536;

    private final Map<Long, Integer> hops = new LinkedHashMap<>(1024, 0.75f, false) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, Integer> eldest) {
            return size() > CAPACITY;
        }
    };

    public synchronized void remember(long messageId, int hopCount) {
        hops.put(messageId, hopCount);
    }

    /** The hops of a module-sent message, or 0 for any other message. */
    public synchronized int hopsOf(long messageId) {
        Integer h = hops.get(messageId);
        return h == null ? 0 : h;
    }
}
