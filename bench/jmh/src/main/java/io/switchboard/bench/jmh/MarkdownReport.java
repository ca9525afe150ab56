package io.switchboard.bench.jmh;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Turns JMH's JSON results into the JMH section of docs/benchmarks.md: the text between
 * {@value #BEGIN} and {@value #END} is replaced (the markers are appended at the end of the file if
 * missing); everything outside them is left as it is.
 *
 * <pre>java -cp benchmarks.jar io.switchboard.bench.jmh.MarkdownReport jmh.json benchmarks.md "command" "commit" ["load"]</pre>
 */
public final class MarkdownReport {

    static final String BEGIN = "<!-- jmh:begin -->";
    static final String END = "<!-- jmh:end -->";
    /** The budget for one pass-through module in the message chain. */
    static final double PASS_MODULE_BUDGET_NANOS = 50;
    /** gc.alloc.rate.norm below this is measurement noise (JMH's own bookkeeping), not an allocation per message. */
    static final double NO_ALLOCATION_BYTES = 1;

    private static final String CHAIN = "ChainDispatchBenchmark";

    /** One benchmark and parameter combination. */
    record Result(String benchmark, Map<String, String> params, double score, double error, String unit,
            Double bytesPerOp, Map<String, Object> raw) {

        String paramText() {
            List<String> parts = new ArrayList<>();
            params.forEach((k, v) -> parts.add(k + "=" + v));
            return String.join(", ", parts);
        }
    }

