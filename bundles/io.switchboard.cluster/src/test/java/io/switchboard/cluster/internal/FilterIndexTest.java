package io.switchboard.cluster.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class FilterIndexTest {

    private final FilterIndex index = new FilterIndex();

    @Test
    void findsTheNodesWhoseFiltersMatchByMqttRules() {
        index.add("b", "sport/tennis/#");
        index.add("c", "sport/+/player1");
        index.add("d", "#");
        index.add("e", "$SYS/#");
        index.add("f", "$share/group/sport/tennis/player1");

        assertThat(index.nodesMatching("sport/tennis/player1")).containsExactlyInAnyOrder("b", "c", "d", "f");
        assertThat(index.nodesMatching("sport/tennis")).as("# matches its parent level").containsExactlyInAnyOrder("b", "d");
        assertThat(index.nodesMatching("sport/golf/player1")).containsExactlyInAnyOrder("c", "d");
        assertThat(index.nodesMatching("news")).containsExactly("d");
        assertThat(index.nodesMatching("$SYS/broker/uptime")).as("wildcards do not match $ topics at the first level")
                .containsExactly("e");
    }

    @Test
    void eachSharedSubscriptionIsServedByItsNodesInTurn() {
        index.add("a", "$share/g/s/#");
        index.add("b", "$share/g/s/#");
        index.add("c", "$share/g/s/+");
        index.add("c", "s/1");

        java.util.List<String> servers = new java.util.ArrayList<>();
        for (int i = 0; i < 4; i++) {
            FilterIndex.Match match = index.match("s/1");
            assertThat(match.nodes()).as("plain filters").containsExactly("c");
            assertThat(match.sharedServedBy()).containsOnlyKeys("$share/g/s/#", "$share/g/s/+");
            assertThat(match.sharedServedBy().get("$share/g/s/+")).isEqualTo("c");
            servers.add(match.sharedServedBy().get("$share/g/s/#"));
        }
        assertThat(servers).containsExactly("a", "b", "a", "b");
        assertThat(index.match("t").sharedServedBy()).isEmpty();
    }

    @Test
    void forgetsRemovedFiltersAndNodes() {
        index.add("b", "a/#");
        index.add("b", "x");
        index.add("c", "a/#");
        index.remove("c", "a/#");
        assertThat(index.nodesMatching("a/1")).containsExactly("b");
        index.removeNode("b");
        assertThat(index.nodesMatching("a/1")).isEmpty();
        assertThat(index.nodesMatching("x")).isEmpty();
        assertThat(index.filtersByNode()).isEmpty();
    }
}
