package io.switchboard.api;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TopicFiltersTest {

    @Test
    void matchesLikeMqtt() {
        assertMatch("chat/fr/#", "chat/fr", "chat/fr/", "chat/fr/room", "chat/fr/a/b");
        assertNoMatch("chat/fr/#", "chat", "chat/frx", "chat/de/room", "xchat/fr/room");
        assertMatch("#", "a", "a/b", "/", "/a");
        assertNoMatch("#", "$SYS/x", "$call/bob/1/setup");
        assertMatch("+/b", "a/b", "/b");
        assertNoMatch("+/b", "a/b/c", "a", "$x/b");
        assertMatch("a/+/c", "a/b/c", "a//c");
        assertNoMatch("a/+/c", "a/b", "a/b/c/d", "a/c");
        assertMatch("a/+", "a/b", "a/");
        assertNoMatch("a/+", "a", "a/b/c");
        assertMatch("a/b", "a/b");
        assertNoMatch("a/b", "a/bc", "a/b/", "a", "A/b");
        assertMatch("+", "a", "");
        assertMatch("$call/+/+/setup", "$call/bob/1/setup");
        assertMatch("a/#", "a");
        assertNoMatch("a/b/#", "a");
    }

    @Test
    void checksFilters() {
        assertThat(TopicFilters.problem("a/+/b/#")).isNull();
        assertThat(TopicFilters.problem("#")).isNull();
        assertThat(TopicFilters.problem("+")).isNull();
        assertThat(TopicFilters.problem("a/#/b")).contains("'#'");
        assertThat(TopicFilters.problem("a#")).contains("'#'");
        assertThat(TopicFilters.problem("a/b+")).contains("'+'");
        assertThat(TopicFilters.problem("")).isNotNull();
        assertThat(TopicFilters.problem("a\0b")).contains("NUL");
    }

    private static void assertMatch(String filter, String... topics) {
        for (String topic : topics) {
            assertThat(TopicFilters.matches(filter, topic)).as(filter + " matches " + topic).isTrue();
        }
    }

    private static void assertNoMatch(String filter, String... topics) {
        for (String topic : topics) {
            assertThat(TopicFilters.matches(filter, topic)).as(filter + " does not match " + topic).isFalse();
        }
    }
}
