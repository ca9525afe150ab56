package io.switchboard.module.chatbot.internal;

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
 * One bot driven as DS drives it, without a framework: the factory configuration
 * {@code io.switchboard.module.chatbot~<configName>} merged over the component's properties, the typed
 * {@link ChatbotConfig} built as DS builds it ({@link Configs}), a recording host ({@link FakeHost}, or
 * one doing real HTTP), and the service properties the module sets with its derived topic recorded
 * (Felix SCR's {@code ExtComponentContext}).
 */
final class TestInstance {

    final ChatbotModule module = new ChatbotModule();
    final FakeHost host;
    final ModuleProbe probe;
    final List<Dictionary<String, ?>> published = new ArrayList<>();
    private final String configName;

    TestInstance(String configName, FakeHost host) {
        this.configName = configName;
        this.host = host;
        module.host = host;
        probe = ModuleProbe.of(module).with(host);
    }

    TestInstance(String configName) {
        this(configName, new FakeHost("io.switchboard.module.chatbot"));
    }

    static TestInstance activated(String configName, Map<String, ?> configuration) {
        TestInstance instance = new TestInstance(configName);
        instance.activate(configuration);
        return instance;
    }

    TestInstance activate(Map<String, ?> configuration) {
        Hashtable<String, Object> properties = properties(configuration);
        module.activate(context(properties), properties, Configs.of(ChatbotConfig.class, properties));
        return this;
    }

    void modify(Map<String, ?> configuration) {
        Hashtable<String, Object> properties = properties(configuration);
        module.modified(context(properties), properties, Configs.of(ChatbotConfig.class, properties));
    }

    Dictionary<String, ?> lastPublished() {
        return published.get(published.size() - 1);
    }

    private Hashtable<String, Object> properties(Map<String, ?> configuration) {
        Hashtable<String, Object> properties = new Hashtable<>(Configs.properties(ChatbotConfig.class, Map.of()));
        properties.put("component.name", ChatbotModule.PID);
        properties.put("component.id", 6L);
        properties.put("switchboard.module.type", "ROUTER");
        properties.putAll(configuration);
        properties.put("service.pid", ChatbotModule.PID + "~" + configName);
        properties.put("service.factoryPid", ChatbotModule.PID);
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
}
