package io.switchboard.module.callpolicy.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.switchboard.module.callpolicy.internal.CallPolicySettings.Window;
import io.switchboard.testkit.Configs;

class CallPolicySettingsTest {

    private static CallPolicySettings compile(Object... keyValues) {
        Map<String, Object> config = new HashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            config.put((String) keyValues[i], keyValues[i + 1]);
        }
        return CallPolicySettings.compile(config, Configs.of(CallPolicyConfig.class, config));
    }

    private static void assertRefused(String expectedMessage, Object... keyValues) {
        assertThatIllegalArgumentException().isThrownBy(() -> compile(keyValues)).withMessage(expectedMessage);
    }

    @Test
    void defaults() {
        CallPolicySettings s = compile();

        assertThat(s.dnd()).isEmpty();
        assertThat(s.zone()).isEqualTo(ZoneId.systemDefault());
        assertThat(s.historySize()).isEqualTo(100);
        assertThat(s.ranking()).isZero();
        assertThat(s.name()).isEqualTo("callpolicy");
    }

    @Test
    void readsWindows() {
        CallPolicySettings s = compile("dnd", new String[] {"bob:22:00-07:00, bob: 12:30 - 13:00 ", "a:b:9:05-24:00@Asia/Tokyo"},
                "time.zone", "Europe/Berlin");

        assertThat(s.dnd().get("bob")).containsExactly(new Window(22 * 60, 7 * 60, ZoneId.of("Europe/Berlin")),
                new Window(12 * 60 + 30, 13 * 60, ZoneId.of("Europe/Berlin")));
        assertThat(s.dnd().get("a:b")).containsExactly(new Window(9 * 60 + 5, 24 * 60, ZoneId.of("Asia/Tokyo")));
        assertThat(s.dnd().get("a:b").get(0)).hasToString("09:05-24:00 Asia/Tokyo");
    }

    @Test
    void findsTheWindowAUserIsIn() {
        CallPolicySettings s = compile("dnd", "bob:22:00-07:00, bob:12:00-13:00", "time.zone", "UTC");

        assertThat(s.dndWindow("bob", Instant.parse("2026-01-01T12:30:00Z")).endText()).isEqualTo("13:00");
        assertThat(s.dndWindow("bob", Instant.parse("2026-01-01T00:30:00Z")).endText()).isEqualTo("07:00");
        assertThat(s.dndWindow("bob", Instant.parse("2026-01-01T09:00:00Z"))).isNull();
        assertThat(s.dndWindow("alice", Instant.parse("2026-01-01T00:30:00Z"))).isNull();
        assertThat(s.dndWindow(null, Instant.parse("2026-01-01T00:30:00Z"))).isNull();
    }

    @Test
    void allDay() {
        Window allDay = compile("dnd", "bob:00:00-24:00", "time.zone", "UTC").dnd().get("bob").get(0);

        for (String time : List.of("00:00", "12:00", "23:59")) {
            assertThat(allDay.contains(Instant.parse("2026-01-01T" + time + ":00Z"))).as(time).isTrue();
        }
    }

    @Test
    void zonesFollowDaylightSaving() {
        Window berlinNight = compile("dnd", "bob:22:00-07:00@Europe/Berlin").dnd().get("bob").get(0);

        assertThat(berlinNight.contains(Instant.parse("2026-01-15T21:30:00Z"))).as("22:30 CET").isTrue();
        assertThat(berlinNight.contains(Instant.parse("2026-07-15T21:30:00Z"))).as("23:30 CEST").isTrue();
        assertThat(berlinNight.contains(Instant.parse("2026-07-15T05:30:00Z"))).as("07:30 CEST").isFalse();
        assertThat(berlinNight.contains(Instant.parse("2026-01-15T05:30:00Z"))).as("06:30 CET").isTrue();
        assertThat(compile("time.zone", "+02:00").zone()).isEqualTo(ZoneOffset.ofHours(2));
    }

    @Test
    void fillsInTheReason() {
        CallPolicySettings s = compile("dnd", "bob:22:00-07:00", "dnd.reason", "{callee} is away until {until}; {callee}!");

        assertThat(s.reason("bob", s.dnd().get("bob").get(0))).isEqualTo("bob is away until 07:00; bob!");
    }

    @Test
    void namesTheAttributeOfEachProblem() {
        assertRefused("dnd: 'bob' is not <user>:<HH:MM>-<HH:MM>[@<time zone>] (e.g. bob:22:00-07:00)", "dnd", "bob");
        assertRefused("dnd: 'bob:22-07' is not <user>:<HH:MM>-<HH:MM>[@<time zone>] (e.g. bob:22:00-07:00)", "dnd", "bob:22-07");
        assertRefused("dnd: ':22:00-07:00' is not <user>:<HH:MM>-<HH:MM>[@<time zone>] (e.g. bob:22:00-07:00)",
                "dnd", new String[] {" :22:00-07:00"});
        assertRefused("dnd: 'bob:24:00-07:00': 24:00 is not a time of day (00:00 to 23:59)", "dnd", "bob:24:00-07:00");
        assertRefused("dnd: 'bob:22:00-07:60': 07:60 is not a time of day (00:00 to 24:00)", "dnd", "bob:22:00-07:60");
        assertRefused("dnd: 'bob:07:00-07:00' is an empty window (for all day write 00:00-24:00)", "dnd", "bob:07:00-07:00");
        assertRefused("dnd: 'bob:22:00-07:00@Moon/Base': 'Moon/Base' is not a time zone", "dnd", "bob:22:00-07:00@Moon/Base");
        assertRefused("time.zone: 'CEST+' is not a time zone (e.g. Europe/Berlin, UTC, +02:00)", "time.zone", "CEST+");
        assertRefused("dnd: 'bob:22:00-07:00,': entry 2 is blank (an empty value or a stray comma?)", "dnd", "bob:22:00-07:00,");
        assertRefused("dnd.reason: is required: what a refused caller is told", "dnd.reason", " ");
        assertRefused("history.size: '0' is not an integer from 1 to 100000", "history.size", "0");
        assertRefused("history.size: 'abc' is not an integer from 1 to 100000", "history.size", "abc");
        assertRefused("service.ranking: '1.5' is not an integer", "service.ranking", "1.5");
    }
}
