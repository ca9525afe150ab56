package io.switchboard.bench.jmh;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

class MarkdownReportTest {

    private static String run(String benchmark, String params, double score, String error, double bytes) {
        return """
                {"jmhVersion":"1.37","benchmark":"io.switchboard.core.internal.%s","mode":"avgt","threads":1,"forks":1,
                 "jdkVersion":"17","vmName":"VM","vmVersion":"17","warmupIterations":3,"warmupTime":"1 s",
                 "measurementIterations":5,"measurementTime":"1 s","params":{%s},
                 "primaryMetric":{"score":%s,"scoreError":%s,"scoreUnit":"ns/op","rawData":[[1.0,2.0]]},
                 "secondaryMetrics":{"gc.alloc.rate.norm":{"score":%s,"scoreError":0.1,"scoreUnit":"B/op"}}}
                """.formatted(benchmark, params, score, error, bytes);
    }

    private final List<MarkdownReport.Result> results = MarkdownReport.read("[" + String.join(",",
            run("ChainDispatchBenchmark.pass", "\"modules\":\"0\"", 40, "1.5", 80),
            run("ChainDispatchBenchmark.pass", "\"modules\":\"1\"", 70, "1.5", 80),
            run("ChainDispatchBenchmark.pass", "\"modules\":\"10\"", 340, "\"NaN\"", 80.004),
            run("TopicMatchBenchmark.hit", "\"subscriptions\":\"1000\"", 123.456, "2", 0.002)) + "]");

    @Test
    void readsScoresParamsAndAllocation() {
        assertThat(results).hasSize(4);
        MarkdownReport.Result second = results.get(2);
        assertThat(second.benchmark()).isEqualTo("ChainDispatchBenchmark.pass");
        assertThat(second.paramText()).isEqualTo("modules=10");
        assertThat(second.error()).isNaN();
        assertThat(second.bytesPerOp()).isEqualTo(80.004);
    }

    @Test
    void judgesTheTargetsFromThePassSlope() {
        String targets = MarkdownReport.targets(results);

        assertThat(targets).contains("**met**: 30.0 ns per module").contains("20.0 ns under")
                .contains("from 1 to 10 modules (without the cost of entering a non-empty chain): 30.0 ns per module")
                .contains("whole time over its modules: 34.0 ns per module");
        assertThat(targets).contains("**missed**: 80.0 B with 0 modules, 80.0 B with 1 module, 80.0 B with 10 modules")
                .contains("80.0 B over the target; each module from the first on adds 0.00 B");
    }

    @Test
    void replacesOnlyItsOwnSection() {
        String doc = "# Benchmarks\n\n<!-- suite:begin -->\nsuite\n<!-- suite:end -->\n\n"
                + MarkdownReport.BEGIN + "\nold\n" + MarkdownReport.END + "\ntail\n";

        String updated = MarkdownReport.withSection(doc, "new\n");

        assertThat(updated).isEqualTo("# Benchmarks\n\n<!-- suite:begin -->\nsuite\n<!-- suite:end -->\n\n"
                + MarkdownReport.BEGIN + "\nnew\n" + MarkdownReport.END + "\ntail\n");
    }

    @Test
    void appendsTheMarkersWhenMissing() {
        assertThat(MarkdownReport.withSection("# Benchmarks\n", "new\n"))
                .isEqualTo("# Benchmarks\n\n" + MarkdownReport.BEGIN + "\nnew\n" + MarkdownReport.END + "\n");
        assertThat(MarkdownReport.withSection(null, "new\n")).isEqualTo(MarkdownReport.BEGIN + "\nnew\n" + MarkdownReport.END + "\n");
    }

    @Test
    void writesARowPerResult() {
        String section = MarkdownReport.section(results, "a machine", "bench/jmh/run", "abc123", "0.5 0.4 0.3 at the start", "today");

        assertThat(section).contains("| ChainDispatchBenchmark.pass | modules=10 | 340 ± n/a ns/op | 80.0 |")
                .contains("| TopicMatchBenchmark.hit | subscriptions=1000 | 123 ± 2.00 ns/op | 0.00 |")
                .contains("- Commit: abc123").contains("0.5 0.4 0.3 at the start").doesNotContain(MarkdownReport.BEGIN);
    }
}
