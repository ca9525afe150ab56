package io.switchboard.cluster.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import io.switchboard.api.admin.ClusterStats;
import org.junit.jupiter.api.Test;

class ClusterCommandTest {

    @Test
    void listsMembersCountsAndEachNodesFilters() {
        ClusterStats stats = new ClusterStats("switchboard", "a", "ACTIVE", List.of(
                new ClusterStats.Member("a", "127.0.0.1:5701", true, List.of(), 0, 0, 4, 5),
                new ClusterStats.Member("b", "127.0.0.1:5702", false, List.of("fan/#", "x"), 90, 3, 12, -1, 7, 80, 0.1)),
                7);

        String out = ClusterCommand.format(stats);

        assertThat(out).startsWith("cluster 'switchboard': 2 members, state ACTIVE, this node 'a'\n");
        assertThat(out).containsPattern("(?m)^NODE\\s+ADDRESS\\s+SESSIONS\\s+USERS\\s+FILTERS\\s+SENT-TO\\s+RECEIVED\\s+UNCONFIRMED\\s+CONFIRM-MS$");
        assertThat(out).containsPattern("(?m)^a \\*\\s+127\\.0\\.0\\.1:5701\\s+5\\s+4\\s+0\\s+-\\s+-\\s+-\\s+-$");
        assertThat(out).as("a count the owner map could not give").containsPattern("(?m)^b\\s+127\\.0\\.0\\.1:5702\\s+\\?\\s+12\\s+2\\s+90\\s+3\\s+7\\s+1\\.25$");
        assertThat(out).contains("forwarded: sent 90, received 3, unconfirmed now 7\n").endsWith("  a: \n  b: fan/# x\n");
    }

    @Test
    void aNodeWithoutAClusterMemberSaysItRunsAlone() {
        ClusterCommand command = new ClusterCommand();

        assertThat(command.cluster()).startsWith("no cluster member runs on this node: it runs alone")
                .contains("configadmin/io.switchboard.cluster.cfg");
    }
}
