package io.switchboard.module.profanity.internal;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.switchboard.api.Message;
import io.switchboard.api.Verdict;
import io.switchboard.testkit.Configs;
import io.switchboard.testkit.FakeHost;
import io.switchboard.testkit.ModuleProbe;

/**
 * One module instance driven as DS drives it, without a framework: the factory configuration
 * {@code io.switchboard.module.profanity~<configName>} is merged over the component's own properties,
 * the typed {@link ProfanityConfig} is built from the result as DS builds it ({@link Configs}), the host
 * services are the test kit's recording {@link FakeHost}.
 */
final class TestInstance {

    final ProfanityModule module = new ProfanityModule();
    /** What the module did through its host services: reported problems, log lines. */
    final FakeHost host = new FakeHost("io.switchboard.module.profanity");
    final ModuleProbe probe = ModuleProbe.of(module).with(host);
    private final String configName;

    TestInstance(String configName) {
        this.configName = configName;
        module.host = host;
    }

    /** The problems the module reported through HostServices; null entries are clears. */
    List<String> problems() {
        return host.problems();
    }

    /** The last problem reported, or null if none or cleared. */
    String problem() {
        return host.lastProblem();
    }

    /** A new instance activated with {@code configuration}. */
    static TestInstance activated(String configName, Map<String, ?> configuration) {
        TestInstance instance = new TestInstance(configName);
        instance.activate(configuration);
        return instance;
    }

    void activate(Map<String, ?> configuration) {
        Map<String, Object> properties = properties(configuration);
        module.activate(properties, config(properties));
    }

    void modify(Map<String, ?> configuration) {
        Map<String, Object> properties = properties(configuration);
        module.modified(properties, config(properties));
    }

    Verdict publish(String text) {
        return probe.message(Message.builder("chat/room1").payload(text).build()).from(null).verdict();
    }

    Verdict publish(byte[] payload) {
        return probe.message(Message.builder("chat/room1").payload(payload).build()).from(null).verdict();
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

    /** The component properties DS would compute: the component description's, then the configuration's. */
    private Map<String, Object> properties(Map<String, ?> configuration) {
        Map<String, Object> properties = new HashMap<>();
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

    /** A {@link ProfanityConfig} over {@code properties}, converted the way DS converts them. */
    static ProfanityConfig config(Map<String, ?> properties) {
        return Configs.of(ProfanityConfig.class, properties);
    }

    static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
