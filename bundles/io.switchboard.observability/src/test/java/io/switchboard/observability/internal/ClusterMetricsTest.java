package io.switchboard.observability.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.List;

import io.switchboard.api.admin.ClusterStatistics;
import io.switchboard.api.admin.ClusterStats;
import org.junit.jupiter.api.Test;

class ClusterMetricsTest {

    @Test
    void usersOnlinePerNodeAndTheUnconfirmedForwardsAreGauges() throws IOException {
        ClusterStatistics cluster = () -> new ClusterStats("switchboard", "a", "ACTIVE", List.of(
                new ClusterStats.Member("a", "127.0.0.1:5701", true, List.of("x"), 0, 0, 3, 9),
                new ClusterStats.Member("b", "127.0.0.1:5702", false, List.of(), 40, 2, 5, -1, 6, 34, 0.5)), 6);

        String text = TrafficMetricsTest.scrape(new ClusterMetrics(() -> cluster));

        assertThat(text)
                .contains("# TYPE switchboard_cluster_users_online gauge\n")
                .contains("switchboard_cluster_users_online{node=\"a\"} 3.0\n")
                .contains("switchboard_cluster_users_online{node=\"b\"} 5.0\n")
                .contains("switchboard_cluster_sessions{node=\"a\"} 9.0\n")
                .doesNotContain("switchboard_cluster_sessions{node=\"b\"}") // not counted: no sample rather than a wrong one
                .contains("# TYPE switchboard_cluster_forwarded_unconfirmed gauge\n")
                .contains("switchboard_cluster_forwarded_unconfirmed 6.0\n")
                .contains("switchboard_cluster_forwarded_sent_total{node=\"b\"} 40.0\n")
                .contains("switchboard_cluster_unconfirmed{node=\"b\"} 6.0\n")
                .doesNotContain("switchboard_cluster_unconfirmed{node=\"a\"}") // this node waits for none of its own
                .contains("switchboard_cluster_confirmations_total{node=\"b\"} 34.0\n")
                .contains("switchboard_cluster_confirmation_seconds_total{node=\"b\"} 0.5\n")
                .contains("switchboard_cluster_members 2.0\n");
    }

    @Test
    void aSingleNodeExportsNoClusterMetrics() throws IOException {
        assertThat(TrafficMetricsTest.scrape(new ClusterMetrics(() -> null))).doesNotContain("switchboard_cluster_");
    }
}
