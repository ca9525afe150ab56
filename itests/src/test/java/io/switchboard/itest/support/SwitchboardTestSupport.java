package io.switchboard.itest.support;

import static org.awaitility.Awaitility.await;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.Dictionary;
import java.util.Enumeration;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import java.util.stream.Collectors;

import javax.inject.Inject;

import io.switchboard.api.Admission;
import io.switchboard.api.Message;
import io.switchboard.api.MessageModule;
import io.switchboard.api.ModuleProperties;
import io.switchboard.api.Subscription;
import io.switchboard.api.admin.BrokerAdmin;
import io.switchboard.api.admin.ChainEvent;
import io.switchboard.api.admin.ModuleInfo;
import io.switchboard.api.broker.Broker;
import io.switchboard.api.broker.ClientSession;
import io.switchboard.api.broker.LoginRequest;
import io.switchboard.api.broker.PublishResult;
import io.switchboard.api.broker.Receiver;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.rules.TestWatcher;
import org.junit.runner.Description;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.OptionUtils;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceRegistration;
import org.osgi.framework.wiring.BundleRevision;
import org.osgi.framework.wiring.FrameworkWiring;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.util.tracker.ServiceTracker;

/**
 * Base of every Pax Exam test: the shared provisioning ({@link Provisioning}), a fail-fast health check
 * of the framework before each test, bounded look-ups of the broker's services, and helpers that
 * clean up after themselves (sessions, module registrations, configurations, fixture bundles).
 *
 * <p>Subclasses are {@code @RunWith(PaxExam.class) @ExamReactorStrategy(PerClass.class)}; they add
 * options (fixture bundles, typically) by overriding {@link #extraOptions()}. Everything except
 * {@link #configuration()} and {@link #extraOptions()} runs inside the framework.
 */
public abstract class SwitchboardTestSupport {

    /** Factory PID of the profanity module. */
    public static final String PROFANITY_PID = "io.switchboard.module.profanity";

    /**
     * How long a wait may take unless it says otherwise (Awaitility's default here, see
     * {@link #frameworkIsHealthy()}): generous for a loaded 2-core CI machine, short enough to fail fast.
     */
    protected static final Duration WAIT_TIMEOUT = Duration.ofSeconds(10);

    /** How long a broker call (login, subscribe, publish) may take before the test fails. */
    protected static final Duration CALL_TIMEOUT = Duration.ofSeconds(10);

    /** The first framework problem found: later tests of the class fail at once with it. */
    private static volatile String frameworkProblem;
    /** Set when a login timed out: later logins of the class fail at once. */
    private static volatile String brokerUnresponsive;
    /** Services found missing, by description: later look-ups fail at once. */
    private static final Map<String, String> MISSING_SERVICES = new ConcurrentHashMap<>();

    @Inject
    protected BundleContext context;

    private final Deque<Cleanup> cleanups = new ArrayDeque<>();
    /** Services looked up during this test, by description (their trackers close after the test). */
    private final Map<String, Object> services = new ConcurrentHashMap<>();

    /** Prints what the broker knew about its modules when a test failed. */
    @Rule
    public final TestWatcher dumpOnFailure = new TestWatcher() {
        @Override
        protected void failed(Throwable e, Description description) {
            System.err.println("FAILED " + description + ": " + e);
            System.err.println(describeModules());
        }
    };

    // ---------------------------------------------------------------------------------------------
    // host side

    /** The framework of this class: the shared options plus {@link #extraOptions()}. */
    @Configuration
    public Option[] configuration() throws Exception {
        return OptionUtils.combine(Provisioning.baseOptions(getClass()), extraOptions());
    }

    /** Options this class adds (host side), e.g. {@link #fixture} bundles. */
    protected Option[] extraOptions() throws Exception {
        return new Option[0];
    }

