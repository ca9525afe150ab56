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

    @Test
    void aGroupKeepsItsTurnWhenANodeJoinsIt() {
        index.add("a", "$share/g/s");
        index.add("b", "$share/g/s");
        assertThat(index.match("s").sharedServedBy().get("$share/g/s")).isEqualTo("a");

        index.add("c", "$share/g/s");
        index.add("c", "other"); // a change elsewhere in the tree

        assertThat(index.match("s").sharedServedBy().get("$share/g/s")).as("the second turn").isEqualTo("b");
        assertThat(index.match("s").sharedServedBy().get("$share/g/s")).isEqualTo("c");
        index.remove("a", "$share/g/s");
        index.remove("b", "$share/g/s");
        index.remove("c", "$share/g/s");
        assertThat(index.match("s").sharedServedBy()).isEmpty();
    }

    /**
     * Thousands of random adds and removes, some of filters that are not there: after each batch every topic reaches
     * exactly the nodes whose filters match it by a plain reading of the MQTT rules, so changing the tree in place
     * (adding levels, pruning emptied ones) never leaves a route behind or loses one.
     */
    @Test
    void changedInPlaceItMatchesAsTheFiltersItHoldsSay() {
        java.util.SplittableRandom random = new java.util.SplittableRandom(7);
        String[] names = {"a", "b", "c", "$SYS"};
        java.util.List<String> topics = new java.util.ArrayList<>();
        for (String x : names) {
            topics.add(x);
            for (String y : names) {
                topics.add(x + "/" + y);
                for (String z : names) {
                    topics.add(x + "/" + y + "/" + z);
                }
            }
        }
        String[] levels = {"a", "b", "c", "$SYS", "+", "#"};
        for (int round = 0; round < 50; round++) {
            for (int change = 0; change < 100; change++) {
                StringBuilder filter = new StringBuilder();
                int depth = 1 + random.nextInt(3);
                for (int level = 0; level < depth; level++) {
                    String name = levels[random.nextInt(level == depth - 1 ? levels.length : levels.length - 1)];
                    filter.append(level == 0 ? "" : "/").append(name);
                }
                String node = "n" + random.nextInt(4);
                if (random.nextInt(3) == 0) {
                    index.remove(node, filter.toString());
                } else {
                    index.add(node, filter.toString());
                }
            }
            if (random.nextInt(10) == 0) {
                index.removeNode("n" + random.nextInt(4));
            }
            java.util.Map<String, java.util.Set<String>> held = index.filtersByNode();
            for (String topic : topics) {
                java.util.Set<String> expected = new java.util.HashSet<>();
                held.forEach((node, filters) -> filters.stream().filter(f -> matches(f, topic)).findAny()
                        .ifPresent(f -> expected.add(node)));
                assertThat(index.nodesMatching(topic)).as("round %d, topic %s", round, topic).isEqualTo(expected);
            }
        }
    }

    /** The MQTT matching rules, read plainly: level by level, {@code +} one level, {@code #} the rest, no wildcard first on a $ topic. */
    private static boolean matches(String filter, String topic) {
        String[] f = filter.split("/", -1);
        String[] t = topic.split("/", -1);
        if (topic.startsWith("$") && (f[0].equals("+") || f[0].equals("#"))) {
            return false;
        }
        for (int i = 0; i < f.length; i++) {
            if (f[i].equals("#")) {
                return true;
            }
            if (i >= t.length || !f[i].equals("+") && !f[i].equals(t[i])) {
                return false;
            }
        }
        return f.length == t.length;
    }
}
