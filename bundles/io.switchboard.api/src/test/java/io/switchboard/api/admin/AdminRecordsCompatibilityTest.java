package io.switchboard.api.admin;

import static org.assertj.core.api.Assertions.assertThat;

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
    }

    @Test
    void brokerStatsOfAdminApi10ReportNoAbandonedThreads() {
        BrokerStats stats = new BrokerStats(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12);

        assertThat(stats.inFlight()).isEqualTo(12);
        assertThat(stats.abandonedThreads()).isZero();
        assertThat(stats.abandonedThreadLimit()).isZero();
    }
}
