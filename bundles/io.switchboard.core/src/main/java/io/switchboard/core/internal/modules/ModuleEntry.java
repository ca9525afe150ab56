package io.switchboard.core.internal.modules;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongBinaryOperator;

import io.switchboard.api.FailurePolicy;
import io.switchboard.api.Maturity;
import io.switchboard.api.MessageModule;
import io.switchboard.api.ModuleProperties;
import io.switchboard.api.ModuleType;
import io.switchboard.api.admin.ChainEvent;
import io.switchboard.api.admin.ModuleCounters;
import io.switchboard.core.internal.routing.Topics;
import io.switchboard.core.internal.workers.WorkerThread;
import org.osgi.framework.Bundle;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceReference;

/**
 * One tracked module: its service, the properties read once from its registration (refreshed when
 * they change), the events it handles, and its counters.
 */
public final class ModuleEntry {

    final MessageModule module;
    final ServiceReference<MessageModule> reference;
    final long serviceId;
    final Bundle bundle;
    final Set<ChainEvent> events;
    final Counters counters = new Counters();
    /** Its recent failures and whether it is in quarantine; a new registration starts afresh. */
    final ModuleHealth health = new ModuleHealth();
    volatile Description description;
    volatile boolean enabled = true;
    /** A problem the module reported through HostServices while running, or null. */
    volatile String reportedProblem;
    /** Set when the service went away and a successor is awaited: runs reaching the entry wait for it. */
    volatile Vacancy vacancy;

    /** The properties of the registration that the chain uses, parsed once per change. */
    public record Description(String name, int ranking, ModuleType type, Maturity maturity, String text, List<String> topics,
            long timeoutMillis, FailurePolicy policy, boolean enabledByConfig, boolean nonBlocking, Set<ChainEvent> events,
            List<String> problems) {

        public boolean appliesTo(String topic) {
            if (topics.isEmpty()) {
                return true;
            }
            for (String filter : topics) {
                if (Topics.matches(filter, topic)) {
                    return true;
                }
            }
            return false;
        }
    }

    ModuleEntry(ServiceReference<MessageModule> reference, MessageModule module) {
        this.reference = reference;
        this.module = module;
        this.serviceId = (Long) reference.getProperty(Constants.SERVICE_ID);
        this.bundle = reference.getBundle();
        this.events = handledEvents(module.getClass());
        this.description = describe(reference);
    }

    public MessageModule module() {
        return module;
    }

    public Bundle bundle() {
        return bundle;
    }

    /** The events the module is called for: those its class implements, narrowed by {@link ModuleProperties#EVENTS}. */
    public Set<ChainEvent> calledFor() {
        Set<ChainEvent> narrowed = description.events();
        if (narrowed == null) {
            return events;
        }
        EnumSet<ChainEvent> called = EnumSet.noneOf(ChainEvent.class);
        for (ChainEvent e : events) {
            if (narrowed.contains(e)) {
                called.add(e);
            }
        }
        return called;
    }

    /** Whether the module is called for {@code event}: its class overrides the callback, its properties do not leave it out. */
    public boolean handles(ChainEvent event) {
        Set<ChainEvent> narrowed = description.events();
        return events.contains(event) && (narrowed == null || narrowed.contains(event));
    }

    public Description description() {
        return description;
    }

    /** The place it holds while its successor is awaited, or null. */
    public Vacancy vacancy() {
        return vacancy;
    }

    public String name() {
        return description.name();
    }

    public int ranking() {
        return description.ranking();
    }

    public boolean inChain() {
        return enabled && description.enabledByConfig() && !health.quarantined();
    }

    /** The events whose callbacks the module's class overrides: the others are never called. */
    static Set<ChainEvent> handledEvents(Class<?> type) {
        EnumSet<ChainEvent> handled = EnumSet.noneOf(ChainEvent.class);
        for (ChainEvent event : ChainEvent.values()) {
            for (Method m : MessageModule.class.getMethods()) {
                if (!m.getName().equals(event.callback())) {
                    continue;
                }
                try {
                    Method impl = type.getMethod(m.getName(), m.getParameterTypes());
                    if (impl.getDeclaringClass() != MessageModule.class) {
                        handled.add(event);
                    }
                } catch (NoSuchMethodException e) {
                    // cannot happen: the class implements MessageModule
                }
            }
        }
        return handled;
    }

