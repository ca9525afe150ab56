package io.switchboard.shell.internal;

import java.io.IOException;
import java.lang.reflect.Array;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import io.switchboard.api.Message;
import io.switchboard.api.MessageModule;
import io.switchboard.api.ModuleProperties;
import io.switchboard.api.admin.BrokerAdmin;
import io.switchboard.api.admin.BrokerStats;
import io.switchboard.api.admin.ChainEvent;
import io.switchboard.api.admin.ModuleCounters;
import io.switchboard.api.admin.ModuleInfo;
import io.switchboard.api.admin.SessionInfo;
import io.switchboard.api.admin.TraceStep;
import io.switchboard.api.broker.Broker;
import io.switchboard.api.broker.ClientSession;
import io.switchboard.api.broker.LoginRequest;
import io.switchboard.api.broker.PublishResult;
import io.switchboard.api.broker.Receiver;
import io.switchboard.api.broker.RefusedException;
import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;
import org.apache.felix.service.command.annotations.GogoCommand;
import org.osgi.framework.Bundle;
import io.switchboard.store.StateStore;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

/**
 * The operator's Gogo commands, scope {@code sb}: the modules and their counters, the chain per
 * event, a module's effective configuration, sending and tracing a message, switching modules on and
 * off, and the broker's statistics. Every command returns its text; bad input is an
 * {@link IllegalArgumentException} saying what is wrong.
 */
@Component(name = "io.switchboard.shell.commands", service = SwitchboardCommands.class)
@GogoCommand(scope = "sb", function = {"modules", "chain", "config", "send", "trace", "enable", "disable", "stats",
    "sessions"})
public class SwitchboardCommands {

    /** How long {@code sb:send} waits for the login and for the chain's decision. */
    static final Duration STAGE_TIMEOUT = Duration.ofSeconds(10);

    /** Service properties that say nothing about the module's configuration. */
    private static final Set<String> FRAMEWORK_PROPERTIES = Set.of(Constants.OBJECTCLASS, Constants.SERVICE_ID,
            Constants.SERVICE_BUNDLEID, Constants.SERVICE_SCOPE, "component.id");

    /** The property FileInstall puts on the configurations it reads from files. */
    static final String FILEINSTALL_FILENAME = "felix.fileinstall.filename";

    private static final String ACTIVE = "ACTIVE";
    private static final String DISABLED = "DISABLED";
    private static final String ALL_EVENTS = "all";
    private static final Receiver DISCARD = (message, delivery) -> delivery.delivered();

    private final BrokerAdmin admin;
    private final Broker broker;
    private final BundleContext context;
    private final ConfigurationAdmin configAdmin;
    private final Duration stageTimeout;
    private final AtomicLong clients = new AtomicLong();
    /** The broker's store, for sb:stats; optional (a shell without it shows no store lines). */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    volatile StateStore store;

    /** Activated by DS; Configuration Admin is optional and picked up when it appears. */
    @Activate
    public SwitchboardCommands(@Reference BrokerAdmin admin, @Reference Broker broker, BundleContext context,
            @Reference(cardinality = ReferenceCardinality.OPTIONAL, policyOption = ReferencePolicyOption.GREEDY)
            ConfigurationAdmin configAdmin) {
        this(admin, broker, context, configAdmin, STAGE_TIMEOUT);
    }

    /** For tests: with a shorter wait on {@code sb:send}'s stages. */
    SwitchboardCommands(BrokerAdmin admin, Broker broker, BundleContext context, ConfigurationAdmin configAdmin,
            Duration stageTimeout) {
        this.admin = Objects.requireNonNull(admin, "admin");
        this.broker = Objects.requireNonNull(broker, "broker");
        this.context = context;
        this.configAdmin = configAdmin;
        this.stageTimeout = stageTimeout;
    }

    // ---------------------------------------------------------------------------------- sb:modules