    /** Builds a fixture bundle for this class (host side); install it with {@link #installFixture(String)}. */
    protected Option fixture(String key, FixtureBundle bundle) throws Exception {
        return Provisioning.fixture(getClass(), key, bundle);
    }

    // ---------------------------------------------------------------------------------------------
    // health check and clean-up

    /**
     * Sets how the tests wait, then fails fast when a bundle of the framework is not active (fragments:
     * not resolved), naming each such bundle with the framework's reason; the first diagnosis fails the
     * class's later tests too.
     */
    @Before
    public final void frameworkIsHealthy() {
        waitDefaults();
        if (frameworkProblem != null) {
            fail(frameworkProblem);
        }
        List<String> problems = new ArrayList<>();
        try {
            await("every bundle to be active").atMost(Duration.ofSeconds(5)).until(() -> inactiveBundles().isEmpty());
        } catch (ConditionTimeoutException notYet) {
            for (Bundle bundle : inactiveBundles()) {
                problems.add(diagnose(bundle));
            }
        }
        if (!problems.isEmpty()) {
            frameworkProblem = "the framework is not healthy:\n  " + String.join("\n  ", problems);
            fail(frameworkProblem);
        }
    }

    /**
     * Awaitility's defaults for every wait of the tests, in this framework's own Awaitility bundle: bounded
     * by {@link #WAIT_TIMEOUT}; the condition checked at once, then every 10 ms, on the test's thread (the
     * helpers it calls are not thread-safe); a {@link RuntimeException} from it (a module not listed yet, a
     * log line half written) means "not yet", and the last one is the timeout's cause.
     */
    private static void waitDefaults() {
        Awaitility.setDefaultTimeout(WAIT_TIMEOUT);
        Awaitility.setDefaultPollDelay(Duration.ZERO);
        Awaitility.setDefaultPollInterval(Duration.ofMillis(10));
        Awaitility.pollInSameThread();
        Awaitility.ignoreExceptionsByDefaultMatching(RuntimeException.class::isInstance);
    }

