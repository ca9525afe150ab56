package io.switchboard.core.internal;

import java.lang.annotation.Annotation;
import java.lang.reflect.Proxy;
import java.util.Dictionary;
import java.util.HashMap;
import java.util.Hashtable;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntSupplier;

import io.switchboard.api.MessageModule;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.ServiceRegistration;
import org.osgi.framework.Version;

/** Just enough of an OSGi framework, as dynamic proxies, to drive the core in unit tests. */
public final class FakeOsgi {

    private static final AtomicLong SERVICE_IDS = new AtomicLong(100);
    private static final AtomicLong BUNDLE_IDS = new AtomicLong(10);

    private FakeOsgi() {
    }

    public static Bundle bundle(String symbolicName) {
        return bundle(symbolicName, "1.0.0", () -> Bundle.ACTIVE);
    }

    /** A bundle whose state the test drives (e.g. STOPPING while its module's service goes away). */
    static Bundle bundle(String symbolicName, String version, IntSupplier state) {
        long id = BUNDLE_IDS.incrementAndGet();
        Version parsed = Version.parseVersion(version);
        return proxy(Bundle.class, (name, args) -> switch (name) {
            case "getSymbolicName" -> symbolicName;
            case "getVersion" -> parsed;
            case "getBundleId" -> id;
            case "getState" -> state.getAsInt();
            case "hashCode" -> (int) id;
            case "toString" -> symbolicName;
            default -> null;
        });
    }

    /** A service reference whose properties the test may change (then tell the core's whiteboard it was modified). */
    public static ServiceReference<MessageModule> reference(Bundle bundle, Map<String, Object> properties) {
        Map<String, Object> props = new HashMap<>(properties);
        props.put(Constants.SERVICE_ID, SERVICE_IDS.incrementAndGet());
        @SuppressWarnings("unchecked")
        ServiceReference<MessageModule> ref = proxy(ServiceReference.class, (name, args) -> switch (name) {
            case "getProperty" -> props.get((String) args[0]);
            case "getBundle" -> bundle;
            case "getPropertyKeys" -> props.keySet().toArray(new String[0]);
            case "hashCode" -> props.get(Constants.SERVICE_ID).hashCode();
            case "toString" -> "ref" + props;
            default -> null;
        });
        REFERENCE_PROPERTIES.put(ref, props);
        return ref;
    }

    private static final Map<Object, Map<String, Object>> REFERENCE_PROPERTIES = new java.util.concurrent.ConcurrentHashMap<>();

    static void setProperty(ServiceReference<?> ref, String key, Object value) {
        REFERENCE_PROPERTIES.get(ref).put(key, value);
    }

    static BundleContext context(Bundle own) {
        return proxy(BundleContext.class, (name, args) -> switch (name) {
            case "registerService" -> proxy(ServiceRegistration.class, (n, a) -> null);
            case "getBundles" -> new Bundle[0];
            case "getBundle" -> own;
            default -> null;
        });
    }

    /** An instance of a configuration annotation: defaults, with {@code overrides} by member name. */
    static <A extends Annotation> A config(Class<A> type, Map<String, Object> overrides) {
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

    static Dictionary<String, Object> dictionary(Map<String, Object> map) {
        return new Hashtable<>(map);
    }

    @FunctionalInterface
    interface Handler {
        Object handle(String method, Object[] args);
    }

    private static <T> T proxy(Class<T> type, Handler handler) {
        return type.cast(Proxy.newProxyInstance(FakeOsgi.class.getClassLoader(), new Class<?>[] {type},
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