    /**
     * One row per module, the reason it is not active and its last error on the lines below. PASS, CONSUME and
     * REPLACE are what the module decided itself; a call that threw or ran late counts under ERRORS or TIMEOUTS
     * only (its POLICY decided the message), so CALLS is their sum.
     */
    @Descriptor("lists every module: chain order first, then those not active with the reason; the last error below each")
    public String modules() {
        List<ModuleInfo> modules = admin.modules();
        if (modules.isEmpty()) {
            return "no modules installed";
        }
        TextTable table = new TextTable().right("RANKING").left("NAME").left("TYPE").left("MATURITY")
                .left("VERSION").left("BUNDLE").left("STATE").left("POLICY").right("CALLS").right("PASS").right("CONSUME")
                .right("REPLACE").right("ERRORS").right("TIMEOUTS").right("MEAN(µs)").right("MAX(µs)");
        Map<String, Integer> byState = new LinkedHashMap<>();
        for (ModuleInfo m : modules) {
            ModuleCounters c = m.counters();
            table.row(m.ranking(), m.name(), m.type(), m.maturity(), m.version(), m.bundle(), m.state(), m.failurePolicy(),
                    c == null ? null : c.calls(), c == null ? null : c.passes(), c == null ? null : c.consumes(),
                    c == null ? null : c.replaces(), c == null ? null : c.errors(), c == null ? null : c.timeouts(),
                    c == null ? null : TextTable.micros(c.meanMicros()), c == null ? null : TextTable.micros(c.maxNanos()));
            String why = whyNotActive(m);
            if (why != null) {
                table.note(why);
            }
            if (m.lastError() != null) {
                table.note("last error" + (m.lastErrorTime() == null ? "" : " at " + m.lastErrorTime().truncatedTo(ChronoUnit.SECONDS))
                        + ": " + m.lastError());
            }
            byState.merge(String.valueOf(m.state()), 1, Integer::sum);
        }
        String summary = byState.entrySet().stream().map(e -> e.getValue() + " " + e.getKey())
                .collect(Collectors.joining(", "));
        return table + "\n" + count(modules.size(), "module") + ": " + summary;
    }

    private static String whyNotActive(ModuleInfo m) {
        if (ACTIVE.equals(m.state())) {
            return m.reason() == null || m.reason().isBlank() ? null : m.reason(); // a problem it reported
        }
        if (m.reason() != null && !m.reason().isBlank()) {
            return m.reason();
        }
        if (DISABLED.equals(m.state())) {
            return "disabled by an operator (sb:enable " + m.name() + " puts it back)";
        }
        return "no reason given";
    }

    // ------------------------------------------------------------------------------------ sb:chain

    @Descriptor("shows the modules that handle message publishing, in the order they are called")
    public String chain() {
        return chain(ChainEvent.MESSAGE.name());
    }

    @Descriptor("shows the modules that handle one event, in the order they are called")
    public String chain(@Descriptor("the event, e.g. message, login, connect, session_open; or 'all' for every event with a chain")
            String event) {
        if (ALL_EVENTS.equalsIgnoreCase(event.trim())) {
            List<String> sections = new ArrayList<>();
            for (ChainEvent e : ChainEvent.values()) {
                List<ModuleInfo> chain = admin.chain(e);
                if (!chain.isEmpty()) {
                    sections.add(formatChain(e, chain));
                }
            }
            return sections.isEmpty() ? "no module handles any event" : String.join("\n\n", sections);
        }
        ChainEvent e = parseEvent(event);
        return formatChain(e, admin.chain(e));
    }

    private static String formatChain(ChainEvent event, List<ModuleInfo> chain) {
        String title = event.name() + " (" + event.callback() + ")";
        if (chain.isEmpty()) {
            return "no module handles " + title;
        }
        TextTable table = new TextTable().right("ORDER").right("RANKING").left("NAME").left("TYPE").left("TOPICS");
        int order = 1;
        for (ModuleInfo m : chain) {
            String topics = m.topics() == null || m.topics().isEmpty() ? "all" : String.join(", ", m.topics());
            table.row(order++, m.ranking(), m.name(), m.type(), topics);
        }
        return title + ": " + count(chain.size(), "module") + ", called in this order\n" + table;
    }

    /** Parses an event name: case-insensitive, {@code -} for {@code _}, or the callback's name ({@code onLogin}). */
    static ChainEvent parseEvent(String name) {
        String wanted = name == null ? "" : name.trim();
        String normalized = wanted.replace('-', '_');
        for (ChainEvent e : ChainEvent.values()) {
            if (e.name().equalsIgnoreCase(normalized) || e.callback().equalsIgnoreCase(wanted)) {
                return e;
            }
        }
        String valid = Stream.concat(Stream.of(ChainEvent.values()).map(e -> e.name().toLowerCase(Locale.ROOT)),
                Stream.of(ALL_EVENTS)).collect(Collectors.joining(", "));
        throw new IllegalArgumentException("unknown event '" + wanted + "'; valid events: " + valid);
    }

