package io.switchboard.store.internal;

import java.io.File;
import java.nio.file.Path;
import java.util.concurrent.CompletionStage;
import java.util.function.BiConsumer;

import io.switchboard.store.StateStore;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Offers the {@link StateStore}: H2's MVStore in {@code data/store/switchboard.mv.db} by default (the
 * engine was chosen by measurement, see docs/store.md), or nothing durable with {@code persistence =
 * false}. A store that cannot be opened fails the activation with a message naming the file and what to
 * do; the broker's core and front door require the store, so nothing accepts clients then.
 */
@Component(service = StateStore.class, configurationPid = StoreComponent.PID, immediate = true)
@Designate(ocd = StoreConfig.class)
public final class StoreComponent implements StateStore {

    /** The configuration PID. */
    public static final String PID = "io.switchboard.store";
    /** The store's file name inside its directory. */
    static final String FILE = "switchboard.mv.db";

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
        Path file = directory(context, config).resolve(FILE);
        long start = System.nanoTime();
        try {
            durable = new GroupCommit(new MvStoreEngine(file), fsync, System::currentTimeMillis);
        } catch (StoreOpenException e) {
            LOG.error("Store: {}", e.getMessage());
            throw e;
        }
        delegate = durable;
        LOG.info("Store opened: {} ({} KiB, sync={}, {} ms)", file, durable.diskBytes() / 1024, config.sync(),
                (System.nanoTime() - start) / 1_000_000);
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
    public void read(String space, BiConsumer<String, byte[]> each) {
        delegate.read(space, each);
    }

    @Override
    public void put(String space, String key, byte[] value) {
        delegate.put(space, key, value);
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
