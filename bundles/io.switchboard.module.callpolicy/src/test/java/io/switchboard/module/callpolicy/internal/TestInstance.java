package io.switchboard.module.callpolicy.internal;

import java.lang.reflect.Proxy;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
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
 * The call policy driven as DS drives it, without a framework, on a clock the test sets: configuration
 * merged over the component's properties, {@link CallPolicyConfig} built as DS builds it, a recording
 * {@link FakeHost}, and the published service properties recorded.
 */
final class TestInstance {

    /** A clock the test sets and moves. */
    static final class TestClock extends Clock {
        private volatile Instant now;

        TestClock(Instant now) {
            this.now = now;
        }

        void set(Instant instant) {
            now = instant;
        }

        void advance(Duration duration) {
            now = now.plus(duration);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            throw new UnsupportedOperationException();
        }
    }

    final CallPolicyModule module = new CallPolicyModule();
    final FakeHost host = new FakeHost("io.switchboard.module.callpolicy");
    final ModuleProbe probe = ModuleProbe.of(module).with(host);
    final TestClock clock = new TestClock(Instant.parse("2026-11-25T12:00:00Z"));
    final List<Dictionary<String, ?>> published = new ArrayList<>();

    TestInstance() {
        module.host = host;
        module.clock = clock;
    }

    static TestInstance activated(Map<String, ?> configuration) {
        TestInstance instance = new TestInstance();
        instance.activate(configuration);
        return instance;
    }

    void activate(Map<String, ?> configuration) {
        Hashtable<String, Object> properties = properties(configuration);
        module.activate(context(properties), Configs.of(CallPolicyConfig.class, properties));
    }

    void modify(Map<String, ?> configuration) {
        Hashtable<String, Object> properties = properties(configuration);
        module.modified(context(properties), Configs.of(CallPolicyConfig.class, properties));
    }

    /** Sets the clock to {@code time} (ISO, e.g. 2026-11-25T23:30:00Z). */
    void at(String time) {
        clock.set(Instant.parse(time));
    }

    Dictionary<String, ?> lastPublished() {
        return published.get(published.size() - 1);
    }

    private static Hashtable<String, Object> properties(Map<String, ?> configuration) {
        Hashtable<String, Object> properties = new Hashtable<>(Configs.properties(CallPolicyConfig.class, Map.of()));
        properties.put("component.name", CallPolicyModule.PID);
        properties.put("component.id", 5L);
        properties.putAll(configuration);
        properties.put("service.pid", CallPolicyModule.PID);
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
                    case "toString" -> "context of the call policy";
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }
}