    // ----------------------------------------------------------------------------------- sb:config

    @Descriptor("shows a module's effective configuration: its service properties, configuration PID and source file")
    public String config(@Descriptor("the module's name, as sb:modules shows it (name@version when two versions share it)")
            String module) {
        List<ServiceReference<MessageModule>> all = moduleServices();
        all.sort(Comparator.comparingLong(SwitchboardCommands::serviceId));
        List<ModuleInfo> listed = admin.modules();
        Optional<ServiceReference<MessageModule>> match = ModuleChoice.pick(module, all, r -> candidate(r, listed));
        if (match.isEmpty()) {
            Optional<ModuleInfo> known = admin.modules().stream().filter(m -> module.equals(m.name())).findFirst();
            if (known.isPresent()) {
                ModuleInfo m = known.get();
                throw new IllegalStateException("module '" + module + "' has no registered service, so no effective "
                        + "configuration (" + m.state() + ": " + Objects.requireNonNullElse(whyNotActive(m), "active") + ")");
            }
            Set<String> names = new TreeSet<>();
            Stream.concat(all.stream().map(SwitchboardCommands::moduleName), admin.modules().stream().map(ModuleInfo::name))
                    .filter(Objects::nonNull).forEach(names::add);
            throw new IllegalArgumentException("no module named '" + module + "'; known modules: "
                    + (names.isEmpty() ? "none" : String.join(", ", names)));
        }
        return formatConfig(moduleName(match.get()), match.get());
    }

    /** A module service as a candidate for a name, in the state the broker lists it (or REGISTERED). */
    private static ModuleChoice.Candidate candidate(ServiceReference<?> ref, List<ModuleInfo> listed) {
        Bundle bundle = ref.getBundle();
        long id = serviceId(ref);
        String state = listed.stream().filter(m -> m.serviceId() == id).map(ModuleInfo::state).findFirst()
                .orElse("REGISTERED");
        return new ModuleChoice.Candidate(moduleName(ref), bundle == null ? "0.0.0" : bundle.getVersion().toString(),
                bundle == null ? -1 : bundle.getBundleId(), bundle == null ? null : bundle.getSymbolicName(), state);
    }

    private List<ServiceReference<MessageModule>> moduleServices() {
        if (context == null) {
            throw new IllegalStateException("no bundle context: the shell bundle is not active");
        }
        try {
            Collection<ServiceReference<MessageModule>> refs = context.getServiceReferences(MessageModule.class, null);
            return refs == null ? List.of() : new ArrayList<>(refs);
        } catch (InvalidSyntaxException e) {
            throw new IllegalStateException("cannot list the modules' services", e); // no filter: cannot happen
        }
    }

    private String formatConfig(String module, ServiceReference<?> ref) {
        Map<String, Object> header = new LinkedHashMap<>();
        header.put("module", module);
        header.put("service", serviceId(ref) + " from " + bundleName(ref.getBundle()));
        List<String> pids = strings(ref.getProperty(Constants.SERVICE_PID));
        if (pids.isEmpty()) {
            header.put("configuration pid", "none (the component's defaults)");
        } else {
            header.put("configuration pid", String.join(", ", pids));
            for (String pid : pids) {
                header.put(pids.size() == 1 ? "source file" : "source file of " + pid, sourceFile(pid, ref));
            }
        }
        Integer chainRanking = admin.modules().stream().filter(m -> m.serviceId() == serviceId(ref))
                .map(ModuleInfo::ranking).findFirst().orElse(null);
        Map<String, String> properties = new TreeMap<>();
        for (String key : ref.getPropertyKeys()) {
            if (!FRAMEWORK_PROPERTIES.contains(key)) {
                properties.put(key, describeValue(key, ref.getProperty(key), chainRanking));
            }
        }
        String props = TextTable.pairs(properties).lines().map(line -> "  " + line).collect(Collectors.joining("\n"));
        return TextTable.pairs(header) + "\nproperties:\n" + props;
    }