    /** Reads the module properties of a new registration; a bad value falls back to the default and is recorded as a problem. */
    static Description describe(ServiceReference<?> ref) {
        return describe(ref, null);
    }

    /**
     * Reads the module properties after a change: a bad value keeps {@code previous}'s (the last good
     * one, so a typo in a file does not reorder the chain), or the default for a new registration, and
     * is recorded as a problem.
     */
    static Description describe(ServiceReference<?> ref, Description previous) {
        List<String> problems = new ArrayList<>();
        Object rankingValue = ref.getProperty(Constants.SERVICE_RANKING);
        Integer parsed = Ranking.of(rankingValue);
        int ranking = parsed != null ? parsed : previous != null ? previous.ranking() : 0;
        if (parsed == null) {
            problems.add(Constants.SERVICE_RANKING + ": '" + rankingValue + "' is not an integer (keeping "
                    + (previous != null ? "the last good ranking " : "the default ") + ranking + ")");
        }
        String name = string(ref, ModuleProperties.NAME);
        if (name == null || name.isBlank()) {
            name = string(ref, "component.name");
            if (name == null) {
                name = ref.getBundle().getSymbolicName() + "#" + ref.getProperty(Constants.SERVICE_ID);
            }
        }
        name = instanceName(name, string(ref, Constants.SERVICE_PID));
        ModuleType type = enumValue(ref, ModuleProperties.TYPE, ModuleType.class,
                previous != null ? previous.type() : ModuleType.FILTER, problems);
        Maturity maturity = enumValue(ref, ModuleProperties.MATURITY, Maturity.class,
                previous != null ? previous.maturity() : Maturity.IN_DEVELOPMENT, problems);
        FailurePolicy policy = enumValue(ref, ModuleProperties.FAILURE_POLICY, FailurePolicy.class,
                previous != null ? previous.policy() : FailurePolicy.FAIL_OPEN, problems);
        long timeout = ModuleProperties.DEFAULT_TIMEOUT_MILLIS;
        Object timeoutValue = ref.getProperty(ModuleProperties.TIMEOUT);
        if (timeoutValue != null) {
            try {
                timeout = Long.parseLong(timeoutValue.toString().trim());
                if (timeout <= 0) {
                    throw new NumberFormatException();
                }
            } catch (NumberFormatException e) {
                timeout = previous != null ? previous.timeoutMillis() : ModuleProperties.DEFAULT_TIMEOUT_MILLIS;
                problems.add(ModuleProperties.TIMEOUT + ": '" + timeoutValue
                        + "' is not a positive number of milliseconds (keeping " + timeout + ")");
            }
        }
        List<String> topics = new ArrayList<>();
        List<String> badFilters = new ArrayList<>();
        for (String filter : strings(ref.getProperty(ModuleProperties.TOPICS))) {
            try {
                Topics.validateFilter(filter);
                if (filter.startsWith(Topics.SHARE_PREFIX)) {
                    throw new IllegalArgumentException("shared subscriptions are not topic filters for modules");
                }
                topics.add(filter);
            } catch (IllegalArgumentException e) {
                badFilters.add(e.getMessage());
            }
        }
        if (!badFilters.isEmpty()) {
            // dropping a bad filter would widen the module to other topics: the last good filters stay
            if (previous != null) {
                topics = new ArrayList<>(previous.topics());
            }
            problems.add(ModuleProperties.TOPICS + ": " + String.join("; ", badFilters) + " (keeping "
                    + (previous != null ? "the last good filters " + topics : "the valid filters " + topics) + ")");
        }
        boolean enabled = flag(ref, ModuleProperties.ENABLED, previous == null || previous.enabledByConfig(), problems);
        // a bad value is taken as blocking: the safe side
        boolean nonBlocking = flag(ref, ModuleProperties.NON_BLOCKING, false, problems);
        Set<ChainEvent> events = events(ref, previous, problems);
        return new Description(name, ranking, type, maturity, string(ref, ModuleProperties.DESCRIPTION), List.copyOf(topics),
                timeout, policy, enabled, nonBlocking, events, List.copyOf(problems));
    }

