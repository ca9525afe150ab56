package io.switchboard.module.ratelimit.internal;

import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.felix.scr.component.ExtComponentContext;
import org.osgi.service.component.ComponentContext;

import io.switchboard.testkit.Configs;
import io.switchboard.testkit.FakeHost;
import io.switchboard.testkit.ModuleProbe;

/**
 * The rate limit driven as DS drives it, without a framework, on a clock the test moves
 * ({@link #advance}): configuration merged over the component's properties, {@link RateLimitConfig}
 * built as DS builds it, a recording {@link FakeHost}, and the published service properties recorded.
 */
final class TestInstance {

    final RateLimitModule module = new RateLimitModule();
    final FakeHost host = new FakeHost("io.switchboard.module.ratelimit");
    final ModuleProbe probe = ModuleProbe.of(module).with(host);
    final List<Dictionary<String, ?>> published = new ArrayList<>();
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
        Hashtable<String, Object> properties = properties(configuration);
        module.activate(context(properties), Configs.of(RateLimitConfig.class, properties));
    }

    void modify(Map<String, ?> configuration) {
        Hashtable<String, Object> properties = properties(configuration);
        module.modified(context(properties), Configs.of(RateLimitConfig.class, properties));
    }

    /** Moves the module's clock on. */
    void advance(long amount, TimeUnit unit) {
        now[0] += unit.toNanos(amount);
    }

    Dictionary<String, ?> lastPublished() {
        return published.get(published.size() - 1);
    }

    private static Hashtable<String, Object> properties(Map<String, ?> configuration) {
        Hashtable<String, Object> properties = new Hashtable<>(Configs.properties(RateLimitConfig.class, Map.of()));
        properties.put("component.name", RateLimitModule.PID);
        properties.put("component.id", 4L);
        properties.putAll(configuration);
        properties.put("service.pid", RateLimitModule.PID);
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
                    case "toString" -> "context of the rate limit";
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }
}
