package io.switchboard.module.ratelimit.internal;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.switchboard.testkit.Configs;
import io.switchboard.testkit.FakeHost;
import io.switchboard.testkit.ModuleProbe;

/**
 * The rate limit driven as DS drives it, without a framework, on a clock the test moves
 * ({@link #advance}): configuration merged over the component's properties, {@link RateLimitConfig}
 * built as DS builds it, and a recording {@link FakeHost}.
 */
final class TestInstance {

    final RateLimitModule module = new RateLimitModule();
    final FakeHost host = new FakeHost("io.switchboard.module.ratelimit");
    final ModuleProbe probe = ModuleProbe.of(module).with(host);
    /** The module's clock, in nanoseconds; starts far from 0 to catch arithmetic that assumes otherwise. */
    private final long[] now = {-5_000_000_000L};

    TestInstance() {
        module.host = host;
        module.nanoTime = () -> now[0];
    }

    static TestInstance activated(Map<String, ?> configuration) {
        TestInstance instance = new TestInstance();
        instance.activate(configuration);
        return instance;
    }

    void activate(Map<String, ?> configuration) {
        Map<String, Object> properties = properties(configuration);
        module.activate(properties, Configs.of(RateLimitConfig.class, properties));
    }

    void modify(Map<String, ?> configuration) {
        Map<String, Object> properties = properties(configuration);
        module.modified(properties, Configs.of(RateLimitConfig.class, properties));
    }

    /** Moves the module's clock on. */
    void advance(long amount, TimeUnit unit) {
        now[0] += unit.toNanos(amount);
    }

    /** The component properties DS would compute: the defaults, then the configuration. */
    private static Map<String, Object> properties(Map<String, ?> configuration) {
        Map<String, Object> properties = new HashMap<>(Configs.properties(RateLimitConfig.class, Map.of()));
        properties.put("component.name", RateLimitModule.PID);
        properties.put("component.id", 4L);
        properties.putAll(configuration);
        properties.put("service.pid", RateLimitModule.PID);
        return properties;
    }
}
