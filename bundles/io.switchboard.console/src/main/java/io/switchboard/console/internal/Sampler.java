package io.switchboard.console.internal;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.switchboard.api.admin.BrokerAdmin;
import io.switchboard.api.admin.BrokerStats;
import io.switchboard.api.admin.ChainEvent;
import io.switchboard.api.admin.ModuleCounters;
import io.switchboard.api.admin.ModuleInfo;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads {@link BrokerAdmin#stats()} and the modules' counters once a second into a ring of the last ten
 * minutes, so that the console's charts have history when a page is opened. Runs while the bundle does (the core
 * is optional: no samples while it is away); one daemon thread.
 */
@Component(service = Sampler.class, immediate = true)
public final class Sampler {

    static final long INTERVAL_MILLIS = 1000;
    static final int CAPACITY = 600;
    private static final Logger LOG = LoggerFactory.getLogger(Sampler.class);

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile BrokerAdmin admin;

    private final SampleRing ring = new SampleRing(CAPACITY);
    private ScheduledExecutorService timer;

    @Activate
    void activate() {
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "switchboard-console-sampler");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleAtFixedRate(this::sampleSafely, 0, INTERVAL_MILLIS, TimeUnit.MILLISECONDS);
    }

    @Deactivate
    void deactivate() {
        timer.shutdownNow();
    }

    /** The rates over the samples held now, oldest first. */
    List<History.Point> history() {
        return History.of(ring.snapshot());
    }

    private void sampleSafely() {
        BrokerAdmin a = admin;
        if (a == null) {
            return;
        }
        try {
            ring.add(sample(a, System.currentTimeMillis()));
        } catch (RuntimeException e) {
            LOG.warn("The console could not sample the broker's counters", e); // the next second tries again
        }
    }

    static Sample sample(BrokerAdmin admin, long now) {
        BrokerStats stats = admin.stats();
        Map<String, Sample.ModuleTotals> modules = new LinkedHashMap<>();
        for (ModuleInfo m : admin.modules()) {
            ModuleCounters c = m.counters();
            if (c != null) {
                modules.putIfAbsent(m.name(), new Sample.ModuleTotals(c.calls(), c.totalNanos()));
            }
        }
        Set<String> chain = new HashSet<>();
        for (ModuleInfo m : admin.chain(ChainEvent.MESSAGE)) {
            chain.add(m.name());
        }
        return new Sample(now, stats.published(), stats.deliveries(), modules, chain);
    }
}
