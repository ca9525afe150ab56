package io.switchboard.core.internal;

import java.lang.annotation.Annotation;
import java.lang.reflect.Proxy;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import io.switchboard.api.MessageModule;
import io.switchboard.api.ModuleProperties;
import io.switchboard.core.internal.modules.ModuleRegistry;
import io.switchboard.core.internal.modules.Quarantine;
import io.switchboard.core.internal.workers.WorkerThread;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.ServiceRegistration;
import org.osgi.framework.Version;

/**
 * Just enough of an OSGi framework, as dynamic proxies, to build the core's real module entries and
 * to activate a real {@link BrokerCore} on the plain class path. None of it is on a measured path:
 * the chain reads what it needs from a reference once, when the module joins.
 */
final class StandInOsgi {

    private static final AtomicLong SERVICE_IDS = new AtomicLong(100);
    private static final AtomicLong BUNDLE_IDS = new AtomicLong(10);

    private StandInOsgi() {
    }

    static Bundle bundle(String symbolicName) {
        long id = BUNDLE_IDS.incrementAndGet();
        return proxy(Bundle.class, (name, args) -> switch (name) {
            case "getSymbolicName", "toString" -> symbolicName;
            case "getVersion" -> new Version(1, 0, 0);
            case "getBundleId" -> id;
            case "getState" -> Bundle.ACTIVE;
            case "hashCode" -> (int) id;
            default -> null;
        });
    }

    /** The registration of a module called {@code name} with {@code ranking}, from its own bundle. */
    static ServiceReference<MessageModule> moduleReference(String name, int ranking) {
        Bundle bundle = bundle("bench.module." + name);
        Map<String, Object> properties = new HashMap<>();
        properties.put(Constants.SERVICE_ID, SERVICE_IDS.incrementAndGet());
        properties.put(Constants.SERVICE_RANKING, ranking);
        properties.put(ModuleProperties.NAME, name);
        @SuppressWarnings("unchecked")
        ServiceReference<MessageModule> ref = proxy(ServiceReference.class, (method, args) -> switch (method) {
            case "getProperty" -> properties.get((String) args[0]);
            case "getPropertyKeys" -> properties.keySet().toArray(new String[0]);
            case "getBundle" -> bundle;
            case "hashCode" -> properties.get(Constants.SERVICE_ID).hashCode();
            case "toString" -> "reference to module " + name;
            default -> null;
        });
        return ref;
    }

    /** A bundle context with no other services: registrations succeed, service trackers find nothing. */
    static BundleContext context(Bundle own) {
        return proxy(BundleContext.class, (name, args) -> switch (name) {
            case "registerService" -> proxy(ServiceRegistration.class, (n, a) -> null);
            case "getBundles" -> new Bundle[0];
            case "getBundle" -> own;
            default -> null;
        });
    }

    /** The core's configuration: its defaults, with {@code workers} worker threads. */
    static CoreConfig coreConfig(int workers) {
        return config(CoreConfig.class, Map.of("workers", workers));
    }

    /** A worker (never started) whose quarantine has the core's default settings; benchmark modules never fail. */
    static WorkerThread worker() {
        Quarantine quarantine = new Quarantine(new ModuleRegistry(), System::currentTimeMillis, Quarantine.Settings.of(coreConfig(1)));
        return new WorkerThread(0, quarantine, () -> {
        }, () -> {
        });
    }

    private static <A extends Annotation> A config(Class<A> type, Map<String, Object> overrides) {
        return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (p, m, args) -> {
            if (overrides.containsKey(m.getName())) {
                return overrides.get(m.getName());
            }
            if (m.getDefaultValue() != null) {
                return m.getDefaultValue();
            }
            return switch (m.getName()) {
                case "annotationType" -> type;
                case "hashCode" -> 0;
                case "equals" -> p == args[0];
                default -> m.getName();
            };
        }));
    }

    @FunctionalInterface
    private interface Handler {
        Object handle(String method, Object[] args);
    }

    private static <T> T proxy(Class<T> type, Handler handler) {
        return type.cast(Proxy.newProxyInstance(StandInOsgi.class.getClassLoader(), new Class<?>[] {type},
                (p, m, args) -> {
                    if (m.getName().equals("equals")) {
                        return p == args[0];
                    }
                    Object result = handler.handle(m.getName(), args);
                    if (result == null && m.getReturnType().isPrimitive()) {
                        Class<?> r = m.getReturnType();
                        return r == boolean.class ? Boolean.FALSE : r == long.class ? (Object) 0L : r == void.class ? null : (Object) 0;
                    }
                    return result;
                }));
    }
}
