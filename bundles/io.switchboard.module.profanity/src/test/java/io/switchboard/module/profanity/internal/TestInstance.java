package io.switchboard.module.profanity.internal;

import java.lang.reflect.Array;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;

import org.apache.felix.scr.component.ExtComponentContext;
import org.osgi.service.component.ComponentContext;

import io.switchboard.api.Message;
import io.switchboard.api.Verdict;

/**
 * One module instance driven as DS drives it, without a framework: the factory configuration
 * {@code io.switchboard.module.profanity~<configName>} is merged over the component's own properties,
 * the typed {@link ProfanityConfig} is a proxy over the result (converting values as DS does), and the
 * component context records the service properties the module publishes.
 */
final class TestInstance {

    final ProfanityModule module = new ProfanityModule();
    /** The problems the module reported through HostServices; null entries are clears. */
    final List<String> problems = new ArrayList<>();
    /** Every service property set the module published, oldest first. */
    final List<Dictionary<String, ?>> published = new ArrayList<>();
    private final String configName;

    TestInstance(String configName) {
        this.configName = configName;
        module.host = (io.switchboard.api.HostServices) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {io.switchboard.api.HostServices.class}, (proxy, method, args) -> {
                    if (method.getName().equals("reportProblem")) {
                        problems.add((String) args[1]);
                        return null;
                    }
                    throw new UnsupportedOperationException(method.getName());
                });
    }

    /** The last problem reported, or null if none or cleared. */
    String problem() {
        return problems.isEmpty() ? null : problems.get(problems.size() - 1);
    }

    /** A new instance activated with {@code configuration}. */
    static TestInstance activated(String configName, Map<String, ?> configuration) {
        TestInstance instance = new TestInstance(configName);
        instance.activate(configuration);
        return instance;
    }

    void activate(Map<String, ?> configuration) {
        Hashtable<String, Object> properties = properties(configuration);
        module.activate(context(properties), config(properties));
    }

    void modify(Map<String, ?> configuration) {
        Hashtable<String, Object> properties = properties(configuration);
        module.modified(context(properties), config(properties));
    }

    Verdict publish(String text) {
        return module.onMessage(Message.builder("chat/room1").payload(text).build(), null);
    }

    Verdict publish(byte[] payload) {
        return module.onMessage(Message.builder("chat/room1").payload(payload).build(), null);
    }

    /** The payload text the next module would see: the masked copy, or the original if passed. */
    String seen(String text) {
        Verdict verdict = publish(text);
        return switch (verdict.kind()) {
            case PASS -> text;
            case REPLACE -> verdict.message().payloadText();
            default -> throw new AssertionError("expected pass or replace, got " + verdict);
        };
    }

    Dictionary<String, ?> lastPublished() {
        return published.get(published.size() - 1);
    }

    /** The component properties DS would compute: the component description's, then the configuration's. */
    private Hashtable<String, Object> properties(Map<String, ?> configuration) {
        Hashtable<String, Object> properties = new Hashtable<>();
        properties.put("component.name", ProfanityModule.PID);
        properties.put("component.id", 7L);
        properties.put("switchboard.module.name", "profanity");
        properties.put("switchboard.module.type", "FILTER");
        properties.put("switchboard.module.maturity", "GA");
        properties.put("service.ranking", 0);
        properties.putAll(configuration);
        properties.put("service.pid", ProfanityModule.PID + "~" + configName);
        properties.put("service.factoryPid", ProfanityModule.PID);
        properties.put(".private", "not published");
        return properties;
    }

    private ComponentContext context(Hashtable<String, Object> properties) {
        return (ComponentContext) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {ExtComponentContext.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "getProperties" -> properties;
                    case "setServiceProperties" -> {
                        @SuppressWarnings("unchecked")
                        Dictionary<String, ?> set = (Dictionary<String, ?>) args[0];
                        published.add(set);
                        yield null;
                    }
                    case "toString" -> "context of " + configName;
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    /** A {@link ProfanityConfig} over {@code properties}, converting values the way DS does. */
    static ProfanityConfig config(Map<String, ?> properties) {
        return (ProfanityConfig) Proxy.newProxyInstance(ProfanityConfig.class.getClassLoader(),
                new Class<?>[] {ProfanityConfig.class}, (proxy, method, args) -> {
                    if (method.getDeclaringClass() != ProfanityConfig.class) {
                        return method.getName().equals("toString") ? properties.toString() : null;
                    }
                    String key = method.getName().replace('_', '.');
                    Object raw = properties.containsKey(key) ? properties.get(key) : method.getDefaultValue();
                    return convert(raw, method);
                });
    }

    private static Object convert(Object raw, Method method) {
        Class<?> type = method.getReturnType();
        if (type == String[].class) {
            if (raw == null) {
                return new String[0];
            }
            if (raw instanceof String[] array) {
                return array;
            }
            if (raw instanceof Collection<?> c) {
                return c.stream().map(String::valueOf).toArray(String[]::new);
            }
            if (raw.getClass().isArray()) {
                String[] array = new String[Array.getLength(raw)];
                for (int i = 0; i < array.length; i++) {
                    array[i] = String.valueOf(Array.get(raw, i));
                }
                return array;
            }
            return new String[] {String.valueOf(raw)};
        }
        if (type == int.class) {
            return raw instanceof Number n ? n.intValue() : Integer.parseInt(String.valueOf(raw).trim());
        }
        if (type == boolean.class) {
            return raw instanceof Boolean b ? b : Boolean.parseBoolean(String.valueOf(raw));
        }
        return raw == null ? null : String.valueOf(raw);
    }

    static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
