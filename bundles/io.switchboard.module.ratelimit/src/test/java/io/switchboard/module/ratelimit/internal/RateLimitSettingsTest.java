package io.switchboard.module.ratelimit.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.switchboard.testkit.Configs;

class RateLimitSettingsTest {

    private static RateLimitSettings compile(Object... keyValues) {
        Map<String, Object> config = new HashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            config.put((String) keyValues[i], keyValues[i + 1]);
        }
        return RateLimitSettings.compile(config, Configs.of(RateLimitConfig.class, config), 0);
    }

    private static void assertRefused(String expectedMessage, Object... keyValues) {
        assertThatIllegalArgumentException().isThrownBy(() -> compile(keyValues)).withMessage(expectedMessage);
    }

    @Test
    void defaults() {
        RateLimitSettings s = compile();

        assertThat(s.clientLimit()).isEqualTo(new Limit(100, 100, "100/s"));
        assertThat(s.topicRules()).isEmpty();
        assertThat(s.ranking()).isEqualTo(1000);
        assertThat(s.name()).isEqualTo("ratelimit");
        assertThat(s.exempt("alice")).isFalse();
        assertThat(s.exempt(null)).isFalse();
    }

    @Test
    void readsTopicRulesWithAndWithoutBurst() {
        RateLimitSettings s = compile("topic.rules", new String[] {"sensors/#:100/s", "a:b/c:10/m:5, x/+:2.5"},
                "client.rate", "50", "client.burst", "7", "exempt.users", "ops, bot");

        assertThat(s.topicRules()).extracting(r -> r.filter() + " " + r.limit())
                .containsExactly("sensors/# 100/s burst 100", "a:b/c 10/m burst 5", "x/+ 2.5/s burst 3");
        assertThat(s.clientLimit()).isEqualTo(new Limit(50, 7, "50/s"));
        assertThat(s.exempt("ops")).isTrue();
        assertThat(s.exempt("bot")).isTrue();
        assertThat(s.ruleFor("sensors/1")).isSameAs(s.topicRules().get(0));
        assertThat(s.ruleFor("a:b/c")).isSameAs(s.topicRules().get(1));
        assertThat(s.ruleFor("y/1")).isNull();
    }

    @Test
    void aFilterMayContainColons() {
        RateLimitSettings s = compile("topic.rules", "ns:v1/#:5, ns:2:10/s");

        assertThat(s.topicRules()).extracting(r -> r.filter() + " " + r.limit())
                .containsExactly("ns:v1/# 5/s burst 5", "ns:2 10/s burst 10");
    }

    @Test
    void keepsTheBucketsOfUnchangedFilters() {
        RateLimitSettings before = compile("topic.rules", "a:1, b:1");
        RateLimitSettings after = compile("topic.rules", "b:5, c:1").keepingBucketsOf(before);

        assertThat(after.topicRules().get(0).bucket()).isSameAs(before.topicRules().get(1).bucket());
        assertThat(after.topicRules().get(0).limit().perSecond()).isEqualTo(5.0);
        assertThat(after.topicRules().get(1).bucket()).isNotSameAs(before.topicRules().get(0).bucket());
    }

    @Test
    void namesTheAttributeOfEachProblem() {
        assertRefused("client.rate: 'fast' is not a rate like 100/s, 600/m or 10/h", "client.rate", "fast");
        assertRefused("client.burst: '-1' is not an integer from 0 to 1000000", "client.burst", -1);
        assertRefused("client.burst: 'abc' is not an integer from 0 to 1000000", "client.burst", "abc");
        assertRefused("topic.rules: 'sensors' is not <topic filter>:<rate>[:<burst>] (e.g. sensors/#:100/s)",
                "topic.rules", "sensors");
        assertRefused("topic.rules: 'a/#/b:1': 'a/#/b' is not a valid MQTT topic filter: '#' must be a whole level and the last one",
                "topic.rules", "a/#/b:1");
        assertRefused("topic.rules: 'a:0': the rate must be more than 0", "topic.rules", "a:0");
        assertRefused("topic.rules: 'a:1/s:0': the burst must be between 1 and 1000000", "topic.rules", "a:1/s:0");
        assertRefused("topic.rules: 'a:often': 'often' is not a rate like 100/s, 600/m or 10/h", "topic.rules", "a:often");
        assertRefused("exempt.users: 'a,,b': entry 2 is blank (an empty value or a stray comma?)", "exempt.users", "a,,b");
        assertRefused("service.ranking: 'high' is not an integer", "service.ranking", "high");
    }
}
