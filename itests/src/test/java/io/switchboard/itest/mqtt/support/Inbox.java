package io.switchboard.itest.mqtt.support;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** What a client received, in arrival order; read with bounded waits. */
public final class Inbox<T> {

    /** The default bound for a message to arrive. */
    public static final Duration WAIT = Duration.ofSeconds(10);

    private final String owner;
    private final BlockingQueue<T> queue = new LinkedBlockingQueue<>();

    public Inbox(String owner) {
        this.owner = owner;
    }

    /** Called by the client's callback. */
    public void add(T item) {
        queue.add(item);
    }

    /** The next item within {@link #WAIT}; fails if none arrives. */
    public T next() {
        return next(WAIT);
    }

    /** The next item within {@code timeout}; fails if none arrives. */
    public T next(Duration timeout) {
        try {
            T item = queue.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
            if (item == null) {
                throw new AssertionError(owner + " received nothing within " + timeout.toMillis() + " ms");
            }
            return item;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** The next {@code n} items, each within {@link #WAIT}. */
    public List<T> next(int n) {
        List<T> items = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            try {
                items.add(next());
            } catch (AssertionError e) {
                throw new AssertionError(owner + " received " + i + " of " + n + " within " + WAIT.toMillis() + " ms each: " + items, e);
            }
        }
        return items;
    }

    /** Fails if anything arrives within {@code window} (a bounded wait for an absence). */
    public void expectNothing(Duration window) {
        try {
            T item = queue.poll(window.toNanos(), TimeUnit.NANOSECONDS);
            if (item != null) {
                throw new AssertionError(owner + " expected nothing within " + window.toMillis() + " ms, but received " + item);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Whatever has arrived so far, removed from the inbox. */
    public List<T> drain() {
        List<T> items = new ArrayList<>();
        queue.drainTo(items);
        return items;
    }
}
