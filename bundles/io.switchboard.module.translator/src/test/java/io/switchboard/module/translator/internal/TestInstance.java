package io.switchboard.module.translator.internal;

import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;

import org.apache.felix.scr.component.ExtComponentContext;
import org.osgi.service.component.ComponentContext;

import io.switchboard.testkit.Configs;
import io.switchboard.testkit.FakeHost;
import io.switchboard.testkit.ModuleProbe;

/**
 * The translator driven as DS drives it, without a framework: its configuration merged over the
 * component's own properties, the typed {@link TranslatorConfig} built as DS builds it ({@link Configs}),
 * a recording host ({@link FakeHost}, or one doing real HTTP), and a component context recording the
 * service properties the module sets with its derived ones (Felix SCR's {@code ExtComponentContext}).
 */
final class TestInstance {

    final TranslatorModule module = new TranslatorModule();
    final FakeHost host;
    final ModuleProbe probe;
    /** Every service property set the module published, oldest first. */
    final List<Dictionary<String, ?>> published = new ArrayList<>();

    TestInstance(FakeHost host) {
        this.host = host;
        module.host = host;
        probe = ModuleProbe.of(module).with(host);
    }

    TestInstance() {
        this(new FakeHost("io.switchboard.module.translator"));
    }

    /** A translator activated with {@code configuration}, on a scripted host. */
    static TestInstance activated(Map<String, ?> configuration) {
        TestInstance instance = new TestInstance();
        instance.activate(configuration);
        return instance;
    }

    TestInstance activate(Map<String, ?> configuration) {
        Hashtable<String, Object> properties = properties(configuration);
        module.activate(context(properties), properties, Configs.of(TranslatorConfig.class, properties));
        return this;
    }

    void modify(Map<String, ?> configuration) {
        Hashtable<String, Object> properties = properties(configuration);
        module.modified(context(properties), properties, Configs.of(TranslatorConfig.class, properties));
    }

    Dictionary<String, ?> lastPublished() {
        return published.get(published.size() - 1);
    }

    /** The component properties DS would compute: the component description's, then the configuration's. */
    private static Hashtable<String, Object> properties(Map<String, ?> configuration) {
        Hashtable<String, Object> properties = new Hashtable<>(Configs.properties(TranslatorConfig.class, Map.of()));
        properties.put("component.name", TranslatorModule.PID);
        properties.put("component.id", 3L);
        properties.put("switchboard.module.type", "FILTER");
        properties.put("switchboard.module.maturity", "BETA");
        properties.putAll(configuration);
        properties.put("service.pid", TranslatorModule.PID);
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
                    case "toString" -> "context of the translator";
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }
}
