package io.switchboard.module.audit.internal;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import org.apache.felix.scr.component.ExtComponentContext;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.ComponentContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;

import io.switchboard.api.Decision;
import io.switchboard.api.FailurePolicy;
import io.switchboard.api.HostServices;
import io.switchboard.api.Maturity;
import io.switchboard.api.Message;
import io.switchboard.api.MessageModule;
import io.switchboard.api.MessageStatus;
import io.switchboard.api.ModuleProperties;
import io.switchboard.api.ModuleType;
import io.switchboard.api.Session;
import io.switchboard.api.SwitchboardModule;
import io.switchboard.api.Verdict;
import io.switchboard.module.audit.internal.AuditEntry.MessageEntry;
import io.switchboard.module.audit.internal.AuditEntry.StatusEntry;
import io.switchboard.module.audit.internal.AuditSettings.Event;

/**
 * The audit log: a MONITOR that writes one JSON line per published message ({@link #onMessage}, which
 * always passes), per decision a module made with a reason ({@link #onDecision}) and, opt-in, per message
 * status event ({@link #onStatus}) to a rotating file.
 *
 * <p>What it shows module authors:
 * <ul>
 * <li>Never block a broker thread: the callbacks only add a small immutable entry to a bounded queue
 * ({@link AuditQueue}); the module's own thread ({@link AuditWriter}) formats and writes in batches.</li>
 * <li>Back-pressure without blocking: when the queue is full, {@link #onMessage} returns
 * {@link Verdict#later} with a stage that passes once the line is queued. Only that publisher waits (the core
 * holds its later steps and stops reading its connection); other publishers on the same worker go on. So an
 * audit log under a flood faster than its disk slows the publishers it audits instead of losing their lines
 * ({@code overflow = wait}, the default). Observations (decisions, statuses) cannot wait: they may take the
 * queue to twice its size, which holds back the next message of every publisher; only beyond that are they
 * dropped, counted and reported (WARN, {@code audit:stats}).</li>
 * <li>Lifecycle: the writer thread starts in {@code @Activate}, follows {@code @Modified} settings
 * between two lines, and {@code @Deactivate} writes what is queued, flushes and closes.</li>
 * <li>A configuration whose file cannot be written keeps the module running: the problem is reported
 * through {@link HostServices#reportProblem} (shown by {@code sb:modules}) and cleared when writing works.</li>
 * <li>A Gogo command of its own ({@link AuditCommands}, {@code audit:stats}).</li>
 * </ul>
 */
@Component(
        name = AuditModule.PID,
        configurationPid = AuditModule.PID,
        configurationPolicy = ConfigurationPolicy.REQUIRE, // audit logs hold payloads: only when configured
        immediate = true,
        service = {MessageModule.class, AuditModule.class})
@Designate(ocd = AuditConfig.class)
@SwitchboardModule(
        name = AuditModule.NAME,
        type = ModuleType.MONITOR,
        nonblocking = true, // decides in memory; slow work would answer Verdict.later
        maturity = Maturity.BETA,
        description = "Writes one JSON line per message and decision (and, opt-in, status event) to a rotating file",
        failure_policy = FailurePolicy.FAIL_OPEN)
public final class AuditModule implements MessageModule {