    private String sourceFile(String pid, ServiceReference<?> ref) {
        ConfigurationAdmin cm = configAdmin;
        if (cm == null) {
            Object fromService = ref.getProperty(FILEINSTALL_FILENAME);
            return fromService != null ? fromService + " (Configuration Admin is not running)"
                    : "unknown (Configuration Admin is not running)";
        }
        try {
            // listConfigurations, not getConfiguration: the latter would create an empty configuration
            Configuration[] configs = cm.listConfigurations("(" + Constants.SERVICE_PID + "=" + escapeFilter(pid) + ")");
            if (configs == null || configs.length == 0) {
                return "none (no configuration with this PID exists now)";
            }
            Object file = configs[0].getProperties() == null ? null : configs[0].getProperties().get(FILEINSTALL_FILENAME);
            return file == null ? "none (set through Configuration Admin, not from a file)" : String.valueOf(file);
        } catch (IOException | InvalidSyntaxException | IllegalStateException e) {
            return "unknown (" + e.getMessage() + ")";
        }
    }

    /** A property's value; a ranking that is not an Integer with the ranking the chain uses (the core reads Strings). */
    private static String describeValue(String key, Object value, Integer chainRanking) {
        String lower = key.toLowerCase(Locale.ROOT);
        if (lower.contains("password") || lower.contains("secret")) {
            return "(hidden)";
        }
        String text = value != null && value.getClass().isArray() ? strings(value).toString() : String.valueOf(value);
        if (Constants.SERVICE_RANKING.equals(key) && !(value instanceof Integer) && chainRanking != null) {
            text += "  (a " + (value == null ? "null" : value.getClass().getSimpleName())
                    + ", not an Integer: the chain ranks the module " + chainRanking + ")";
        }
        return text;
    }

    private static String moduleName(ServiceReference<?> ref) {
        Object name = ref.getProperty(ModuleProperties.NAME);
        if (name == null) {
            name = ref.getProperty("component.name");
        }
        return name == null ? null : String.valueOf(name);
    }

    private static long serviceId(ServiceReference<?> ref) {
        return ref.getProperty(Constants.SERVICE_ID) instanceof Long id ? id : -1;
    }

    private static String bundleName(Bundle bundle) {
        return bundle == null ? "an unregistered service" : bundle.getSymbolicName() + " [" + bundle.getBundleId() + "]";
    }

    /** A String, String[], array or collection property as a list of strings. */
    private static List<String> strings(Object value) {
        if (value == null) {
            return List.of();
        }
        if (value instanceof Collection<?> c) {
            return c.stream().map(String::valueOf).toList();
        }
        if (value.getClass().isArray()) {
            List<String> out = new ArrayList<>();
            for (int i = 0; i < Array.getLength(value); i++) {
                out.add(String.valueOf(Array.get(value, i)));
            }
            return out;
        }
        return List.of(String.valueOf(value));
    }

    private static String escapeFilter(String value) {
        StringBuilder out = new StringBuilder(value.length());
        for (char c : value.toCharArray()) {
            if (c == '\\' || c == '*' || c == '(' || c == ')') {
                out.append('\\');
            }
            out.append(c);
        }
        return out.toString();
    }

    // ------------------------------------------------------------------------------------- sb:send

    @Descriptor("publishes a message as an in-process client and tells what became of it")
    public String send(
            @Descriptor("the user to publish as (default: shell)")
            @Parameter(names = {"--from", "-f"}, absentValue = "shell") String from,
            @Descriptor("the quality of service: 0, 1 or 2 (default: 0)")
            @Parameter(names = {"--qos", "-q"}, absentValue = "0") int qos,
            @Descriptor("keep the message as the topic's retained message")
            @Parameter(names = {"--retain", "-r"}, absentValue = "false", presentValue = "true") boolean retain,
            @Descriptor("the topic to publish to, without wildcards") String topic,
            @Descriptor("the payload, as UTF-8 text (quote it if it has spaces)") String payload) {
        Message message = message(topic, payload, from).qos(qos).retain(retain).build();
        String clientId = "shell-" + clients.incrementAndGet();
        ClientSession session = await(broker.login(LoginRequest.internal(clientId, from), DISCARD),
                "log in as '" + from + "' (client " + clientId + ")");
        try {
            PublishResult result = await(session.publish(message), "publish to '" + topic + "'");
            if (result.routed()) {
                return "message " + result.messageId() + " routed to " + result.recipients() + " subscriber(s)";
            }
            return "message " + result.messageId() + " consumed by the chain: " + reason(result);
        } finally {
            session.close("shell send done");
        }
    }

