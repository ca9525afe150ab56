package io.switchboard.store.internal;

import java.io.File;
import java.nio.file.Path;
import java.util.concurrent.CompletionStage;
import java.util.function.BiConsumer;
import java.util.function.Supplier;

import io.switchboard.store.StateStore;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Offers the {@link StateStore}: RocksDB in {@code data/store/} by default (the engine chosen by
 * measurement, docs/store.md), or nothing durable with {@code persistence = false}. A store that cannot
 * be opened fails the activation with a message naming the directory and what to do; the broker's core
 * and front door require the store, so nothing accepts clients then.
 */
@Component(service = StateStore.class, configurationPid = StoreComponent.PID, immediate = true)
@Designate(ocd = StoreConfig.class)
public final class StoreComponent implements StateStore {

    /** The configuration PID. */
    public static final String PID = "io.switchboard.store";
    /** Set when the broker must not run; the launcher exits with its value. */
    static final String FATAL_PROPERTY = "switchboard.fatal";

    private static final Logger LOG = LoggerFactory.getLogger(StoreComponent.class);

    private final StateStore delegate;
    private final GroupCommit durable;

    @Activate
    public StoreComponent(BundleContext context, StoreConfig config) {
        boolean fsync = switch (config.sync()) {
            case "os" -> false;
            case "fsync" -> true;
            default -> throw new IllegalArgumentException(PID + ": sync must be 'os' or 'fsync', was '" + config.sync() + "'");
        };
        if (!config.persistence()) {
            LOG.warn("Store: persistence is off (persistence=false): sessions, queued and retained messages are lost at every stop");
            durable = null;
            delegate = new TransientStore();
            return;
        }
        Path dir = directory(context, config);
        long start = System.nanoTime();
        try {
            RocksDbEngine engine = new RocksDbEngine(dir);
            durable = new GroupCommit(engine, fsync, System::currentTimeMillis, (System.nanoTime() - start) / 1_000_000);
        } catch (StoreOpenException e) {
            LOG.error("Store: {}", e.getMessage());
            stopTheBroker(context, e.getMessage());
            throw e;
        }
        delegate = durable;
        Status status = durable.status();
        LOG.info("Store opened: {} ({} KiB, sync={}, {} ms)", dir, status.diskBytes() / 1024, config.sync(),
                status.openMillis());
    }

    /**
     * In the distribution, a broker without its state must not serve clients (it would answer persistent
     * clients with empty sessions and then overwrite what it could not read): the framework stops and
     * the launcher exits with status 1, printing {@code reason} (left in the system property
     * {@value #FATAL_PROPERTY}, which the launcher reads).
     */
    private static void stopTheBroker(BundleContext context, String reason) {
        if (context.getProperty("switchboard.home") == null) {
            return; // embedded elsewhere (tests): the failed component says enough
        }
        if (System.getProperty(FATAL_PROPERTY) != null) {
            return; // DS tried again: the framework is stopping already
        }
        System.setProperty(FATAL_PROPERTY, reason);
        Thread stopper = new Thread(() -> {
            try {
                context.getBundle(0).stop();
            } catch (org.osgi.framework.BundleException | IllegalStateException e) {
                LOG.error("Store: could not stop the framework: {}", e.toString());
            }
        }, "switchboard-store-failed");
        stopper.start();
    }

    private static Path directory(BundleContext context, StoreConfig config) {
        if (!config.directory().isBlank()) {
            return Path.of(config.directory());
        }
        String home = context.getProperty("switchboard.home");
        if (home != null) {
            return Path.of(home, "data", "store");
        }
        File own = context.getDataFile("store");
        if (own == null) {
            throw new IllegalStateException(PID + ": no directory configured, no switchboard.home and no bundle data area");
        }
        return own.toPath();
    }

    @Deactivate
    void deactivate() {
        if (durable != null) {
            durable.close();
            LOG.info("Store closed after {} batches", durable.batches());
        }
    }

    @Override
    public long previousRunAlive() {
        return delegate.previousRunAlive();
    }

    @Override
    public boolean durable() {
        return delegate.durable();
    }

    @Override
    public Status status() {
        return delegate.status();
    }

    @Override
    public void read(String space, BiConsumer<String, byte[]> each) {
        delegate.read(space, each);
    }

    @Override
    public void put(String space, String key, byte[] value) {
        delegate.put(space, key, value);
    }

    @Override
    public void insert(String space, String key, Supplier<byte[]> value) {
        delegate.insert(space, key, value);
    }

    @Override
    public void delete(String space, String key) {
        delegate.delete(space, key);
    }

    @Override
    public void deletePrefix(String space, String keyPrefix) {
        delegate.deletePrefix(space, keyPrefix);
    }

    @Override
    public CompletionStage<Void> written() {
        return delegate.written();
    }
}
