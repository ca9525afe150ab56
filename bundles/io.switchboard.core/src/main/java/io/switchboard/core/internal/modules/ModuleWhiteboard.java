package io.switchboard.core.internal.modules;

import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;

import io.switchboard.api.MessageModule;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.util.tracker.ServiceTracker;

/**
 * The whiteboard of {@link MessageModule} services: tracks them into the {@link ModuleRegistry} and tells the
 * rest of the core when one joins or leaves. A module going away while a successor is expected (see
 * {@link Departures}) holds its place as a {@link Vacancy} for up to its time budget.
 */
public final class ModuleWhiteboard {

    private final ModuleRegistry registry;
    private final Supplier<ConfigurationAdmin> configAdmin;
    private final ScheduledExecutorService timer;
    private final Consumer<ModuleEntry> joined;
    private final Consumer<ModuleEntry> left;
    private volatile boolean closing;
    private ServiceTracker<MessageModule, MessageModule> tracker;

    /**
     * @param configAdmin the current Configuration Admin, or null while there is none
     * @param joined called when a module was added, before it fills a vacancy (so held runs resume behind it)
     * @param left called when a module left or became a vacancy
     */
    public ModuleWhiteboard(ModuleRegistry registry, Supplier<ConfigurationAdmin> configAdmin, ScheduledExecutorService timer,
            Consumer<ModuleEntry> joined, Consumer<ModuleEntry> left) {
        this.registry = registry;
        this.configAdmin = configAdmin;
        this.timer = timer;
        this.joined = joined;
        this.left = left;
    }

    /**
     * Tracks the modules with a ServiceTracker rather than a DS reference: when a module component failed
     * to activate (bad configuration) and its configuration is then fixed, the registration's MODIFIED
     * event makes the tracker ask for the service again, which activates it. A DS reference would not
     * retry, leaving the fixed module out of the chain.
     */
    public void open(BundleContext context) {
        // the callbacks name ModuleWhiteboard.this: inside the tracker, remove(ref) would be ServiceTracker.remove
        tracker = new ServiceTracker<>(context, MessageModule.class, null) {
            @Override
            public MessageModule addingService(ServiceReference<MessageModule> ref) {
                MessageModule module = context.getService(ref);
                if (module != null) {
                    ModuleWhiteboard.this.add(ref, module);
                }
                return module; // null: not tracked now, tried again on the next MODIFIED event
            }

            @Override
            public void modifiedService(ServiceReference<MessageModule> ref, MessageModule module) {
                ModuleWhiteboard.this.modified(ref);
            }

            @Override
            public void removedService(ServiceReference<MessageModule> ref, MessageModule module) {
                ModuleWhiteboard.this.remove(ref);
                context.ungetService(ref);
            }
        };
        tracker.open();
    }

    /** Stops tracking; the modules leave with the core, so none waits for a successor. */
    public void close() {
        closing = true;
        tracker.close();
    }

    public void add(ServiceReference<MessageModule> ref, MessageModule module) {
        ModuleRegistry.Added added = registry.add(ref, module);
        joined.accept(added.entry());
        if (added.filled() != null) {
            // after the joins were queued: held runs resume behind them, on the same workers
            added.filled().filledBy(added.entry());
        }
    }

    public void modified(ServiceReference<MessageModule> ref) {
        registry.modified(ref);
    }

    public void remove(ServiceReference<MessageModule> ref) {
        boolean awaitSuccessor = !closing && Departures.successorExpected(ref, configAdmin.get());
        ModuleEntry entry = registry.remove(ref, awaitSuccessor);
        if (entry == null) {
            return;
        }
        if (entry.vacancy != null) {
            timer.schedule(() -> registry.abandon(entry), entry.description.timeoutMillis(), TimeUnit.MILLISECONDS);
        }
        left.accept(entry);
    }
}
