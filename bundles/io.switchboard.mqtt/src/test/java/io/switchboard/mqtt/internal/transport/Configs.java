package io.switchboard.mqtt.internal.transport;

import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.Map;

/**
 * Typed configurations as DS builds them, without a framework: a proxy over a property map, where a member
 * {@code tls_keystore} reads {@code tls.keystore}, an absent property gives the member's default (or the
 * type's zero), and strings are converted as DS converts values from a {@code .cfg} file.
 */
final class Configs {

    private Configs() {
    }

    static <A> A of(Class<A> type, Map<String, ?> properties) {
        return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (proxy, method, args) -> {
            if (method.getDeclaringClass() == Object.class || method.getName().equals("annotationType")) {
                return switch (method.getName()) {
                    case "toString" -> type.getSimpleName() + properties;
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    default -> type;
                };
            }
            Object value = properties.get(method.getName().replace('_', '.'));
            return value == null ? absent(method) : convert(value, method.getReturnType());
        }));
    }

    private static Object absent(Method method) {
        Object fallback = method.getDefaultValue();
        if (fallback != null) {
            return fallback;
        }
        Class<?> type = method.getReturnType();
        if (type == int.class) {
            return 0;
        }
        if (type == boolean.class) {
            return false;
        }
        return type == String[].class ? new String[0] : null;
    }

    private static Object convert(Object value, Class<?> type) {
        if (type == int.class) {
            return value instanceof Number n ? n.intValue() : Integer.parseInt(value.toString().trim());
        }
        if (type == boolean.class) {
            return value instanceof Boolean b ? b : Boolean.parseBoolean(value.toString().trim());
        }
        if (type == String[].class) {
            return value instanceof String[] array ? array : new String[] {value.toString()};
        }
        return value.toString();
    }
}