    private static String reason(PublishResult result) {
        if (result.reason() == null && result.reasonCode() == null) {
            return "no reason given";
        }
        if (result.reasonCode() == null) {
            return result.reason();
        }
        return result.reason() == null ? result.reasonCode().name() : result.reason() + " (" + result.reasonCode() + ")";
    }

    private <T> T await(CompletionStage<T> stage, String what) {
        try {
            return stage.toCompletableFuture().get(stageTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new IllegalStateException("could not " + what + ": no answer within " + TextTable.duration(stageTimeout.toMillis()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting to " + what);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            if (cause instanceof RefusedException refused) {
                throw new IllegalStateException("could not " + what + ": refused (" + refused.reasonCode() + "): "
                        + refused.getMessage());
            }
            throw new IllegalStateException("could not " + what + ": " + cause, cause);
        }
    }

    // ------------------------------------------------------------------------------------ sb:trace

    @Descriptor("runs a message through the chain as a dry run, with the modules' time budgets and failure policies, "
            + "and shows each module's decision; nothing is routed")
    public String trace(
            @Descriptor("the user the message comes from (default: shell)")
            @Parameter(names = {"--from", "-f"}, absentValue = "shell") String from,
            @Descriptor("the topic, without wildcards") String topic,
            @Descriptor("the payload, as UTF-8 text (quote it if it has spaces)") String payload) {
        Message message = message(topic, payload, from).build();
        List<TraceStep> steps = admin.trace(message);
        String title = "trace of " + TextTable.quoted(payload) + " to '" + topic + "' from " + from
                + " (dry run: nothing routed, no counter changed)";
        if (steps.isEmpty()) {
            return title + "\nno module handles messages\noutcome: passes the chain unchanged; subscribers would receive "
                    + TextTable.quoted(payload);
        }
        TextTable table = new TextTable().right("STEP").left("MODULE").left("DECISION").right("TIME(µs)").left("PAYLOAD AFTER");
        int step = 1;
        TraceStep consumer = null;
        for (TraceStep s : steps) {
            table.row(step++, s.module(), s.decision(), TextTable.micros(s.nanos()), TextTable.quoted(s.payloadAfter()));
            if (consumer == null && consumes(s)) {
                consumer = s;
            }
        }
        long total = steps.stream().mapToLong(TraceStep::nanos).sum();
        String outcome = consumer != null
                ? "consumed by " + consumer.module() + " (" + consumer.decision() + "); no subscriber would see it"
                : "passes the chain; subscribers would receive " + TextTable.quoted(steps.get(steps.size() - 1).payloadAfter());
        return title + "\n" + table + "\noutcome: " + outcome + "\ntotal time: " + TextTable.micros(total) + " µs";
    }

    /** The module consumed the message itself ("consume(...)") or its failure policy did ("... → consumed"). */
    private static boolean consumes(TraceStep step) {
        String decision = step.decision();
        return decision != null && (decision.toLowerCase(Locale.ROOT).startsWith("consume") || decision.endsWith("→ consumed"));
    }

    private static Message.Builder message(String topic, String payload, String from) {
        if (from == null || from.isBlank()) {
            throw new IllegalArgumentException("--from needs a user name");
        }
        return Message.builder(topic).payload(payload == null ? "" : payload).from(from);
    }

    // -------------------------------------------------------------------------- sb:enable, sb:disable

    @Descriptor("puts a module back into the chain")
    public String enable(@Descriptor("the module's name, as sb:modules shows it (name@version when two versions share it)")
            String module) {
        admin.setEnabled(knownModule(module), true);
        return "module " + module + " enabled: back in the chain";
    }

    @Descriptor("takes a module out of the chain without stopping its bundle")
    public String disable(@Descriptor("the module's name, as sb:modules shows it (name@version when two versions share it)")
            String module) {
        admin.setEnabled(knownModule(module), false);
        return "module " + module + " disabled: out of the chain, its bundle keeps running (sb:enable " + module
                + " puts it back)";
    }

    /** {@code module} if it names exactly one listed module (the core resolves it the same way). */
    private String knownModule(String module) {
        List<ModuleInfo> listed = admin.modules();
        if (ModuleChoice.pick(module, listed, SwitchboardCommands::candidate).isEmpty()) {
            List<String> names = listed.stream().map(ModuleInfo::name).toList();
            throw new IllegalArgumentException("no module named '" + module + "'; known modules: "
                    + (names.isEmpty() ? "none" : String.join(", ", new TreeSet<>(names))));
        }
        return module;
    }

    /** A listed module as a candidate for a name; its bundle label reads {@code bsn [id]}. */
    private static ModuleChoice.Candidate candidate(ModuleInfo m) {
        String label = m.bundle() == null ? "" : m.bundle();
        int open = label.lastIndexOf(" [");
        long bundleId = -1;
        String symbolicName = label;
        if (open >= 0 && label.endsWith("]")) {
            symbolicName = label.substring(0, open);
            try {
                bundleId = Long.parseLong(label.substring(open + 2, label.length() - 1));
            } catch (NumberFormatException unlabelled) {
                // keep -1: the id then only fails to match
            }
        }
        return new ModuleChoice.Candidate(m.name(), m.version(), bundleId, symbolicName, m.state());
    }

    // --------------------------------------------------------------------------------- sb:sessions

    /** The most sessions {@code sb:sessions} lists. */
    static final int MAX_SESSIONS = 100;

    @Descriptor("lists the client sessions (online, or kept offline) with their subscriptions, by client id")
    public String sessions(@Descriptor("text the client id, user, protocol, listener, address or a topic filter contains "
            + "(default: all)") @Parameter(names = {"--search", "-s"}, absentValue = "") String search) {
        List<SessionInfo> sessions = admin.sessions(search, MAX_SESSIONS + 1);
        if (sessions.isEmpty()) {
            return search.isBlank() ? "no sessions" : "no session matches '" + search + "'";
        }
        TextTable table = new TextTable().left("CLIENT").left("USER").left("PROTOCOL").left("CONNECTION").left("SUBSCRIPTIONS");
        for (SessionInfo s : sessions.subList(0, Math.min(MAX_SESSIONS, sessions.size()))) {
            String connection = !s.online() ? "offline (kept)" : s.listener() == null ? "in-process"
                    : s.listener() + " " + s.remoteAddress();
            table.row(s.clientId(), s.user(), s.protocol(), connection, s.subscriptions().stream()
                    .map(sub -> sub.topicFilter() + " (QoS " + sub.qos() + ")").collect(Collectors.joining(", ")));
        }
        return table + (sessions.size() > MAX_SESSIONS ? "\nthe first " + MAX_SESSIONS + " shown; narrow with --search" : "");
    }

    // ------------------------------------------------------------------------------------ sb:stats

    @Descriptor("shows the broker's counters since it started")
    public String stats() {
        BrokerStats s = admin.stats();
        Map<String, Object> lines = new LinkedHashMap<>();
        lines.put("uptime", TextTable.duration(s.uptimeMillis()));
        lines.put("sessions", s.sessions());
        lines.put("subscriptions", s.subscriptions());
        lines.put("retained", s.retainedMessages());
        lines.put("modules", s.modules());
        lines.put("published", s.published());
        lines.put("routed", s.routed());
        lines.put("consumed", s.consumed());
        lines.put("deliveries", s.deliveries());
        lines.put("delivered", s.delivered());
        lines.put("failed", s.failed());
        lines.put("expired", s.expired());
        lines.put("in flight", s.inFlight());
        lines.put("abandoned threads", s.abandonedThreads() + " (limit " + s.abandonedThreadLimit() + ")");
        lines.put("message ids", admin.messageIdGenerator());
        StateStore st = store;
        if (st != null) {
            StateStore.Status status = st.status();
            lines.put("store", status.location() + (status.sync().isEmpty() ? "" : " (" + status.diskBytes() / 1024
                    + " KiB, sync=" + status.sync() + ")"));
            lines.put("recovered at start", (status.recovered().isEmpty() ? "nothing" : status.recovered().toString())
                    + " in " + status.openMillis() + " ms");
            lines.put("store writes", status.batches() + " batches, " + status.failedBatches() + " failed, "
                    + status.pending() + " changes pending, " + status.skipped() + " skipped (undone before written)");
        }
        return TextTable.pairs(lines);
    }

    private static String count(int n, String noun) {
        return n + " " + noun + (n == 1 ? "" : "s");
    }
}