    /** The events {@link ModuleProperties#EVENTS} narrows the module to, or null for all it implements. */
    private static Set<ChainEvent> events(ServiceReference<?> ref, Description previous, List<String> problems) {
        Object value = ref.getProperty(ModuleProperties.EVENTS);
        if (value == null) {
            return null;
        }
        EnumSet<ChainEvent> events = EnumSet.noneOf(ChainEvent.class);
        List<String> unknown = new ArrayList<>();
        for (String name : strings(value)) {
            for (String part : name.split(",")) {
                String event = part.trim();
                if (event.isEmpty()) {
                    continue;
                }
                try {
                    events.add(ChainEvent.valueOf(event.toUpperCase(Locale.ROOT)));
                } catch (IllegalArgumentException e) {
                    unknown.add(event);
                }
            }
        }
        if (unknown.isEmpty()) {
            return Collections.unmodifiableSet(events);
        }
        Set<ChainEvent> kept = previous == null ? null : previous.events();
        problems.add(ModuleProperties.EVENTS + ": unknown event " + String.join(", ", unknown) + " (events are "
                + Arrays.toString(ChainEvent.values()) + "; keeping " + (kept == null ? "all it implements" : kept) + ")");
        return kept;
    }

    /** A true/false property; anything else keeps {@code fallback} and is recorded as a problem. */
    private static boolean flag(ServiceReference<?> ref, String key, boolean fallback, List<String> problems) {
        Object value = ref.getProperty(key);
        if (value == null) {
            return fallback;
        }
        String text = value.toString().trim();
        if (text.equalsIgnoreCase("true") || text.equalsIgnoreCase("false")) {
            return Boolean.parseBoolean(text);
        }
        problems.add(key + ": '" + value + "' is not true or false (keeping " + fallback + ")");
        return fallback;
    }

    /**
     * Instances of a factory configuration {@code <factoryPid>~<instance>} are told apart as
     * {@code name:instance} (no brackets or spaces, so the name is one plain word in the Gogo shell).
     */
    static String instanceName(String name, Object pid) {
        String p = pid == null ? null : pid.toString();
        int tilde = p == null ? -1 : p.indexOf('~');
        if (tilde > 0 && !name.endsWith(":" + p.substring(tilde + 1))) {
            return name + ":" + p.substring(tilde + 1);
        }
        return name;
    }

    private static String string(ServiceReference<?> ref, String key) {
        Object v = ref.getProperty(key);
        return v == null ? null : v.toString();
    }

    private static List<String> strings(Object value) {
        if (value == null) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        if (value instanceof String[] array) {
            out.addAll(Arrays.asList(array));
        } else if (value instanceof Iterable<?> items) {
            items.forEach(i -> out.add(String.valueOf(i)));
        } else {
            for (String part : value.toString().split(",")) {
                out.add(part);
            }
        }
        out.replaceAll(String::trim);
        out.removeIf(String::isEmpty);
        return out;
    }

    private static <E extends Enum<E>> E enumValue(ServiceReference<?> ref, String key, Class<E> type, E fallback,
            List<String> problems) {
        Object v = ref.getProperty(key);
        if (v == null) {
            return fallback;
        }
        String text = v.toString().trim().toUpperCase(Locale.ROOT).replace('-', '_');
        try {
            return Enum.valueOf(type, text);
        } catch (IllegalArgumentException e) {
            problems.add(key + ": '" + v + "' is not one of " + Arrays.toString(type.getEnumConstants()) + " (keeping "
                    + fallback + ")");
            return fallback;
        }
    }

    /** What a call of the module decided, as counted. */
    enum Outcome {
        PASS, REPLACE, CONSUME
    }

