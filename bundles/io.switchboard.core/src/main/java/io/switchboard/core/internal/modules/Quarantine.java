package io.switchboard.core.internal.modules;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

import io.switchboard.core.internal.CoreConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes modules that keep failing out of the chains, and bounds the worker threads abandoned to blocked
 * module calls. A module whose calls fail or run late {@code quarantine.failures} times within
 * {@code quarantine.window} is quarantined: out of every chain until an operator enables it again
 * ({@code sb:enable}), so it no longer costs each message its time budget. The watchdog abandons a thread
 * only while fewer than {@code max.abandoned.threads} are abandoned; at the limit the module that blocks is
 * quarantined instead and its worker waits for the call to return.
 */
public final class Quarantine {

    private static final Logger LOG = LoggerFactory.getLogger(Quarantine.class);

    /** The core configuration's quarantine settings, checked once per change. */
    public record Settings(int failures, long windowMillis, int abandonedThreadLimit) {

        public static Settings of(CoreConfig config) {
            return new Settings(atLeast(0, config.quarantine_failures(), "quarantine.failures"),
                    atLeast(1, config.quarantine_window(), "quarantine.window"),
                    atLeast(0, config.max_abandoned_threads(), "max.abandoned.threads"));
        }

        private static int atLeast(int min, int value, String property) {
            return (int) atLeast(min, (long) value, property);
        }

        private static long atLeast(long min, long value, String property) {
            if (value < min) {
                LOG.warn("{} must be at least {}, was {} (using {})", property, min, value, min);
                return min;
            }
            return value;
        }
    }

    private final ModuleRegistry registry;
    /** Epoch milliseconds (the window and the last error's time); injected so tests can move it. */
    private final LongSupplier clock;
    private final AtomicInteger abandonedThreads = new AtomicInteger();
    private volatile Settings settings;

    public Quarantine(ModuleRegistry registry, LongSupplier clock, Settings settings) {
        this.registry = registry;
        this.clock = clock;
        this.settings = settings;
    }

    public void configure(Settings changed) {
        settings = changed;
    }

    /**
     * Counts a failure or timeout of {@code entry} ({@code what} says which, as its policy saw it) and
     * quarantines the module when it is one too many within the window.
     */
    void lapsed(ModuleEntry entry, String what) {
        Settings s = settings;
        int recent = entry.health.record(what, clock.getAsLong(), s.failures(), s.windowMillis());
        if (s.failures() > 0 && recent >= s.failures()
                && registry.quarantine(entry, recent + " failures or timeouts within " + s.windowMillis() + " ms, the last: " + what)) {
            LOG.warn("Module '{}' quarantined: {} failures or timeouts within {} ms (the last: {}); it stays out of the "
                    + "chain until 'sb:enable {}'", entry.name(), recent, s.windowMillis(), what, entry.name());
        }
    }

    /**
     * Whether the watchdog may abandon a worker thread that {@code entry} blocks; if so the thread is
     * counted until {@link #abandonedThreadEnded()}. At the limit {@code entry} is quarantined instead.
     */
    public boolean reserveAbandonedThread(ModuleEntry entry) {
        int limit = settings.abandonedThreadLimit();
        for (int n = abandonedThreads.get(); n < limit; n = abandonedThreads.get()) {
            if (abandonedThreads.compareAndSet(n, n + 1)) {
                return true;
            }
        }
        if (registry.quarantine(entry, "blocked a worker past its time budget while " + limit
                + " worker threads were already abandoned to blocked calls (max.abandoned.threads); its worker waits for it")) {
            LOG.warn("Module '{}' quarantined: it blocks a worker past its time budget and {} threads are already "
                    + "abandoned (max.abandoned.threads), so its worker waits for it; 'sb:enable {}' re-admits it",
                    entry.name(), limit, entry.name());
        }
        return false;
    }

    /** An abandoned thread ended (its blocked call returned), or a reservation went unused. */
    public void abandonedThreadEnded() {
        abandonedThreads.decrementAndGet();
    }

    public int abandonedThreads() {
        return abandonedThreads.get();
    }

    public int abandonedThreadLimit() {
        return settings.abandonedThreadLimit();
    }
}
