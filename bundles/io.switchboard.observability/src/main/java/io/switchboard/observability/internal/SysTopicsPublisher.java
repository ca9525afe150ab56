package io.switchboard.observability.internal;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

import io.switchboard.api.admin.BrokerAdmin;
import io.switchboard.api.admin.SystemTopics;
import io.switchboard.api.admin.TrafficStatistics;
import io.switchboard.api.admin.TrafficStats;
import org.osgi.framework.Bundle;
import org.osgi.framework.FrameworkUtil;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes the broker's status as retained {@code $SYS/broker/...} messages every {@code sys.interval} seconds,
 * with Mosquitto's topic names and formats ({@link SysTree}): through the core's {@link SystemTopics}, so they
 * skip the message chain, and each subscriber receives them as the delivery chain (the ACLs) allows. As Mosquitto
 * does, the first publication sends every topic and later ones only the topics whose value changed. Configured by
 * PID {@value #PID}; a change applies at once.
 */
@Component(configurationPid = SysTopicsPublisher.PID, service = {}, immediate = true)
@Designate(ocd = SysConfig.class)
public final class SysTopicsPublisher {

    /** The configuration PID: {@code configadmin/io.switchboard.sys.cfg}. */
    static final String PID = "io.switchboard.sys";

    private static final Logger LOG = LoggerFactory.getLogger(SysTopicsPublisher.class);

    @Reference
    SystemTopics topics;
    @Reference
    BrokerAdmin admin;
    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    volatile List<TrafficStatistics> frontDoors = List.of();

    /** The JVM's heap in use, in bytes. */
    LongSupplier heapUsed = () -> ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    LongSupplier nanoTime = System::nanoTime;

    private SysTree tree;
    /** What each topic was last published with. */
    private final Map<String, String> published = new HashMap<>();
    private long lastNanos;
    private ScheduledExecutorService timer;
    private ScheduledFuture<?> task;
    private long intervalSeconds;

    @Activate
    void activate(SysConfig config) {
        Bundle core = FrameworkUtil.getBundle(topics.getClass());
        tree = new SysTree("switchboard version " + (core == null ? "unknown" : core.getVersion()));
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "switchboard-sys");
            t.setDaemon(true);
            return t;
        });
        schedule(check(config.sys_interval()));
    }

    @Modified
    void modified(SysConfig config) {
        try {
            schedule(check(config.sys_interval()));
        } catch (IllegalArgumentException e) {
            LOG.error("{}: configuration rejected, keeping sys.interval = {}: {}", PID, intervalSeconds, e.getMessage());
        }
    }

    @Deactivate
    void deactivate() {
        timer.shutdownNow();
    }

    private static long check(long seconds) {
        if (seconds < 0) {
            throw new IllegalArgumentException(PID + ": sys.interval must be 0 (off) or a number of seconds, was " + seconds);
        }
        return seconds;
    }

    private synchronized void schedule(long seconds) {
        if (task != null && seconds == intervalSeconds) {
            return;
        }
        if (task != null) {
            task.cancel(false);
            task = null;
        }
        intervalSeconds = seconds;
        if (seconds == 0) {
            LOG.info("$SYS topics off (sys.interval = 0)");
            return;
        }
        task = timer.scheduleAtFixedRate(this::publishQuietly, 0, seconds, TimeUnit.SECONDS);
        LOG.info("$SYS topics published every {} s", seconds);
    }

    private void publishQuietly() {
        try {
            publish();
        } catch (RuntimeException e) {
            LOG.warn("$SYS topics: publication failed, trying again in {} s", intervalSeconds, e);
        }
    }

    /** One publication: every topic whose value changed since the last (all of them the first time). */
    synchronized void publish() {
        long now = nanoTime.getAsLong();
        double seconds = lastNanos == 0 ? 0 : (now - lastNanos) / 1e9;
        lastNanos = now;
        List<TrafficStats> traffic = new ArrayList<>();
        for (TrafficStatistics frontDoor : frontDoors) {
            traffic.add(frontDoor.traffic());
        }
        Map<String, String> values = tree.values(admin.stats(), traffic, heapUsed.getAsLong(), seconds);
        for (Map.Entry<String, String> v : values.entrySet()) {
            if (!v.getValue().equals(published.get(v.getKey()))) {
                topics.publish(SysTree.BROKER + v.getKey(), v.getValue().getBytes(StandardCharsets.UTF_8));
                published.put(v.getKey(), v.getValue());
            }
        }
    }
}