    /** Undoes what the test's helpers did, last first. */
    @After
    public final void cleanUp() throws Exception {
        Exception first = null;
        while (!cleanups.isEmpty()) {
            try {
                cleanups.pop().run();
            } catch (Exception | AssertionError e) {
                if (first == null) {
                    first = e instanceof Exception ex ? ex : new Exception(e);
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }

    /** Registers something to undo after the test (run last-registered first). */
    protected void onCleanup(Cleanup cleanup) {
        cleanups.push(cleanup);
    }

    /** An action undone after a test. */
    @FunctionalInterface
    public interface Cleanup {
        void run() throws Exception;
    }

    private List<Bundle> inactiveBundles() {
        List<Bundle> inactive = new ArrayList<>();
        for (Bundle bundle : context.getBundles()) {
            boolean fragment = (bundle.adapt(BundleRevision.class).getTypes() & BundleRevision.TYPE_FRAGMENT) != 0;
            int expected = fragment ? Bundle.RESOLVED : Bundle.ACTIVE;
            if (bundle.getState() != expected) {
                inactive.add(bundle);
            }
        }
        return inactive;
    }

    private static String diagnose(Bundle bundle) {
        String what = bundle.getSymbolicName() + " " + bundle.getVersion() + " [" + bundle.getBundleId() + "] "
                + stateName(bundle.getState()) + " (" + bundle.getLocation() + ")";
        if (bundle.getState() == Bundle.INSTALLED || bundle.getState() == Bundle.RESOLVED) {
            try {
                bundle.start();
            } catch (BundleException e) {
                StringBuilder reason = new StringBuilder(what).append(": ").append(e.getMessage());
                for (Throwable cause = e.getCause(); cause != null; cause = cause.getCause()) {
                    reason.append(" <- ").append(cause);
                }
                return reason.toString();
            }
        }
        return what;
    }

    /** The name of a bundle state. */
    protected static String stateName(int state) {
        return switch (state) {
            case Bundle.UNINSTALLED -> "UNINSTALLED";
            case Bundle.INSTALLED -> "INSTALLED";
            case Bundle.RESOLVED -> "RESOLVED";
            case Bundle.STARTING -> "STARTING";
            case Bundle.STOPPING -> "STOPPING";
            case Bundle.ACTIVE -> "ACTIVE";
            default -> "state " + state;
        };
    }

    // ---------------------------------------------------------------------------------------------
    // services

    /** The broker (the core's service), waited for with a bound. */
    protected Broker broker() {
        return service(Broker.class, null);
    }

    /** The broker's admin view (the core's service), waited for with a bound. */
    protected BrokerAdmin admin() {
        return service(BrokerAdmin.class, null);
    }

    /** Configuration Admin. */
    protected ConfigurationAdmin configAdmin() {
        return service(ConfigurationAdmin.class, null);
    }

    /** The framework's wiring view. */
    protected FrameworkWiring frameworkWiring() {
        return context.getBundle(Constants.SYSTEM_BUNDLE_LOCATION).adapt(FrameworkWiring.class);
    }

    /**
     * A service of {@code type} (matching {@code filter} if given), waited for up to
     * {@link #WAIT_TIMEOUT} and kept for the rest of the test; a service found missing once fails
     * later look-ups (of the whole class) at once.
     */
    protected <T> T service(Class<T> type, String filter) {
        String key = type.getName() + (filter == null ? "" : " " + filter);
        String missing = MISSING_SERVICES.get(key);
        if (missing != null) {
            fail(missing);
        }
        Object known = services.get(key);
        if (known != null) {
            return type.cast(known);
        }
        ServiceTracker<T, T> tracker;
        try {
            tracker = filter == null ? new ServiceTracker<>(context, type, null)
                    : new ServiceTracker<>(context,
                            context.createFilter("(&(" + Constants.OBJECTCLASS + "=" + type.getName() + ")" + filter + ")"),
                            null);
        } catch (InvalidSyntaxException e) {
            throw new IllegalArgumentException(e);
        }
        tracker.open();
        onCleanup(tracker::close);
        try {
            T service = tracker.waitForService(WAIT_TIMEOUT.toMillis());
            if (service == null) {
                String problem = "no " + key + " service within " + WAIT_TIMEOUT.toMillis() + " ms (is "
                        + providerHint(type) + " active and registering it?)";
                MISSING_SERVICES.put(key, problem);
                fail(problem);
            }
            services.put(key, service);
            return service;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted waiting for " + key, e);
        }
    }

    private static String providerHint(Class<?> type) {
        return type.getName().startsWith("io.switchboard.api") ? "io.switchboard.core" : "its bundle";
    }

    // ---------------------------------------------------------------------------------------------
    // sessions and messages

    /**
     * Logs an in-process client in (user = client id); its session is closed after the test. A login
     * that times out fails the class's later logins at once: the broker is not working.
     */
    protected ClientSession login(String clientId, Receiver receiver) {
        if (brokerUnresponsive != null) {
            fail(brokerUnresponsive);
        }
        ClientSession session;
        try {
            session = get(broker().login(LoginRequest.internal(clientId, clientId), receiver), "login of " + clientId);
        } catch (AssertionError e) {
            if (e.getCause() instanceof TimeoutException) {
                brokerUnresponsive = "an earlier login did not complete: " + e.getMessage() + " (see framework.log)";
            }
            throw e;
        }
        onCleanup(() -> session.close("test ended"));
        return session;
    }

    /** Logs a client in without a receiver of its own (a publisher). */
    protected ClientSession publisher(String clientId) {
        return login(clientId, new Inbox(clientId));
    }

    /** Logs a client in and subscribes it at QoS 1 to each filter; returns what it receives. */
    protected Inbox subscriber(String clientId, String... topicFilters) {
        Inbox inbox = new Inbox(clientId);
        ClientSession session = login(clientId, inbox);
        for (String filter : topicFilters) {
            Admission admission = get(session.subscribe(Subscription.of(filter, 1)), "subscribe " + clientId + " to " + filter);
            assertTrue("subscription of " + clientId + " to " + filter + " refused: " + admission, admission.isAccepted());
        }
        return inbox;
    }

    /** A QoS 1 text message. */
    protected static Message message(String topic, String payload) {
        return Message.builder(topic).qos(1).payload(payload).build();
    }

    /** Publishes and waits (bounded) for the chain's outcome. */
    protected static PublishResult publish(ClientSession session, Message message) {
        return get(session.publish(message), "publish to " + message.topic());
    }

    /** Publishes a QoS 1 text message and waits (bounded) for the chain's outcome. */
    protected static PublishResult publish(ClientSession session, String topic, String payload) {
        return publish(session, message(topic, payload));
    }

    /** Waits up to {@link #CALL_TIMEOUT} for {@code stage}; its failure fails the test. */
    protected static <T> T get(CompletionStage<T> stage, String what) {
        try {
            return stage.toCompletableFuture().get(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new AssertionError(what + " failed: " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new AssertionError(what + " did not complete within " + CALL_TIMEOUT.toMillis() + " ms", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted: " + what, e);
        }
    }

    /** The values of user property {@code name}, in order. */
    protected static List<String> userProperties(Message message, String name) {
        return message.userProperties().stream().filter(p -> p.name().equals(name)).map(p -> p.value())
                .collect(Collectors.toList());
    }

    // ---------------------------------------------------------------------------------------------
    // modules

    /**
     * Registers {@code module} from the probe bundle with a name, a ranking and {@code extra}
     * service properties; unregistered after the test.
     */
    protected ServiceRegistration<MessageModule> registerModule(String name, int ranking, MessageModule module,
            Map<String, ?> extra) {
        Hashtable<String, Object> properties = new Hashtable<>(extra);
        properties.put(ModuleProperties.NAME, name);
        properties.put(Constants.SERVICE_RANKING, ranking);
        ServiceRegistration<MessageModule> registration = context.registerService(MessageModule.class, module, properties);
        onCleanup(() -> {
            try {
                registration.unregister();
            } catch (IllegalStateException alreadyGone) {
                // unregistered by the test itself
            }
        });
        return registration;
    }

    /** Changes the ranking of a module registered with {@link #registerModule}, keeping its other properties. */
    protected static void setRanking(ServiceRegistration<?> registration, int ranking) {
        Hashtable<String, Object> properties = new Hashtable<>();
        for (String key : registration.getReference().getPropertyKeys()) {
            properties.put(key, registration.getReference().getProperty(key));
        }
        properties.put(Constants.SERVICE_RANKING, ranking);
        registration.setProperties(properties);
    }

    /** Every module the broker lists (active ones in chain order, then the others). */
    protected List<ModuleInfo> modules() {
        return admin().modules();
    }

    /** The module named {@code name}, if listed. */
    protected Optional<ModuleInfo> module(String name) {
        return modules().stream().filter(m -> name.equals(m.name())).findFirst();
    }

    /** Waits (bounded) until the module named {@code name} is listed and satisfies {@code test}. */
    protected ModuleInfo awaitModule(String what, String name, Predicate<ModuleInfo> test) {
        return await("module " + name + " " + what).until(() -> module(name).orElse(null), test);
    }

    /** The names of the {@code event} chain, in calling order, restricted to {@code names}. */
    protected List<String> chain(ChainEvent event, Collection<String> names) {
        return admin().chain(event).stream().map(ModuleInfo::name).filter(names::contains).collect(Collectors.toList());
    }

    /** Waits (bounded) until the message chain, restricted to {@code expected}'s names, is {@code expected}. */
    protected void awaitMessageChain(List<String> expected) {
        await("the message chain (restricted to " + expected + ") to be " + expected)
                .until(() -> chain(ChainEvent.MESSAGE, expected), expected::equals);
    }

    /** Waits (bounded) until no active module is named {@code name}. */
    protected void awaitModuleGone(String name) {
        await("module " + name + " to leave the chain")
                .until(() -> module(name).filter(m -> "ACTIVE".equals(m.state())).isEmpty());
    }

    /** What the broker lists about its modules (for failure reports). */
    protected String describeModules() {
        if (!MISSING_SERVICES.isEmpty()) {
            return "(no broker admin: " + MISSING_SERVICES.values() + ")";
        }
        try {
            ServiceTracker<BrokerAdmin, BrokerAdmin> tracker = new ServiceTracker<>(context, BrokerAdmin.class, null);
            tracker.open();
            try {
                BrokerAdmin admin = tracker.getService();
                return admin == null ? "(no broker admin)"
                        : "modules: " + admin.modules().stream().map(Object::toString).collect(Collectors.joining("\n  ", "\n  ", ""));
            } finally {
                tracker.close();
            }
        } catch (RuntimeException e) {
            return "(modules unavailable: " + e + ")";
        }
    }

    // ---------------------------------------------------------------------------------------------
    // configurations

    /**
     * Creates (or replaces) the factory configuration {@code factoryPid~name} with {@code properties};
     * deleted after the test, waiting until no module service is registered for it any more.
     */
    protected org.osgi.service.cm.Configuration factoryConfiguration(String factoryPid, String name,
            Map<String, ?> properties) throws IOException {
        org.osgi.service.cm.Configuration configuration = configAdmin().getFactoryConfiguration(factoryPid, name, "?");
        configuration.update(new Hashtable<>(properties));
        String pid = configuration.getPid();
        onCleanup(() -> {
            try {
                configuration.delete();
            } catch (IllegalStateException alreadyDeleted) {
                return;
            }
            await("the module of configuration " + pid + " to unregister").until(() -> moduleServices(pid) == 0);
        });
        return configuration;
    }

    /** How many module services are registered for configuration {@code pid}. */
    protected int moduleServices(String pid) {
        try {
            var refs = context.getServiceReferences(MessageModule.class, "(" + Constants.SERVICE_PID + "=" + pid + ")");
            return refs.size();
        } catch (InvalidSyntaxException e) {
            throw new IllegalArgumentException(e);
        }
    }

    /**
     * Waits (bounded) for the module service registered for configuration {@code pid} to be active in
     * the broker, and returns the name the broker lists it under (however the module and the broker
     * compose names of factory instances).
     */
    protected String awaitModuleOf(String pid) {
        long serviceId = await("a module service for configuration " + pid).until(() -> moduleServiceId(pid),
                Objects::nonNull);
        return await("BrokerAdmin to list the module of service " + serviceId + " (" + pid + ") as active").until(
                () -> modules().stream().filter(m -> m.serviceId() == serviceId && "ACTIVE".equals(m.state()))
                        .map(ModuleInfo::name).findFirst().orElse(null),
                Objects::nonNull);
    }

    private Long moduleServiceId(String pid) {
        try {
            return context.getServiceReferences(MessageModule.class, "(" + Constants.SERVICE_PID + "=" + pid + ")").stream()
                    .map(ref -> (Long) ref.getProperty(Constants.SERVICE_ID)).findFirst().orElse(null);
        } catch (InvalidSyntaxException e) {
            throw new IllegalArgumentException(e);
        }
    }

    /** Creates (or replaces) the singleton configuration {@code pid}; deleted after the test. */
    protected org.osgi.service.cm.Configuration configuration(String pid, Map<String, ?> properties) throws IOException {
        org.osgi.service.cm.Configuration configuration = configAdmin().getConfiguration(pid, "?");
        configuration.update(new Hashtable<>(properties));
        onCleanup(() -> {
            try {
                configuration.delete();
            } catch (IllegalStateException alreadyDeleted) {
                // deleted by the test
            }
        });
        return configuration;
    }

    /** Updates a configuration: its current properties with {@code changes} applied. */
    protected static void update(org.osgi.service.cm.Configuration configuration, Map<String, ?> changes) throws IOException {
        Hashtable<String, Object> properties = new Hashtable<>();
        Dictionary<String, Object> current = configuration.getProperties();
        if (current != null) {
            for (Enumeration<String> keys = current.keys(); keys.hasMoreElements();) {
                String key = keys.nextElement();
                if (!key.equals(Constants.SERVICE_PID) && !key.equals(ConfigurationAdmin.SERVICE_FACTORYPID)
                        && !key.equals(ConfigurationAdmin.SERVICE_BUNDLELOCATION)) {
                    properties.put(key, current.get(key));
                }
            }
        }
        properties.putAll(changes);
        configuration.update(properties);
    }

    // ---------------------------------------------------------------------------------------------
    // fixture bundles

    /** Where the fixture bundle {@code key} built by {@link #fixture} is (a {@code file:} URI). */
    protected String fixtureLocation(String key) {
        String location = context.getProperty(Provisioning.FIXTURE_PREFIX + key);
        assertNotNull("fixture " + key + " was not built for this class (add it in extraOptions())", location);
        return location;
    }

    /** Installs the fixture bundle {@code key} (not started); uninstalled and refreshed after the test. */
    protected Bundle installFixture(String key) throws BundleException {
        Bundle bundle = context.installBundle(fixtureLocation(key));
        onCleanup(() -> {
            if (bundle.getState() != Bundle.UNINSTALLED) {
                bundle.uninstall();
                refresh(null);
            }
        });
        return bundle;
    }

    /**
     * Refreshes {@code bundles} ({@code null}: those pending removal) and waits (bounded) for the
     * framework's PACKAGES_REFRESHED event.
     */
    protected void refresh(Collection<Bundle> bundles) throws InterruptedException {
        CountDownLatch refreshed = new CountDownLatch(1);
        List<FrameworkEvent> events = new ArrayList<>();
        frameworkWiring().refreshBundles(bundles, event -> {
            synchronized (events) {
                events.add(event);
            }
            if (event.getType() == FrameworkEvent.PACKAGES_REFRESHED) {
                refreshed.countDown();
            }
        });
        assertTrue("no PACKAGES_REFRESHED event within " + WAIT_TIMEOUT.toMillis() + " ms; events: " + events,
                refreshed.await(WAIT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS));
    }

    /** The installed bundles with symbolic name {@code bsn}. */
    protected List<Bundle> bundles(String bsn) {
        List<Bundle> found = new ArrayList<>();
        for (Bundle bundle : context.getBundles()) {
            if (bsn.equals(bundle.getSymbolicName())) {
                found.add(bundle);
            }
        }
        return found;
    }

    // ---------------------------------------------------------------------------------------------
    // working directory and captured log

    /** This class's working directory. */
    protected Path workDir() {
        return Path.of(context.getProperty(Provisioning.WORKDIR));
    }

    /** The directory FileInstall watches for {@code .cfg} files. */
    protected Path configDir() {
        return workDir().resolve(Provisioning.CONFIG_DIR_NAME);
    }

    /** The lines logged through SLF4J so far (the capturing provider's file). */
    protected List<String> logLines() {
        Path file = Path.of(context.getProperty(Provisioning.LOG_FILE));
        try {
            return Files.exists(file) ? Files.readAllLines(file, StandardCharsets.UTF_8) : List.of();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Waits (bounded) for a log line after the first {@code skip} lines matching {@code test}; returns it. */
    protected String awaitLogLine(String what, int skip, Predicate<String> test) {
        return await("a log line " + what)
                .until(() -> logLines().stream().skip(skip).filter(test).findFirst().orElse(null), Objects::nonNull);
    }
}
