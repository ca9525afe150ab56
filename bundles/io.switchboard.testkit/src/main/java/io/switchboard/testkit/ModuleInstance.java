package io.switchboard.testkit;

import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.Collections;
import java.util.Dictionary;
import java.util.Enumeration;
import java.util.Hashtable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import io.switchboard.api.MessageModule;

/**
 * One module component driven as Declarative Services drives it, without a framework: each
 * {@link #activate} and {@link #modify} computes the component properties DS would pass (the
 * configuration type's defaults and the component's own properties, then the configuration, then
 * {@code component.name}, {@code component.id}, {@code service.pid} and, for a factory configuration,
 * {@code service.factoryPid}), builds the configuration annotation from them as DS does ({@link Configs}),
 * and calls the module's own lifecycle method with them.
 *
 * <pre>{@code
 * GreeterModule module = new GreeterModule();
 * module.host = host;
 * ModuleInstance<GreeterModule, GreeterConfig> greeter = ModuleInstance.builder(module, GreeterConfig.class)
 *         .pid("com.acme.greeter").host(host)
 *         .onActivate((m, call) -> m.activate(call.properties(), call.config()))
 *         .onModified((m, call) -> m.modified(call.properties(), call.config()))
 *         .build()
 *         .activate(Map.of("greeting", "hi"));
 * greeter.probe().publish(TestMessages.text("alice", "chat/room", "hello")).assertPassed();
 * greeter.modify(Map.of("greeting", ""));
 * }</pre>
 *
 * <p>A lifecycle method taking a component context gets one from {@link LifecycleCall#componentContext}:
 * it answers {@code getProperties()} and records {@code setServiceProperties(Dictionary)} (Felix SCR's
 * {@code ExtComponentContext}) in {@link #publishedProperties()}, so a module that publishes derived
 * service properties can be checked without a framework, and without the kit depending on DS or Felix.
 *
 * @param <M> the module's class
 * @param <C> its configuration annotation
 */
public final class ModuleInstance<M extends MessageModule, C extends Annotation> {

    /** DS numbers components from 1 in the order it creates them; so does the kit, across instances. */
    private static final AtomicLong NEXT_COMPONENT_ID = new AtomicLong(1);

    private final M module;
    private final Class<C> configType;
    private final String pid;
    private final String factoryConfigurationName;
    private final Map<String, Object> componentProperties;
    private final FakeHost host;
    private final ModuleProbe probe;
    private final LifecycleMethod<M, C> activateMethod;
    private final LifecycleMethod<M, C> modifiedMethod;
    private final long componentId = NEXT_COMPONENT_ID.getAndIncrement();
    private final List<Map<String, Object>> published = new CopyOnWriteArrayList<>();
    private volatile Map<String, Object> properties = Map.of();

    private ModuleInstance(Builder<M, C> builder) {
        this.module = builder.module;
        this.configType = builder.configType;
        this.pid = Objects.requireNonNull(builder.pid, "pid (the component's configuration PID) is required");
        this.factoryConfigurationName = builder.factoryConfigurationName;
        this.componentProperties = Map.copyOf(builder.componentProperties);
        this.host = Objects.requireNonNull(builder.host, "host (the FakeHost given to the module) is required");
        this.activateMethod = Objects.requireNonNull(builder.activateMethod, "onActivate is required");
        this.modifiedMethod = builder.modifiedMethod;
        this.probe = ModuleProbe.of(module).with(host);
    }

    /** Starts describing the component {@code module}, configured through {@code configType}. */
    public static <M extends MessageModule, C extends Annotation> Builder<M, C> builder(M module, Class<C> configType) {
        return new Builder<>(Objects.requireNonNull(module, "module"), Objects.requireNonNull(configType, "configType"));
    }

