package io.switchboard.module.callpolicy.internal;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;

import io.switchboard.testkit.Configs;
import io.switchboard.testkit.FakeHost;
import io.switchboard.testkit.ModuleProbe;

/**
 * The call policy driven as DS drives it, without a framework, on a clock the test sets: configuration
 * merged over the component's properties, {@link CallPolicyConfig} built as DS builds it, and a recording
 * {@link FakeHost}.
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
        Map<String, Object> properties = properties(configuration);
        module.activate(properties, Configs.of(CallPolicyConfig.class, properties));
    }

    void modify(Map<String, ?> configuration) {
        Map<String, Object> properties = properties(configuration);
        module.modified(properties, Configs.of(CallPolicyConfig.class, properties));
    }

    /** Sets the clock to {@code time} (ISO, e.g. 2026-11-25T23:30:00Z). */
    void at(String time) {
        clock.set(Instant.parse(time));
    }

    /** The component properties DS would pass: the configuration over the component's own. */
    private static Map<String, Object> properties(Map<String, ?> configuration) {
        Map<String, Object> properties = new HashMap<>(Configs.properties(CallPolicyConfig.class, Map.of()));
        properties.put("component.name", CallPolicyModule.PID);
        properties.put("component.id", 5L);
        properties.putAll(configuration);
        properties.put("service.pid", CallPolicyModule.PID);
        return properties;
    }
}
