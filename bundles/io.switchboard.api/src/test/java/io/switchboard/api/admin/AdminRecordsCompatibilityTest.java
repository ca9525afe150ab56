package io.switchboard.api.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.EnumSet;
import java.util.List;

import org.junit.jupiter.api.Test;

/** Tools built against admin API 1.0 construct the records with their 1.0 components; 1.1 keeps those constructors. */
class AdminRecordsCompatibilityTest {

    @Test
    void moduleInfoOfAdminApi10HasNoLastError() {
        ModuleCounters counters = new ModuleCounters(1, 1, 0, 0, 0, 0, 10, 10);
        ModuleInfo info = new ModuleInfo("m", 1, 0, "FILTER", "GA", "1.0.0", "b [1]", "ACTIVE", null,
                EnumSet.of(ChainEvent.MESSAGE), List.of(), "FAIL_OPEN", 5000, counters);

        assertThat(info.lastError()).isNull();
        assertThat(info.lastErrorTime()).isNull();
        assertThat(info.counters()).isSameAs(counters);
        assertThat(counters.durationCounts()).as("no distribution from a 1.0 tool").isEmpty();
    }

    @Test
    void durationCountsHaveOneElementPerBoundAndOneBeyond() {
        int buckets = ModuleCounters.DURATION_BOUNDS_NANOS.size() + 1;
        List<Long> counts = new java.util.ArrayList<>(java.util.Collections.nCopies(buckets, 0L));
        counts.set(0, 1L);
        assertThat(new ModuleCounters(1, 1, 0, 0, 0, 0, 10, 10, counts).durationCounts()).hasSize(buckets);
        assertThatThrownBy(() -> new ModuleCounters(1, 1, 0, 0, 0, 0, 10, 10, List.of(1L)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("needs " + buckets + " elements");
        assertThat(ModuleCounters.DURATION_BOUNDS_NANOS).isSorted();
    }

    @Test
    void brokerStatsOfAdminApi10ReportNoAbandonedThreads() {
        BrokerStats stats = new BrokerStats(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12);

        assertThat(stats.inFlight()).isEqualTo(12);
        assertThat(stats.abandonedThreads()).isZero();
        assertThat(stats.abandonedThreadLimit()).isZero();
    }

    @Test
    void clusterStatsOfAdminApi12ReportNoUnconfirmedMessagesAndNoUsersOnline() {
        ClusterStats.Member member = new ClusterStats.Member("b", "127.0.0.1:5702", false, List.of("x"), 3, 4);
        ClusterStats stats = new ClusterStats("switchboard", "a", "ACTIVE", List.of(member));

        assertThat(member.usersOnline()).isZero();
        assertThat(member.sessions()).isZero();
        assertThat(stats.unconfirmed()).isZero();
        assertThat(stats.members()).containsExactly(member);
    }
}
