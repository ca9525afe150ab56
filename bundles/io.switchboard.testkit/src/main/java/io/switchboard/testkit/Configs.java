package io.switchboard.testkit;

import java.lang.annotation.Annotation;
import java.lang.reflect.Array;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Proxy;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Builds a module's configuration annotation (its {@code @ObjectClassDefinition}, or any DS component
 * property type) from a {@code Map}, the way Declarative Services builds it from a configuration:
 *
 * <pre>{@code
 * MyConfig config = Configs.of(MyConfig.class, Map.of("max.size", "10", "topics", "a/#, b/#"));
 * module.activate(config);
 * }</pre>
 *
 * <ul>
 * <li>Member names map to property names as DS maps them: {@code _} is {@code .}, {@code __} is
 * {@code _}, {@code $_$} is {@code -}, {@code $$} is {@code $}, a single {@code $} is dropped; a
 * {@code PREFIX_} constant is prepended; the {@code value} member of a single-element annotation is
 * named after the type ({@code MaxSize.value} is {@code max.size}).</li>
 * <li>A missing property takes the member's default (DS puts the defaults into the component
 * properties); with no default it is 0, false, {@code null} or an empty array.</li>
 * <li>Values are converted as Felix SCR converts them: strings parsed to numbers, booleans
 * ({@code "true"}, any case) and enums (exact constant name); a single value becomes a one-element
 * array; an array or collection given for a single value yields its first element. Strings are not
 * trimmed and {@code "a, b"} stays one string, exactly as a {@code .cfg} file's plain value reaches a
 * component.</li>
 * <li>A value that cannot be converted throws when the member is called, as in DS (where Felix wraps
 * it in a {@code ComponentException} whose message begins with the exception's class name); here the
 * conversion's own exception ({@code NumberFormatException}, {@code IllegalArgumentException}) is thrown.</li>
 * </ul>
 */
public final class Configs {

    private static final Pattern IDENTIFIER = Pattern.compile("(\\$_\\$)|(\\$\\$)|(\\$)|(__)|(_)");

    private Configs() {
    }

    /** A {@code type} over {@code properties} (defaults for the missing ones). */
    public static <A> A of(Class<A> type, Map<String, ?> properties) {
        Objects.requireNonNull(type, "type");
        if (!type.isInterface()) {
            throw new IllegalArgumentException(type.getName() + " is not an annotation or interface");
        }
        Map<String, Object> props = new HashMap<>(properties);
        Map<String, Object> values = new LinkedHashMap<>();
        Map<String, RuntimeException> invalid = new HashMap<>();
        for (Method member : members(type)) {
            String key = propertyName(type, member);
            Object raw = props.containsKey(key) ? props.get(key) : member.getDefaultValue();
            try {
                values.put(member.getName(), convert(raw, member.getReturnType()));
            } catch (RuntimeException e) {
                invalid.put(member.getName(), e);
            }
        }
        InvocationHandler handler = new Handler(type, Collections.unmodifiableMap(values), invalid);
        return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, handler));
    }

    /** A {@code type} with every member at its default. */
    public static <A> A defaults(Class<A> type) {
        return of(type, Map.of());
    }

    /**
     * The properties DS would give a component configured with {@code properties} and {@code type} as its
     * configuration type: each member's default under its property name, overridden by {@code properties}
     * (which may hold more keys). Handy for the {@code Map<String, Object>} or {@code ComponentContext}
     * arguments of {@code activate} methods.
     */
    public static Map<String, Object> properties(Class<?> type, Map<String, ?> properties) {
        Map<String, Object> result = new LinkedHashMap<>();
        for (Method member : members(type)) {
            Object def = member.getDefaultValue();
            if (def != null) {
                result.put(propertyName(type, member), def);
            }
        }
        result.putAll(properties);
        return result;
    }

    /** The property name DS reads for {@code member} of {@code type}. */
    public static String propertyName(Class<?> type, Method member) {
        String mapped = isSingleElement(type) && member.getName().equals("value")
                ? typeNameToKey(type.getSimpleName())
                : identifierToKey(member.getName());
        String prefix = prefix(type);
        return prefix == null ? mapped : prefix + mapped;
    }

    // ------------------------------------------------------------------------------ naming

    private static Method[] members(Class<?> type) {
        return Arrays.stream(type.getMethods())
                .filter(m -> m.getParameterCount() == 0 && !Modifier.isStatic(m.getModifiers()))
                .filter(m -> !isAnnotationMethod(m) && !m.isDefault())
                .toArray(Method[]::new);
    }

    private static boolean isAnnotationMethod(Method m) {
        try {
            Annotation.class.getMethod(m.getName(), m.getParameterTypes());
            return true;
        } catch (NoSuchMethodException e) {
            return false;
        }
    }

    private static boolean isSingleElement(Class<?> type) {
        if (!type.isAnnotation()) {
            return false;
        }
        boolean hasValue = false;
        for (Method m : members(type)) {
            if (m.getName().equals("value")) {
                hasValue = true;
            } else if (m.getDefaultValue() == null) {
                return false;
            }
        }
        return hasValue;
    }

    private static String prefix(Class<?> type) {
        try {
            Field f = type.getField("PREFIX_");
            if (Modifier.isStatic(f.getModifiers()) && f.getType() == String.class) {
                Object value = f.get(null);
                return value == null ? null : value.toString();
            }
        } catch (NoSuchFieldException | IllegalAccessException e) {
            // no prefix
        }
        return null;
    }

    static String identifierToKey(String name) {
        Matcher m = IDENTIFIER.matcher(name);
        StringBuilder b = new StringBuilder();
        while (m.find()) {
            String replacement;
            if (m.group(1) != null) {
                replacement = "-";
            } else if (m.group(2) != null) {
                replacement = "\\$";
            } else if (m.group(3) != null) {
                replacement = "";
            } else if (m.group(4) != null) {
                replacement = "_";
            } else {
                replacement = ".";
            }
            m.appendReplacement(b, replacement);
        }
        m.appendTail(b);
        return b.toString();
    }

    static String typeNameToKey(String name) {
        StringBuilder sb = new StringBuilder();
        boolean lastLow = false;
        for (char c : name.toCharArray()) {
            boolean letterOrDigit = Character.isLetter(c) || Character.isDigit(c);
            if (lastLow && letterOrDigit && Character.isUpperCase(c)) {
                sb.append('.');
            }
            lastLow = letterOrDigit && Character.isLowerCase(c);
            sb.append(Character.toLowerCase(c));
        }
        return sb.toString();
    }

    // ------------------------------------------------------------------------------ conversion

    private static Object convert(Object raw, Class<?> type) {
        if (type.isArray()) {
            Class<?> component = type.getComponentType();
            if (raw == null) {
                return Array.newInstance(component, 0);
            }
            if (raw.getClass().isArray()) {
                int n = Array.getLength(raw);
                Object result = Array.newInstance(component, n);
                for (int i = 0; i < n; i++) {
                    Array.set(result, i, single(Array.get(raw, i), component));
                }
                return result;
            }
            if (raw instanceof Collection<?> c) {
                Object result = Array.newInstance(component, c.size());
                int i = 0;
                for (Object o : c) {
                    Array.set(result, i++, single(o, component));
                }
                return result;
            }
            Object result = Array.newInstance(component, 1);
            Array.set(result, 0, single(raw, component));
            return result;
        }
        return single(raw, type);
    }

    private static Object single(Object raw, Class<?> type) {
        Object o = first(raw);
        if (type == String.class) {
            return o == null ? null : o.toString();
        }
        if (type == boolean.class || type == Boolean.class) {
            if (o instanceof Boolean b) {
                return b;
            }
            if (o instanceof String s) {
                return Boolean.parseBoolean(s);
            }
            if (o instanceof Number n) {
                return n.doubleValue() != 0;
            }
            if (o instanceof Character c) {
                return c != 0;
            }
            return o == null ? Boolean.FALSE : unrecognized(o);
        }
        if (type == char.class || type == Character.class) {
            if (o instanceof Character c) {
                return c;
            }
            if (o instanceof String s) {
                return s.isEmpty() ? (char) 0 : s.charAt(0);
            }
            if (o instanceof Number n) {
                return (char) n.intValue();
            }
            if (o instanceof Boolean b) {
                return b ? (char) 1 : (char) 0;
            }
            return o == null ? (char) 0 : unrecognized(o);
        }
        if (type.isEnum()) {
            if (o == null) {
                return null;
            }
            if (o instanceof String s) {
                return enumValue(type, s);
            }
            if (type.isInstance(o)) {
                return o;
            }
            return unrecognized(o);
        }
        if (type == Class.class) {
            if (o == null) {
                return null;
            }
            if (o instanceof Class<?>) {
                return o;
            }
            try {
                return Class.forName(o.toString(), false, Configs.class.getClassLoader());
            } catch (ClassNotFoundException e) {
                throw new IllegalArgumentException(e.toString(), e);
            }
        }
        if (type.isPrimitive() || Number.class.isAssignableFrom(type)) {
            return number(o, type);
        }
        if (o == null || type.isInstance(o)) {
            return o;
        }
        return unrecognized(o);
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Object enumValue(Class<?> type, String name) {
        return Enum.valueOf((Class) type, name);
    }

    private static Object number(Object o, Class<?> type) {
        if (o == null) {
            o = 0;
        } else if (o instanceof Boolean b) {
            o = b ? 1 : 0;
        } else if (o instanceof Character c) {
            o = (int) c;
        }
        if (o instanceof String s) {
            if (type == int.class || type == Integer.class) {
                return Integer.parseInt(s);
            } else if (type == long.class || type == Long.class) {
                return Long.parseLong(s);
            } else if (type == double.class || type == Double.class) {
                return Double.parseDouble(s);
            } else if (type == float.class || type == Float.class) {
                return Float.parseFloat(s);
            } else if (type == short.class || type == Short.class) {
                return Short.parseShort(s);
            } else if (type == byte.class || type == Byte.class) {
                return Byte.parseByte(s);
            }
        }
        if (o instanceof Number n) {
            if (type == int.class || type == Integer.class) {
                return n.intValue();
            } else if (type == long.class || type == Long.class) {
                return n.longValue();
            } else if (type == double.class || type == Double.class) {
                return n.doubleValue();
            } else if (type == float.class || type == Float.class) {
                return n.floatValue();
            } else if (type == short.class || type == Short.class) {
                return n.shortValue();
            } else if (type == byte.class || type == Byte.class) {
                return n.byteValue();
            }
        }
        return unrecognized(o);
    }

    private static Object first(Object raw) {
        if (raw instanceof Collection<?> c) {
            return c.isEmpty() ? null : c.iterator().next();
        }
        if (raw != null && raw.getClass().isArray()) {
            return Array.getLength(raw) == 0 ? null : Array.get(raw, 0);
        }
        return raw;
    }

    private static Object unrecognized(Object o) {
        throw new IllegalArgumentException("Unrecognized input value: " + o + " of type: " + o.getClass());
    }

    // ------------------------------------------------------------------------------ proxy

    private static final class Handler implements InvocationHandler {
        private final Class<?> type;
        private final Map<String, Object> values;
        private final Map<String, RuntimeException> invalid;

        Handler(Class<?> type, Map<String, Object> values, Map<String, RuntimeException> invalid) {
            this.type = type;
            this.values = values;
            this.invalid = invalid;
        }

        @Override
        public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
            String name = method.getName();
            RuntimeException bad = invalid.get(name);
            if (bad != null) {
                bad.fillInStackTrace();
                throw bad;
            }
            if (values.containsKey(name)) {
                Object v = values.get(name);
                return v != null && v.getClass().isArray() ? cloneArray(v) : v;
            }
            if (method.isDefault()) {
                return InvocationHandler.invokeDefault(proxy, method, args);
            }
            switch (name) {
                case "toString":
                    return type.getName() + " : " + describe();
                case "hashCode":
                    return System.identityHashCode(proxy);
                case "equals":
                    return proxy == args[0];
                case "annotationType":
                    return type;
                default:
                    throw new UnsupportedOperationException(name);
            }
        }

        private String describe() {
            Map<String, Object> shown = new LinkedHashMap<>();
            values.forEach((k, v) -> shown.put(k, v != null && v.getClass().isArray() ? arrayToString(v) : v));
            invalid.forEach((k, e) -> shown.put(k, "<invalid: " + e.getMessage() + ">"));
            return shown.toString();
        }

        private static Object cloneArray(Object array) {
            int n = Array.getLength(array);
            Object copy = Array.newInstance(array.getClass().getComponentType(), n);
            System.arraycopy(array, 0, copy, 0, n);
            return copy;
        }

        private static String arrayToString(Object array) {
            StringBuilder b = new StringBuilder("[");
            for (int i = 0; i < Array.getLength(array); i++) {
                b.append(i == 0 ? "" : ", ").append(Array.get(array, i));
            }
            return b.append(']').toString();
        }
    }
}
