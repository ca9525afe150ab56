package io.switchboard.shell.internal;

import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import io.switchboard.api.MessageModule;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;

/**
 * Just enough of a framework for {@code sb:config}: a {@link BundleContext} that lists the registered
 * {@link MessageModule} services, and a {@link ConfigurationAdmin} holding configurations by PID.
 * The fakes are proxies answering the few methods the shell calls; any other call fails the test.
 */
final class FakeFramework {

    /** The properties of each registered module service, in registration order. */
    final List<Map<String, Object>> moduleServices = new ArrayList<>();
    /** Configurations by PID. */
    final Map<String, Map<String, Object>> configurations = new LinkedHashMap<>();
    /** The filters {@link ConfigurationAdmin#listConfigurations} was called with. */
    final List<String> configFilters = new ArrayList<>();

    /** Registers a module service of bundle {@code bsn [bundleId]}. */
    void registerModule(String bsn, long bundleId, Map<String, Object> properties) {
        Map<String, Object> props = new LinkedHashMap<>(properties);
        props.put("objectClass", new String[] {MessageModule.class.getName()});
        props.putIfAbsent("service.id", (long) (100 + moduleServices.size()));
        props.put("service.bundleid", bundleId);
        props.put("service.scope", "bundle");
        props.put("test.bundle", fake(Bundle.class, Map.of(
                "getSymbolicName", args -> bsn,
                "getBundleId", args -> bundleId,
                "getVersion", args -> org.osgi.framework.Version.parseVersion(
                        String.valueOf(properties.getOrDefault("test.version", "1.0.0"))))));
        moduleServices.add(props);
    }

    BundleContext context() {
        return fake(BundleContext.class, Map.of("getServiceReferences", args -> {
            if (args[0] != MessageModule.class || args[1] != null) {
                throw new UnsupportedOperationException("unexpected lookup: " + args[0] + " " + args[1]);
            }
            List<ServiceReference<?>> refs = new ArrayList<>();
            moduleServices.forEach(props -> refs.add(reference(props)));
            return refs;
        }));
    }

    ConfigurationAdmin configAdmin() {
        return fake(ConfigurationAdmin.class, Map.of("listConfigurations", args -> {
            String filter = (String) args[0];
            configFilters.add(filter);
            String prefix = "(service.pid=";
            if (filter == null || !filter.startsWith(prefix) || !filter.endsWith(")")) {
                throw new UnsupportedOperationException("unexpected filter: " + filter);
            }
            String pid = filter.substring(prefix.length(), filter.length() - 1).replaceAll("\\\\(.)", "$1");
            Map<String, Object> config = configurations.get(pid);
            return config == null ? null : new Configuration[] {configuration(pid, config)};
        }));
    }

    private static ServiceReference<?> reference(Map<String, Object> props) {
        return fake(ServiceReference.class, Map.of(
                "getProperty", args -> props.get((String) args[0]),
                "getPropertyKeys", args -> props.keySet().stream().filter(k -> !k.startsWith("test.")).toArray(String[]::new),
                "getBundle", args -> props.get("test.bundle")));
    }

    private static Configuration configuration(String pid, Map<String, Object> config) {
        return fake(Configuration.class, Map.of(
                "getPid", args -> pid,
                "getProperties", args -> {
                    Dictionary<String, Object> d = new Hashtable<>(config);
                    d.put("service.pid", pid);
                    return d;
                }));
    }

    /** A proxy of {@code type} answering the named methods; anything else throws. */
    static <T> T fake(Class<T> type, Map<String, Function<Object[], Object>> answers) {
        Object proxy = Proxy.newProxyInstance(FakeFramework.class.getClassLoader(), new Class<?>[] {type},
                (self, method, args) -> {
                    Function<Object[], Object> answer = answers.get(method.getName());
                    if (answer != null) {
                        return answer.apply(args == null ? new Object[0] : args);
                    }
                    return switch (method.getName()) {
                        case "toString" -> "fake " + type.getSimpleName();
                        case "hashCode" -> System.identityHashCode(self);
                        case "equals" -> self == args[0];
                        default -> throw new UnsupportedOperationException("fake " + type.getSimpleName()
                                + " does not do " + method.getName());
                    };
                });
        return type.cast(proxy);
    }
}
