package io.switchboard.core.internal.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class TopicsTest {

    @ParameterizedTest
    @ValueSource(strings = {"a", "a/b/c", "/", "/a", "a/", "a//b", "//", "$SYS/broker/+", "site/+/device/#", " / "})
    void levelsAreWhatSplitGivesWithEmptyLevelsKept(String topic) {
        assertThat(Topics.levels(topic)).containsExactly(topic.split("/", -1));
    }

    @ParameterizedTest
    @CsvSource({
        "a/b/c, a/b/c, true",
        "a/b/c, a/b, false",
        "a/b, a/b/c, false",
        "a/+/c, a/b/c, true",
        "a/+/c, a//c, true",
        "a/+, a/, true",
        "a/+, a, false",
        "+, a, true",
        "+, a/b, false",
        "+/+, /a, true",
        "#, a/b/c, true",
        "a/#, a, true",
        "a/#, a/b/c, true",
        "a/#, ab, false",
        "a/b/#, a/bc/d, false",
        "#, $SYS/broker, false",
        "+/broker, $SYS/broker, false",
        "$SYS/#, $SYS/broker, true",
        "$SYS/+, $SYS/broker, true",
        "sport/+/player1, sport/tennis/player1, true",
        "sport/+/player1, sport/tennis/player2, false",
    })
    void matchesLikeTheSpecification(String filter, String topic, boolean expected) {
        assertThat(Topics.matches(filter, topic)).as("%s ~ %s", filter, topic).isEqualTo(expected);
        SubscriptionTree tree = new SubscriptionTree();
        tree.subscribe(SubscriptionTree.Entry.of(null, io.switchboard.api.Subscription.of(filter, 0)));
        int[] hits = {0};
        tree.match(topic, e -> hits[0]++);
        assertThat(hits[0] == 1).as("tree: %s ~ %s", filter, topic).isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"a/#/b", "a#", "a/b+", "", "$share/g", "$share//a", "$share/g+/a", "a\u0000b"})
    void rejectsInvalidFilters(String filter) {
        assertThatThrownBy(() -> Topics.validateFilter(filter)).isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"a/#", "#", "+", "+/+/#", "$share/group/a/+", "/", "a//b"})
    void acceptsValidFilters(String filter) {
        Topics.validateFilter(filter);
    }
}
