package io.switchboard.bench.jmh;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class StoreReportTest {

    @Test
    void reportsTheMedianAndSpreadOfTheForks() {
        String json = """
                [{"benchmark": "io.switchboard.store.internal.StoreEngineBenchmark.batchOf16",
                  "params": {"engine": "rocksdb", "fsync": "true"},
                  "primaryMetric": {"score": 1, "scoreUnit": "ops/s",
                    "rawData": [[100.0, 300.0], [1000.0, 1000.0], [150.0, 150.0]]}}]
                """;
        List<StoreReport.Row> rows = StoreReport.read(json);
        assertThat(rows).hasSize(1);
        assertThat(rows.get(0).median()).isEqualTo(200.0);
        assertThat(rows.get(0).markdown())
                .isEqualTo("| StoreEngineBenchmark.batchOf16 | engine=rocksdb, fsync=true | 200 | 150 – 1,000 | ops/s | 3 |");
    }

    @Test
    void poolsTheForksOfTheSameBenchmarkAndParameters() {
        StoreReport.Row a = new StoreReport.Row("B.m", Map.of("engine", "x"), "ops/s", List.of(1.0, 2.0));
        StoreReport.Row b = new StoreReport.Row("B.m", Map.of("engine", "y"), "ops/s", List.of(5.0));
        StoreReport.Row c = new StoreReport.Row("B.m", Map.of("engine", "x"), "ops/s", List.of(3.0));
        assertThat(StoreReport.pool(List.of(a, b, c))).extracting(StoreReport.Row::forks)
                .containsExactly(List.of(1.0, 2.0, 3.0), List.of(5.0));
    }

    @Test
    void roundsToThreeSignificantDigits() {
        assertThat(StoreReport.number(1_234_567)).isEqualTo("1,230,000");
        assertThat(StoreReport.number(12.345)).isEqualTo("12.3");
        assertThat(StoreReport.number(0.5)).isEqualTo("0.500");
        assertThat(StoreReport.number(999.6)).isEqualTo("1,000");
    }
}