    private MarkdownReport() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 4 && args.length != 5) {
            System.err.println("usage: MarkdownReport <jmh.json> <benchmarks.md> <command> <commit> [<load average>]");
            System.exit(2);
        }
        List<Result> results = read(Files.readString(Path.of(args[0]), StandardCharsets.UTF_8));
        if (results.isEmpty()) {
            throw new IllegalArgumentException(args[0] + " holds no results");
        }
        Path doc = Path.of(args[1]);
        String before = Files.exists(doc) ? Files.readString(doc, StandardCharsets.UTF_8) : null;
        String section = section(results, machine(results.get(0)), args[2], args[3], args.length > 4 ? args[4] : null,
                ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'")));
        Files.writeString(doc, withSection(before, section), StandardCharsets.UTF_8);
        System.out.println("Wrote the JMH section of " + doc + " (" + results.size() + " results)");
    }

    @SuppressWarnings("unchecked")
    static List<Result> read(String json) {
        List<Object> runs;
        try {
            runs = new ObjectMapper().readValue(json, List.class);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException("not a JMH result file: " + e.getOriginalMessage(), e);
        }
        List<Result> results = new ArrayList<>();
        for (Object item : runs) {
            Map<String, Object> run = (Map<String, Object>) item;
            String name = (String) run.get("benchmark");
            String[] parts = name.split("\\.");
            String shortName = parts[parts.length - 2] + "." + parts[parts.length - 1];
            Map<String, String> params = new java.util.LinkedHashMap<>();
            Object p = run.get("params");
            if (p instanceof Map<?, ?> map) {
                map.forEach((k, v) -> params.put((String) k, String.valueOf(v)));
            }
            Map<String, Object> primary = (Map<String, Object>) run.get("primaryMetric");
            Double bytes = null;
            Object secondary = run.get("secondaryMetrics");
            if (secondary instanceof Map<?, ?> metrics && metrics.get("gc.alloc.rate.norm") instanceof Map<?, ?> norm) {
                bytes = number(norm.get("score"));
            }
            results.add(new Result(shortName, params, number(primary.get("score")), number(primary.get("scoreError")),
                    (String) primary.get("scoreUnit"), bytes, run));
        }
        return results;
    }

    private static double number(Object value) {
        if (value instanceof Number n) {
            return n.doubleValue();
        }
        return value == null ? Double.NaN : Double.parseDouble(value.toString()); // JMH writes "NaN" as a string
    }

    /** The document with the JMH section replaced by {@code section} (or appended with its markers). */
    static String withSection(String document, String section) {
        String block = BEGIN + "\n" + section + END;
        if (document == null || document.isEmpty()) {
            return block + "\n";
        }
        int begin = document.indexOf(BEGIN);
        int end = document.indexOf(END);
        if (begin < 0 || end < begin) {
            return document + (document.endsWith("\n") ? "\n" : "\n\n") + block + "\n";
        }
        return document.substring(0, begin) + block + document.substring(end + END.length());
    }

    static String machine(Result first) {
        String cpu = "unknown CPU";
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    cpu = line.substring(line.indexOf(':') + 1).trim();
                    break;
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: the CPU stays unnamed
        }
        Map<String, Object> raw = first.raw();
        return cpu + ", " + Runtime.getRuntime().availableProcessors() + " cores; JDK " + raw.get("jdkVersion") + " ("
                + raw.get("vmName") + " " + raw.get("vmVersion") + ")";
    }

    static String section(List<Result> results, String machine, String command, String commit, String load, String date) {
        StringBuilder md = new StringBuilder();
        Map<String, Object> settings = results.get(0).raw();
        md.append("## Microbenchmarks (JMH)\n\n");
        md.append("Written by `bench/jmh/run` (the next run rewrites this section; the sources are in `bench/jmh`).\n\n");
        md.append("- Date: ").append(date).append('\n');
        md.append("- Machine: ").append(machine).append('\n');
        md.append("- Commit: ").append(commit).append('\n');
        md.append("- Command: `").append(command).append("`\n");
        if (load != null) {
            md.append("- Load average (1, 5, 15 min): ").append(load).append(". A benchmark keeps one core busy (two for ")
                    .append("`BrokerPublishBenchmark`); a higher load means other processes competed for the CPU and ")
                    .append("the times are less precise than their errors suggest.\n");
        }
        md.append("- JMH ").append(settings.get("jmhVersion")).append(": forks ").append(integer(settings.get("forks")))
                .append(", warm-up ").append(integer(settings.get("warmupIterations"))).append(" × ")
                .append(settings.get("warmupTime")).append(", measurement ")
                .append(integer(settings.get("measurementIterations"))).append(" × ")
                .append(settings.get("measurementTime")).append(", threads ").append(integer(settings.get("threads")))
                .append("; error = half-width of the 99.9% confidence interval\n\n");

        md.append("### Targets\n\n");
        md.append(targets(results)).append('\n');

        md.append("### Results\n\n");
        md.append("| benchmark | params | time/op ± error | B/op |\n|---|---|---:|---:|\n");
        for (Result r : results) {
            md.append("| ").append(r.benchmark()).append(" | ").append(r.paramText()).append(" | ")
                    .append(format(r.score())).append(" ± ").append(format(r.error())).append(' ')
                    .append(r.unit()).append(" | ").append(r.bytesPerOp() == null ? "—" : format(r.bytesPerOp()))
                    .append(" |\n");
        }
        md.append('\n');
        md.append("""
                B/op is JMH's `gc.alloc.rate.norm` (`-prof gc`): bytes allocated per operation, by every thread \
                of the benchmark's JVM.

                - `ChainDispatchBenchmark`: one message through the message chain (`ChainRun`, run synchronously \
                by the benchmark thread standing in for a worker, as `Router.messageChain` builds it: a new run, \
                call and completion per message). `pass`: every module passes; `consume`: all pass but the last, \
                which consumes; `change`: every module replaces the message with a copy prepared once.
                - `TopicMatchBenchmark`: `SubscriptionTree.match` over a tree of `subscriptions` filters (70% \
                exact, the rest `+`, `#` and `$share` forms); `hit` matches 7 subscriptions, `miss` none.
                - `PublishCodecBenchmark`: a QoS 1 PUBLISH with a 64-byte payload through the broker's Netty \
                `MqttEncoder` / `MqttDecoder` (pooled buffers, released); MQTT 5 deliveries carry the broker's \
                message id user property, as for a client that asked for it.
                - `BrokerPublishBenchmark`: a publish through the real `BrokerCore` (one worker, one subscriber) \
                until the publisher's result completes: includes the hand-over to the worker thread and back.

                To see where a benchmark allocates: `java -jar bench/jmh/target/benchmarks.jar \
                'ChainDispatchBenchmark.pass' -p modules=3 -f 1 -prof gc -prof 'async:event=alloc;output=flamegraph;libPath=<libasyncProfiler.so>'` \
                (the library is inside `tools.profiler:async-profiler`'s jar), or a JFR recording with \
                `-jvmArgsAppend -XX:StartFlightRecording`.
                """);
        return md.toString();
    }

    /** The targets, judged from the chain dispatch results. */
    static String targets(List<Result> results) {
        TreeMap<Integer, Result> pass = new TreeMap<>();
        for (Result r : results) {
            if (r.benchmark().equals(CHAIN + ".pass") && r.params().containsKey("modules")) {
                pass.put(Integer.parseInt(r.params().get("modules")), r);
            }
        }
        if (pass.size() < 2) {
            return "- Not judged: `" + CHAIN + ".pass` did not run with two or more chain lengths.\n";
        }
        StringBuilder md = new StringBuilder();
        int fewest = pass.firstKey();
        int most = pass.lastKey();
        Result base = pass.get(fewest);
        Result longest = pass.get(most);
        // the judged figure: what each module adds from the shortest chain to the longest
        double perModule = (longest.score() - base.score()) / (most - fewest);
        double margin = PASS_MODULE_BUDGET_NANOS - perModule;
        md.append("- Chain dispatch under ").append(format(PASS_MODULE_BUDGET_NANOS)).append(" ns per pass-through module: **")
                .append(margin >= 0 ? "met" : "missed").append("**: ").append(format(perModule))
                .append(" ns per module (the slope of `pass` from ").append(fewest).append(" to ").append(most)
                .append(" modules: ").append(format(base.score())).append(" → ").append(format(longest.score()))
                .append(" ns), ").append(format(Math.abs(margin))).append(" ns ")
                .append(margin >= 0 ? "under" : "over").append(" the budget");
        if (margin < 0) {
            md.append(" (").append(format(-margin / PASS_MODULE_BUDGET_NANOS * 100)).append("% over)");
        }
        Integer firstNonEmpty = pass.ceilingKey(1);
        if (fewest == 0 && firstNonEmpty != null && firstNonEmpty < most) {
            Result one = pass.get(firstNonEmpty);
            md.append("; from ").append(firstNonEmpty).append(" to ").append(most).append(" modules (without the cost of ")
                    .append("entering a non-empty chain): ")
                    .append(format((longest.score() - one.score()) / (most - firstNonEmpty))).append(" ns per module");
        }
        if (most > 0) {
            md.append("; the ").append(most).append("-module chain's whole time over its modules: ")
                    .append(format(longest.score() / most)).append(" ns per module");
        }
        md.append(". The errors of these scores are in the table below.\n");

        if (base.bytesPerOp() == null || longest.bytesPerOp() == null) {
            md.append("- No allocation per message on the pass path: not judged (run with `-prof gc`).\n");
            return md.toString();
        }
        double worst = 0;
        List<String> perLength = new ArrayList<>();
        for (Map.Entry<Integer, Result> e : pass.entrySet()) {
            double bytes = e.getValue().bytesPerOp();
            worst = Math.max(worst, bytes);
            perLength.add(format(bytes) + " B with " + e.getKey() + (e.getKey() == 1 ? " module" : " modules"));
        }
        boolean met = worst < NO_ALLOCATION_BYTES;
        md.append("- No allocation per message on the pass path: **").append(met ? "met" : "missed").append("**: ")
                .append(String.join(", ", perLength)).append(" per message");
        if (!met && firstNonEmpty != null && firstNonEmpty < most) {
            double perModuleBytes = (longest.bytesPerOp() - pass.get(firstNonEmpty).bytesPerOp()) / (most - firstNonEmpty);
            md.append(" (").append(format(worst)).append(" B over the target; each module from the ")
                    .append(firstNonEmpty == 1 ? "first" : firstNonEmpty + "th").append(" on adds ")
                    .append(format(perModuleBytes)).append(" B)");
        }
        md.append(".\n");
        return md.toString();
    }

    private static String integer(Object number) {
        return number instanceof Double d ? String.valueOf(d.longValue()) : String.valueOf(number);
    }

    static String format(double value) {
        if (Double.isNaN(value)) {
            return "n/a";
        }
        double magnitude = Math.abs(value);
        String pattern = magnitude >= 100 ? "%.0f" : magnitude >= 10 ? "%.1f" : "%.2f";
        return String.format(Locale.ROOT, pattern, value);
    }
}