    /**
     * What the module did. Each worker counts into its own cell with plain (opaque) writes: one writer per
     * cell, so the hot path has no atomic instruction (a worker thread the watchdog abandoned stops counting
     * once its blocked call returns); threads that are not workers count into a shared cell under its lock.
     * Readers add the cells up, so a snapshot may lag by a call.
     */
    static final class Counters {
        private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(long[].class);
        private static final int CALLS = 0;
        private static final int NANOS = 1;
        private static final int MAX_NANOS = 2;
        private static final int OUTCOMES = 3; // then one slot per Outcome
        private static final int DURATIONS = OUTCOMES + Outcome.values().length; // then one slot per duration bucket
        private static final long[] BOUNDS = ModuleCounters.DURATION_BOUNDS_NANOS.stream().mapToLong(Long::longValue)
                .toArray();
        /** 32 longs = four cache lines: the slots above, and the cells of two workers never share a line. */
        private static final int CELL_LENGTH = 32;

        static {
            if (DURATIONS + BOUNDS.length + 1 > CELL_LENGTH) {
                throw new AssertionError("a counter cell is too small for the duration buckets");
            }
        }

        private final long[] shared = new long[CELL_LENGTH];
        private volatile long[][] workerCells = new long[0][];
        /** Rare: counted with atomic adds from any thread. */
        final LongAdder errors = new LongAdder();
        final LongAdder timeouts = new LongAdder();

        /**
         * Counts one call by {@code worker} (null: a thread that is not a worker) that took {@code nanos}
         * and decided {@code outcome} ({@code null} when the call failed or timed out: counted as an error or
         * a timeout instead).
         */
        void record(WorkerThread worker, Outcome outcome, long nanos) {
            if (worker == null) {
                synchronized (shared) {
                    add(shared, outcome, nanos);
                }
            } else {
                add(cellOf(worker.index()), outcome, nanos);
            }
        }

        private static void add(long[] cell, Outcome outcome, long nanos) {
            increment(cell, CALLS, 1);
            if (outcome != null) {
                increment(cell, OUTCOMES + outcome.ordinal(), 1);
            }
            increment(cell, NANOS, nanos);
            increment(cell, DURATIONS + bucket(nanos), 1);
            if (nanos > (long) SLOT.getOpaque(cell, MAX_NANOS)) {
                SLOT.setOpaque(cell, MAX_NANOS, nanos);
            }
        }

        /** The duration bucket of {@code nanos}: the first bound it does not exceed, or the one beyond them all. */
        static int bucket(long nanos) {
            int i = 0;
            while (i < BOUNDS.length && nanos > BOUNDS[i]) {
                i++;
            }
            return i;
        }

        private static void increment(long[] cell, int slot, long delta) {
            SLOT.setOpaque(cell, slot, (long) SLOT.getOpaque(cell, slot) + delta);
        }

        private long[] cellOf(int workerIndex) {
            long[][] cells = workerCells;
            if (workerIndex < cells.length) {
                return cells[workerIndex];
            }
            synchronized (this) {
                cells = workerCells;
                if (workerIndex >= cells.length) {
                    long[][] grown = Arrays.copyOf(cells, workerIndex + 1);
                    for (int i = cells.length; i < grown.length; i++) {
                        grown[i] = new long[CELL_LENGTH];
                    }
                    workerCells = cells = grown;
                }
                return cells[workerIndex];
            }
        }

        /** Combines one slot of the shared cell and every worker's cell. */
        private long fold(int slot, LongBinaryOperator combine) {
            long result;
            synchronized (shared) {
                result = shared[slot];
            }
            for (long[] cell : workerCells) {
                result = combine.applyAsLong(result, (long) SLOT.getOpaque(cell, slot));
            }
            return result;
        }

        private long sum(int slot) {
            return fold(slot, Long::sum);
        }

        ModuleCounters snapshot() {
            return new ModuleCounters(sum(CALLS), sum(OUTCOMES + Outcome.PASS.ordinal()),
                    sum(OUTCOMES + Outcome.CONSUME.ordinal()), sum(OUTCOMES + Outcome.REPLACE.ordinal()), errors.sum(),
                    timeouts.sum(), sum(NANOS), fold(MAX_NANOS, Math::max), durationCounts());
        }

        private List<Long> durationCounts() {
            List<Long> counts = new ArrayList<>(BOUNDS.length + 1);
            for (int i = 0; i <= BOUNDS.length; i++) {
                counts.add(sum(DURATIONS + i));
            }
            return counts;
        }
    }

    @Override
    public String toString() {
        return name();
    }
}
