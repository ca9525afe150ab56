package io.switchboard.module.msgid.internal;

import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.switchboard.api.ConfigReader;
import io.switchboard.api.MessageIdGenerator;

/**
 * The broker's message ids, Snowflake-like ({@link IdLayout}): milliseconds since 2024, a node id, a
 * sequence. An exactly-one hook: the core takes the highest-ranked {@link MessageIdGenerator} (then the
 * lowest service id) and {@code sb:stats} names it under "message ids".
 *
 * <p>{@link #nextId()} is lock-free (one compare-and-set on the last id) and never waits:
 * <ul>
 * <li>Within one millisecond the sequence counts up; past 4095 the id borrows the next millisecond
 * instead of waiting for it, so under a burst the ids' time runs slightly ahead of the clock and catches
 * up when the burst ends.</li>
 * <li>If the clock goes back (an NTP step), ids go on from the last id's time, never repeating or
 * decreasing; a WARN says so (at most every 10 s).</li>
 * <li>A node id change applies to the next id, which is later than every id made before, on any node.</li>
 * </ul>
 * Configured optionally by PID {@value #PID} ({@code node.id}, {@code service.ranking}): deploying the
 * jar is enough to use it with node 0.
 */
@Component(
        name = SnowflakeIds.PID,
        configurationPid = SnowflakeIds.PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL,
        service = {MessageIdGenerator.class, SnowflakeIds.class})
@Designate(ocd = MsgIdConfig.class)
public final class SnowflakeIds implements MessageIdGenerator {

    /** The configuration PID. */
    static final String PID = "io.switchboard.module.msgid";
    /** The name its configuration problems are reported under. */
    static final String NAME = "msgid";
    private static final long WARN_INTERVAL_NANOS = 10_000_000_000L;
    private static final Logger LOG = LoggerFactory.getLogger(SnowflakeIds.class);

    private final LongSupplier clock;
    /** The last id made; its node bits are the current node's (see {@link #setNode}). */
    private final AtomicLong last = new AtomicLong();
    private volatile int node;
    private final LongAdder generated = new LongAdder();
    private final LongAdder borrowed = new LongAdder();
    private final LongAdder clockWentBack = new LongAdder();
    /** The highest clock reading so far (ms since the epoch of the layout), to tell a clock step back from a borrowed millisecond. */
    private final AtomicLong highestClock = new AtomicLong(Long.MIN_VALUE);
    private volatile long lastWarn = System.nanoTime() - WARN_INTERVAL_NANOS;

    /** Instantiated by DS: the system clock. */
    public SnowflakeIds() {
        this(System::currentTimeMillis);
    }

    /** For tests: a clock in milliseconds since the Unix epoch. */
    SnowflakeIds(LongSupplier clock) {
        this.clock = clock;
        last.set(IdLayout.encode(0, 0, 0));
    }

    /**
     * Activated: takes the node id.
     *
     * @throws IllegalArgumentException {@code "msgid: invalid configuration: node.id: ..."} for a bad value
     */
    @Activate
    void activate(Map<String, Object> properties, MsgIdConfig config) {
        int checked;
        try {
            checked = checkedNode(properties, config);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(NAME + ": invalid configuration: " + e.getMessage(), e);
        }
        setNode(checked);
        LOG.info("Message ids: node {} (ids count milliseconds since {})", node, IdLayout.EPOCH);
    }

    /** A new node id applies to the next id; a bad configuration is logged and the current node stays. */
    @Modified
    void modified(Map<String, Object> properties, MsgIdConfig config) {
        int newNode;
        try {
            newNode = checkedNode(properties, config);
        } catch (IllegalArgumentException e) {
            LOG.error("{}: configuration rejected, keeping the last good one (node {}): {}", NAME, node, e.getMessage());
            return;
        }
        if (newNode != node) {
            setNode(newNode);
            LOG.info("Message ids: now node {}", newNode);
        }
    }

    @Deactivate
    void deactivate() {
        LOG.info("Message ids: node {} stopped after {} ids ({} borrowed a millisecond, the clock went back {} times)",
                node, generated.sum(), borrowed.sum(), clockWentBack.sum());
    }

    @Override
    public long nextId() {
        long high = highestClock.get(); // read before the clock: a later reading below it means the clock went back
        long now = clock.getAsLong() - IdLayout.EPOCH_MILLIS;
        if (now > high) {
            highestClock.accumulateAndGet(now, Math::max); // once per millisecond
        } else if (now < high) {
            clockWentBack(high - now);
        }
        while (true) {
            long previous = last.get();
            long previousTime = IdLayout.time(previous);
            long next;
            if (now > previousTime) {
                next = IdLayout.encode(checkedTime(now), IdLayout.node(previous), 0);
            } else if (IdLayout.sequence(previous) < IdLayout.MAX_SEQUENCE) {
                next = previous + 1; // same millisecond (or the clock is behind): next sequence
            } else {
                next = IdLayout.encode(checkedTime(previousTime + 1), IdLayout.node(previous), 0); // borrow a millisecond
            }
            if (last.compareAndSet(previous, next)) {
                generated.increment();
                if (IdLayout.time(next) > Math.max(now, previousTime)) {
                    borrowed.increment();
                }
                return next;
            }
        }
    }

    /** The node id now in use. */
    int node() {
        return node;
    }

    long generated() {
        return generated.sum();
    }

    long borrowed() {
        return borrowed.sum();
    }

    long clockWentBack() {
        return clockWentBack.sum();
    }

    /** Switches to {@code newNode}: the next id is later than any made so far. */
    void setNode(int newNode) {
        while (true) {
            long previous = last.get();
            long time = Math.max(IdLayout.time(previous) + 1, clock.getAsLong() - IdLayout.EPOCH_MILLIS);
            // a later millisecond than any id made so far; the next id is its sequence 1 (or a later millisecond)
            long switched = IdLayout.encode(checkedTime(time), newNode, 0);
            if (last.compareAndSet(previous, switched)) {
                node = newNode;
                return;
            }
        }
    }

    /** The id in words: time, node, sequence. */
    static String describe(long id) {
        IdLayout.Decoded d = IdLayout.decode(id);
        return "id " + id + ": time " + d.time() + ", node " + d.node() + ", sequence " + d.sequence();
    }

    private void clockWentBack(long byMillis) {
        clockWentBack.increment();
        long now = System.nanoTime();
        if (now - lastWarn >= WARN_INTERVAL_NANOS) {
            lastWarn = now;
            LOG.warn("Message ids: the clock went back by {} ms; ids go on from the last id's time", byMillis);
        }
    }

    private static long checkedTime(long time) {
        if (time > IdLayout.MAX_TIME) {
            throw new IllegalStateException("message id time overflow: the 41-bit clock since " + IdLayout.EPOCH + " is exhausted");
        }
        return Math.max(time, 0);
    }

    /** The node id, read with every other attribute up front. */
    private static int checkedNode(Map<String, ?> properties, MsgIdConfig config) {
        ConfigReader in = ConfigReader.of(properties);
        int node = in.integer("node.id", config::node_id, 0, IdLayout.MAX_NODE);
        // the broker reads the ranking from the service properties; checked here so that a bad one is refused too
        in.integer("service.ranking", config::service_ranking, Integer.MIN_VALUE, Integer.MAX_VALUE);
        return node;
    }
}
