package io.switchboard.itest.mqtt.support;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ExtensionContext.Namespace;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * Gives test classes a running {@link Broker}: declare a {@code Broker} parameter (in {@code @BeforeAll},
 * {@code @BeforeEach} or a test method).
 *
 * <p>By default every class shares ONE distribution, started on first use and stopped (SIGTERM) when the
 * whole run ends: the suite stays fast and the tests keep apart by their own client ids and topics
 * ({@link Names}). A class annotated {@link Dedicated} gets its own distribution, stopped after the class
 * (for tests that change the broker's configuration or try to break it). When the
 * {@value Broker#EXTERNAL_PREFIX}tcp system property is set, every class uses that external broker instead.
 *
 * <p>When a test fails, the end of the broker's console and log is printed to the test's output.
 */
public final class BrokerExtension implements ParameterResolver, TestWatcher {

    /** The class gets a broker of its own. */
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.TYPE)
    public @interface Dedicated {
        /**
         * Configuration files written into the copy's {@code configadmin/} before the start, one entry per
         * property: {@code "<file name>: <key> = <value>"}, e.g. {@code "io.switchboard.mqtt.cfg: server.keep.alive = 5"}.
         */
        String[] config() default {};

        /** Properties added to every test listener's configuration: {@code "<key> = <value>"}. */
        String[] listener() default {};
    }

    private static final Namespace NAMESPACE = Namespace.create(BrokerExtension.class);

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == Broker.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return broker(context);
    }

    /** The broker of {@code context}'s class, started if need be. */
    public static Broker broker(ExtensionContext context) {
        Class<?> testClass = context.getRequiredTestClass();
        boolean dedicated = testClass.isAnnotationPresent(Dedicated.class);
        ExtensionContext owner = dedicated ? classContext(context) : context.getRoot();
        String key = dedicated ? "broker:" + testClass.getName() : "broker:shared";
        Dedicated settings = testClass.getAnnotation(Dedicated.class);
        Holder holder = owner.getStore(NAMESPACE).getOrComputeIfAbsent(key,
                k -> new Holder(dedicated ? testClass.getSimpleName() : "shared", settings), Holder.class);
        return holder.get();
    }

    private static ExtensionContext classContext(ExtensionContext context) {
        ExtensionContext current = context;
        while (current.getTestMethod().isPresent() && current.getParent().isPresent()) {
            current = current.getParent().get();
        }
        return current;
    }

    @Override
    public void testFailed(ExtensionContext context, Throwable cause) {
        try {
            Optional<Class<?>> testClass = context.getTestClass();
            if (testClass.isEmpty()) {
                return;
            }
            Broker broker = broker(context);
            System.out.println("[" + context.getDisplayName() + " failed] " + cause + broker.diagnostics());
        } catch (RuntimeException e) {
            // diagnostics only
        }
    }

    /** Starts the broker on first use; stops it when its store closes. */
    @SuppressWarnings("deprecation") // CloseableResource: still the portable way across JUnit 5 versions
    static final class Holder implements ExtensionContext.Store.CloseableResource {
        private final String name;
        private final Dedicated settings;
        private Broker broker;
        private RuntimeException failure;

        Holder(String name, Dedicated settings) {
            this.name = name;
            this.settings = settings;
        }

        synchronized Broker get() {
            if (failure != null) {
                throw failure; // started and failed once: do not retry for every class
            }
            if (broker == null) {
                try {
                    broker = Broker.external();
                    if (broker == null) {
                        Path work = Files.createTempDirectory("sb-mqtt-" + name + "-");
                        Map<String, Map<String, String>> files = new LinkedHashMap<>();
                        Map<String, String> listener = new LinkedHashMap<>();
                        if (settings != null) {
                            for (String line : settings.config()) {
                                int colon = line.indexOf(':');
                                int equals = line.indexOf('=', colon);
                                files.computeIfAbsent(line.substring(0, colon).trim(), f -> new LinkedHashMap<>())
                                        .put(line.substring(colon + 1, equals).trim(), line.substring(equals + 1).trim());
                            }
                            for (String line : settings.listener()) {
                                int equals = line.indexOf('=');
                                listener.put(line.substring(0, equals).trim(), line.substring(equals + 1).trim());
                            }
                        }
                        broker = Broker.startDistribution(work, files, listener);
                    }
                } catch (Exception e) {
                    failure = new IllegalStateException("cannot start the Switchboard distribution: " + e.getMessage(), e);
                    throw failure;
                }
            }
            return broker;
        }

        @Override
        public synchronized void close() {
            if (broker != null) {
                broker.close();
            }
        }
    }
}