    /**
     * Calls the {@link Builder#onActivate activate method} with {@code configuration}; what it throws
     * (a rejected configuration) reaches the caller, as DS reports a failed activation.
     */
    public ModuleInstance<M, C> activate(Map<String, ?> configuration) {
        activateMethod.call(module, call(configuration));
        return this;
    }

    /** Calls the {@link Builder#onModified modified method} with {@code configuration}, a change applied live. */
    public ModuleInstance<M, C> modify(Map<String, ?> configuration) {
        if (modifiedMethod == null) {
            throw new IllegalStateException("no modified method: give one with onModified");
        }
        modifiedMethod.call(module, call(configuration));
        return this;
    }

    private LifecycleCall<C> call(Map<String, ?> configuration) {
        Map<String, Object> computed = new LinkedHashMap<>(Configs.properties(configType, componentProperties));
        computed.putAll(configuration);
        computed.put("component.name", pid);
        computed.put("component.id", componentId);
        if (factoryConfigurationName == null) {
            computed.put("service.pid", pid);
        } else {
            computed.put("service.pid", pid + "~" + factoryConfigurationName);
            computed.put("service.factoryPid", pid);
        }
        properties = Collections.unmodifiableMap(computed);
        return new LifecycleCall<>(properties, Configs.of(configType, properties), published::add);
    }

    /** The module. */
    public M module() {
        return module;
    }

    /** The host given to the builder. */
    public FakeHost host() {
        return host;
    }

    /** A probe of the module with {@link #host()}. */
    public ModuleProbe probe() {
        return probe;
    }

    /** The component properties of the last {@link #activate} or {@link #modify} (empty before). */
    public Map<String, Object> properties() {
        return properties;
    }

    /** Every set of service properties the module published through its component context, oldest first. */
    public List<Map<String, Object>> publishedProperties() {
        return List.copyOf(published);
    }

    /** The service properties the module published last; fails if it published none. */
    public Map<String, Object> lastPublishedProperties() {
        List<Map<String, Object>> all = publishedProperties();
        if (all.isEmpty()) {
            throw new org.opentest4j.AssertionFailedError("the module published no service properties");
        }
        return all.get(all.size() - 1);
    }

    @Override
    public String toString() {
        return "ModuleInstance[" + properties.getOrDefault("service.pid", pid) + "]";
    }

    /**
     * A lifecycle method of the module ({@code activate} or {@code modified}), called as DS calls it:
     * {@code (module, call) -> module.activate(call.properties(), call.config())}.
     *
     * @param <M> the module's class
     * @param <C> its configuration annotation
     */
    @FunctionalInterface
    public interface LifecycleMethod<M, C extends Annotation> {
        /** Calls the method on {@code module} with the arguments of {@code call}. */
        void call(M module, LifecycleCall<C> call);
    }

    /**
     * The arguments DS has for one lifecycle call: the component properties, the configuration annotation
     * over them, and a component context.
     *
     * @param <C> the configuration annotation
     */
    public static final class LifecycleCall<C extends Annotation> {

        private final Map<String, Object> properties;
        private final C config;
        private final Consumer<Map<String, Object>> publisher;

        LifecycleCall(Map<String, Object> properties, C config, Consumer<Map<String, Object>> publisher) {
            this.properties = properties;
            this.config = config;
            this.publisher = publisher;
        }

        /** The component properties (unmodifiable, as DS passes them). */
        public Map<String, Object> properties() {
            return properties;
        }

        /** The configuration annotation over {@link #properties()}. */
        public C config() {
            return config;
        }

