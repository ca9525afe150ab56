package io.switchboard.mqtt.internal;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * The MQTT connections open on one listener, or on the whole broker, with a ceiling: a connection takes
 * a place when its CONNECT is handled and gives it back when it closes. The ceiling is passed with each
 * attempt, so a configuration change applies to the next CONNECT without losing the count of the
 * connections already open. Thread safe.
 */
public final class ConnectionCount {

    /** A ceiling meaning "no limit". */
    public static final int UNLIMITED = 0;

    private final AtomicInteger open = new AtomicInteger();

    /** Takes a place unless {@code max} connections ({@link #UNLIMITED}: no limit) are open already; whether it did. */
    public boolean tryTake(int max) {
        while (true) {
            int now = open.get();
            if (max != UNLIMITED && now >= max) {
                return false;
            }
            if (open.compareAndSet(now, now + 1)) {
                return true;
            }
        }
    }

    /** Gives back a place taken with {@link #tryTake}; call exactly once per place taken. */
    public void giveBack() {
        open.decrementAndGet();
    }

    /** The places taken now. */
    public int open() {
        return open.get();
    }
}