    /** The configuration PID. */
    static final String PID = "io.switchboard.module.audit";
    /** The module's name. */
    static final String NAME = "audit";
    /** The framework property relative paths are resolved against (set by the launcher). */
    static final String HOME_PROPERTY = "switchboard.home";
    /** How long deactivation waits for the queued lines to be written. */
    static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);

    @Reference
    HostServices host;

    private volatile AuditQueue queue;
    private volatile AuditWriter writer;
    private volatile AuditSettings settings;
    private Path home;

    /** Module activated: check the configuration and start the writer thread. */
    @Activate
    void activate(ComponentContext component, BundleContext context, Map<String, Object> properties, AuditConfig config) {
        String h = context.getProperty(HOME_PROPERTY);
        start(properties, config, Path.of(h != null && !h.isBlank() ? h : System.getProperty("user.dir")));
        publishEvents(component, properties, settings);
    }

    /**
     * Has the broker call the module only for the lines it writes ({@link ModuleProperties#EVENTS}, derived from
     * {@code events}): without status lines the broker raises no status events for it at all (two per message
     * delivered once, each a task on a worker). DS publishes the configuration as it is; Felix SCR's
     * {@link ExtComponentContext} lets the module set the derived property (kept until set again).
     */
    static void publishEvents(ComponentContext component, Map<String, Object> properties, AuditSettings s) {
        if (component instanceof ExtComponentContext felix) {
            felix.setServiceProperties(ModuleProperties.withDerived(properties,
                    Map.of(ModuleProperties.EVENTS, s.events().stream().map(Event::name).toArray(String[]::new))));
        }
    }

    /**
     * Starts with {@code config}, relative paths resolved against {@code home}.
     *
     * @throws IllegalArgumentException naming the attribute, on a bad configuration
     */
    void start(Map<String, ?> properties, AuditConfig config, Path home) {
        start(properties, config, home, true);
    }

    /** {@link #start(Map, AuditConfig, Path)}; a test may start the writer later ({@link #startWriter()}) to fill the queue. */
    void start(Map<String, ?> properties, AuditConfig config, Path home, boolean startWriter) {
        this.home = home;
        AuditSettings s;
        try {
            s = AuditSettings.compile(properties, config, home);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(NAME + ": invalid configuration: " + e.getMessage(), e);
        }
        settings = s;
        queue = new AuditQueue(s.queueSize());
        Logger log = host.logger();
        writer = new AuditWriter(NAME, queue, s, log,
                problem -> host.reportProblem(this, problem == null ? null : NAME + ": " + problem));
        if (startWriter) {
            writer.start();
        }
        log.info("{}: activated: {}", NAME, s);
    }

    /** Starts the writer thread of a module started without it. */
    void startWriter() {
        writer.start();
    }

    /** New configuration, applied between two lines; a bad one is reported and the last good one stays. */
    @Modified
    void modified(ComponentContext component, Map<String, Object> properties, AuditConfig config) {
        AuditSettings s;
        try {
            s = AuditSettings.compile(properties, config, home);
        } catch (IllegalArgumentException e) {
            host.reportProblem(this, NAME + ": configuration rejected, keeping the last good one: " + e.getMessage());
            return;
        }
        host.reportProblem(this, null);
        if (s.queueSize() != settings.queueSize()) {
            host.logger().info("{}: queue.size {} takes effect when the module restarts (now {})", NAME, s.queueSize(),
                    settings.queueSize());
        }
        settings = s;
        writer.apply(s);
        publishEvents(component, properties, s);
        host.logger().info("{}: configuration applied: {}", NAME, s);
    }

    /** Module deactivated: write what is queued, flush and close the file. */
    @Deactivate
    void deactivate() throws InterruptedException {
        AuditWriter w = writer;
        if (w != null && !w.stop(STOP_TIMEOUT)) {
            AuditQueue.Counts c = queue.counts();
            host.logger().warn("{}: {} lines were still queued and {} waiting after {} s; they are lost", NAME, c.queued(),
                    c.waiting(), STOP_TIMEOUT.toSeconds());
        }
        host.logger().info("{}: deactivated: {}", NAME, stats());
    }

    /**
     * Queues the message's line and passes; when the queue is full and {@code overflow = wait}, passes
     * {@link Verdict#later later}, once the line is queued. A monitor never changes a decision.
     */
    @Override
    public Verdict onMessage(Message message, Session sender) {
        AuditSettings s = settings;
        if (!s.events().contains(Event.MESSAGE)) {
            return Verdict.pass();
        }
        // only what the line needs: no payload held in memory unless lines carry payloads
        CompletableFuture<Verdict> wait = queue.offerMessage(MessageEntry.of(message, sender, s.maxPayloadBytes() > 0),
                s.overflow());
        return wait == null ? Verdict.pass() : Verdict.later(wait);
    }

    @Override
    public void onStatus(MessageStatus status) {
        AuditSettings s = settings;
        if (s.events().contains(Event.STATUS)) {
            queue.offerObservation(StatusEntry.of(status), s.overflow());
        }
    }

    /** Which module allowed or refused a login or a subscription, or refused a message, and by which rule. */
    @Override
    public void onDecision(Decision decision) {
        AuditSettings s = settings;
        if (s.events().contains(Event.DECISION)) {
            queue.offerObservation(new AuditEntry.DecisionEntry(decision), s.overflow());
        }
    }

    /** What the module has done so far. */
    AuditStats stats() {
        AuditWriter w = writer;
        AuditQueue q = queue;
        AuditQueue.Counts c = q.counts();
        return new AuditStats(w.written(), w.writes(), c, w.failed(), w.late(), q.capacity(), w.currentFile(),
                w.currentSize(), w.rotations(), settings);
    }

    /**
     * The audit module's counters.
     *
     * @param written lines written
     * @param writes the writes they took
     * @param queue the queue's counts: queued and waiting now, waited and dropped in all
     * @param failed lines that could not be formatted or written
     * @param late message lines that waited past the module's time budget (their messages passed meanwhile)
     * @param capacity the queue's size
     * @param file the file being written
     * @param fileSize its size as far as the writer knows
     * @param rotations how many times the file was rotated
     * @param settings the settings in force
     */
    record AuditStats(long written, long writes, AuditQueue.Counts queue, long failed, long late, int capacity, Path file,
            long fileSize, long rotations, AuditSettings settings) {

        /** Lines dropped for any reason. */
        long dropped() {
            return queue.dropped();
        }

        int queued() {
            return queue.queued();
        }
    }
}