        /**
         * A component context of type {@code contextType} (an interface: {@code ComponentContext}, or
         * Felix SCR's {@code ExtComponentContext}). {@code getProperties()} returns {@link #properties()}
         * as a {@code Dictionary}; {@code setServiceProperties(Dictionary)} is recorded in
         * {@link ModuleInstance#publishedProperties()}; any other method throws
         * {@link UnsupportedOperationException}. The methods are matched by name, so the kit needs
         * neither DS nor Felix on its class path.
         */
        public <T> T componentContext(Class<T> contextType) {
            if (!contextType.isInterface()) {
                throw new IllegalArgumentException(contextType.getName() + " is not an interface");
            }
            Hashtable<String, Object> dictionary = new Hashtable<>(properties);
            return contextType.cast(Proxy.newProxyInstance(contextType.getClassLoader(), new Class<?>[] {contextType},
                    (proxy, method, args) -> switch (method.getName()) {
                        case "getProperties" -> dictionary;
                        case "setServiceProperties" -> {
                            publisher.accept(copy(serviceProperties(method, args)));
                            yield null;
                        }
                        case "toString" -> "component context of " + properties.get("service.pid");
                        case "hashCode" -> System.identityHashCode(proxy);
                        case "equals" -> proxy == args[0];
                        default -> throw new UnsupportedOperationException(method.getName() + " (not in the test kit's component context)");
                    }));
        }

        private static Dictionary<?, ?> serviceProperties(Method method, Object[] args) {
            if (args == null || args.length != 1 || !(args[0] instanceof Dictionary<?, ?> dictionary)) {
                throw new UnsupportedOperationException(method + " (expected setServiceProperties(Dictionary))");
            }
            return dictionary;
        }

        private static Map<String, Object> copy(Dictionary<?, ?> dictionary) {
            Map<String, Object> map = new LinkedHashMap<>();
            for (Enumeration<?> keys = dictionary.keys(); keys.hasMoreElements();) {
                Object key = keys.nextElement();
                map.put((String) key, dictionary.get(key));
            }
            return Collections.unmodifiableMap(map);
        }
    }

    /**
     * Describes the component: its PID, the host the module was given, its component properties and its
     * lifecycle methods.
     *
     * @param <M> the module's class
     * @param <C> its configuration annotation
     */
    public static final class Builder<M extends MessageModule, C extends Annotation> {

        private final M module;
        private final Class<C> configType;
        private String pid;
        private String factoryConfigurationName;
        private final Map<String, Object> componentProperties = new LinkedHashMap<>();
        private FakeHost host;
        private LifecycleMethod<M, C> activateMethod;
        private LifecycleMethod<M, C> modifiedMethod;

        private Builder(M module, Class<C> configType) {
            this.module = module;
            this.configType = configType;
        }

        /** The component's name and configuration PID (required). */
        public Builder<M, C> pid(String pid) {
            this.pid = Objects.requireNonNull(pid, "pid");
            return this;
        }

        /**
         * Configures the component from the factory configuration {@code <pid>~<name>}
         * ({@code configadmin/<pid>-<name>.cfg}) instead of the single configuration {@code <pid>}.
         */
        public Builder<M, C> factoryConfiguration(String name) {
            this.factoryConfigurationName = Objects.requireNonNull(name, "name");
            return this;
        }

        /** A property of the component description (e.g. {@code switchboard.module.type}); the configuration overrides it. */
        public Builder<M, C> componentProperty(String name, Object value) {
            componentProperties.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /** The host the test gave the module (required): {@link ModuleInstance#probe()} reports on it. */
        public Builder<M, C> host(FakeHost host) {
            this.host = Objects.requireNonNull(host, "host");
            return this;
        }

        /** The module's {@code @Activate} method (required). */
        public Builder<M, C> onActivate(LifecycleMethod<M, C> activate) {
            this.activateMethod = Objects.requireNonNull(activate, "activate");
            return this;
        }

        /** The module's {@code @Modified} method, for {@link ModuleInstance#modify}. */
        public Builder<M, C> onModified(LifecycleMethod<M, C> modified) {
            this.modifiedMethod = Objects.requireNonNull(modified, "modified");
            return this;
        }

        /** The instance, not yet activated. */
        public ModuleInstance<M, C> build() {
            return new ModuleInstance<>(this);
        }
    }
}
