package io.switchboard.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Renders a suite run: the section of docs/benchmarks.md between the suite markers, and the raw JSON. */
final class SuiteReport {
    static final String BEGIN = "<!-- suite:begin -->";
    static final String END = "<!-- suite:end -->";

    private final SuiteOptions options;
    private final Map<String, Object> environment;
    private final List<Suite.Scenario> scenarios;
    private final List<BrokerProcess> brokers;
    private final List<Suite.Measurement> measurements;

    SuiteReport(SuiteOptions options, Map<String, Object> environment, List<Suite.Scenario> scenarios,
                List<BrokerProcess> brokers, List<Suite.Measurement> measurements) {
        this.options = options;
        this.environment = environment;
        this.scenarios = scenarios;
        this.brokers = brokers;
        this.measurements = measurements;
    }

    void writeRaw(Path file) throws IOException {
        Map<String, Object> root = raw(options, environment, measurements);
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.writeString(file, Json.write(root) + "\n");
    }

    /** Replaces the text between the suite markers (appending them if absent); nothing else changes. */
    void writeDocs(Path file) throws IOException {
        String section = BEGIN + "\n" + markdown() + END;
        String text = Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "# Benchmarks\n\n";
        int begin = text.indexOf(BEGIN);
        int end = text.indexOf(END);
        if (begin >= 0 && end > begin) {
            text = text.substring(0, begin) + section + text.substring(end + END.length());
        } else {
            text = text + (text.endsWith("\n\n") ? "" : text.endsWith("\n") ? "\n" : "\n\n") + section + "\n";
        }
        Files.writeString(file, text, StandardCharsets.UTF_8);
    }

    String markdown() {
        StringBuilder md = new StringBuilder();
        md.append("## Broker comparison (`bench/run`)\n\n");
        md.append("Written by `bench/run` (the next run rewrites this section; sources in `bench/loadgen`, `bench/moquette`, "
                + "`bench/passthrough`). Raw numbers of every repetition and every sweep trial: ")
                .append(options.docs != null ? "[benchmarks-raw.json](benchmarks-raw.json)" : "`" + options.raw + "`").append(".\n\n");
        md.append("- Date: ").append(environment.get("date")).append(String.format(", %.1f minutes", (Double) environment.get("durationMinutes")))
                .append("\n");
        md.append("- Command: `").append(options.command).append("`").append(options.smoke ? " (smoke mode: tiny counts, numbers mean nothing)" : "")
                .append("\n");
        md.append("- Machine: ").append(environment.get("cpu")).append(", ").append(environment.get("cpus")).append(" CPUs, ")
                .append(environment.get("memory")).append(" RAM, Linux ").append(environment.get("kernel")).append("; JDK ")
                .append(environment.get("jdk")).append("; open files limit ").append(environment.get("openFilesLimit")).append("\n");
        md.append("- Load average (1, 5, 15 min): ").append(environment.get("loadAverageStart")).append(" at the start, ")
                .append(environment.get("loadAverageEnd")).append(" at the end (above ~1 other processes competed for the CPUs)\n");
        md.append("- Pinning: ").append(options.pinBrokers ? "every broker `taskset -c " + options.brokerCpu + "`" : "brokers not pinned")
                .append("; load generator (the suite's JVM): ").append(options.loadCpuNote).append("\n");
        md.append("- Brokers, all started before the load scenarios and left running (idle between their turns), each on its own port on 127.0.0.1:\n");
        String commit = String.valueOf(environment.get("switchboardCommit"));
        for (BrokerProcess b : brokers) {
            md.append("  - `").append(b.name).append("`: ").append(describe(b, commit)).append("\n");
        }
        md.append("- Write modes, side by side in every throughput scenario: **per-message**, each PUBLISH written by itself "
                + "(one write syscall, TCP_NODELAY) as soon as it is due, also when the publisher is behind — what a real client "
                + "(Paho, mosquitto_pub, an application calling publish() per message) does, so these are the numbers users meet; "
                + "**batched**, every 250 µs each publisher writes all PUBLISHes due in one write — the most a generator can offer, "
                + "the broker reads many packets per syscall, no real client does this. Subscribers read and acknowledge the same "
                + "way in both. The latency run writes per message (at its rate every batch held one message anyway).\n");
        md.append("- A sweep finds the maximum sustained rate: trials at a rising offered rate (doubling from a start rate), then "
                + "bisection between the highest passing and the lowest failing rate to within ")
                .append(pct(options.precision)).append(", at most ").append(options.maxTrials).append(" trials. A trial: fresh connections "
                + "and topics, publishers open-loop on a time schedule for ").append(num(options.trialSeconds))
                .append(" s, then up to ").append(num(options.graceSeconds)).append(" s grace for the last deliveries. It passes when every "
                + "message reached every subscriber (QoS 0 too), publishers sent at least " + pct(options.minSendRatio) + " of the offered messages (a publisher falls "
                + "behind when the broker does not take its data, or when its QoS 1 window of 64 is full) and p99 publish → deliver "
                + "latency is at most ").append(num(options.p99BoundMillis)).append(" ms.\n");
        md.append("- CPU per message: the broker process's CPU time (utime + stime of `/proc/<pid>/stat`, all threads; "
                + "clock ticks of " + num(1000.0 / CpuTime.TICKS_PER_SECOND) + " ms) from the start of sending to the end of the drain, divided by the messages delivered "
                + "(each copy to each subscriber counts: 1 → 100 delivers 100 per message in), in the sweep's highest passing "
                + "trial, i.e. at the maximum sustained rate; in the latency run, over that run at its fixed rate. The same "
                + "for every broker, Mosquitto included.\n");
        md.append("- Repetitions: ").append(options.reps).append(", interleaved (for each scenario, for each repetition, each write mode, "
                + "every broker in turn). Cells: median (min–max over repetitions). × columns: ratio of medians. Before measuring, every "
                + "broker got a warm-up of ").append(num(options.warmupSeconds)).append(" s at QoS 0 and QoS 1 (4 → 4).\n");
        md.append("- Machine load: around every repetition the 1-minute load average before and after, and the CPU that processes "
                + "other than the broker and the generator took meanwhile (busy time of `/proc/stat` minus both processes' CPU "
                + "time, in cores averaged over the repetition): see \"Every repetition\". **Rule: a repetition marked busy "
                + "(other processes above ").append(num(options.busyCores)).append(" cores) was spoiled by a neighbour; rerun it (or "
                + "the whole run) before quoting its numbers.** The load average alone cannot be the rule: the suite's own broker "
                + "and busy-polling generator keep it near 2 on 2 cores (a load before above 1.5 with nothing else running is "
                + "the previous repetition, not a neighbour); it says whether the machine was quiet before the run started.\n");
        for (String note : options.notes) {
            md.append("- Note: ").append(note).append("\n");
        }
        if (environment.containsKey("idleLimit")) {
            md.append("- Idle connections ").append(environment.get("idleLimit")).append(".\n");
        }
        md.append("\n### Maximum sustained rate, 64-byte payloads (msg/s in), per-message and batched writes side by side\n\n");
        md.append("Per-message is what a real client does (see above). CPU: broker µs per delivered message at that rate.\n\n");
        md.append("| scenario | broker | per-message: in | batched: in | per-message ÷ batched | out (per-message) "
                + "| × mosquitto (per-message / batched) | × moquette (per-message / batched) "
                + "| CPU µs/msg (per-message / batched) | busy reps | RSS after (MiB) |\n");
        md.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Suite.Scenario s : scenarios) {
            if (!s.sweep()) {
                continue;
            }
            String pm = s.key(WriteMode.PER_MESSAGE);
            String bt = s.key(WriteMode.BATCHED);
            for (BrokerProcess b : brokers) {
                double pmIn = medianValue(values(pm, b.name, "in"));
                double btIn = medianValue(values(bt, b.name, "in"));
                md.append("| ").append(s.title().replace(": max sustained rate", "")).append(" | ").append(b.name)
                        .append(failures(pm, b.name)).append(failures(bt, b.name)).append(" | ")
                        .append(withSpread(values(pm, b.name, "in"))).append(" | ").append(withSpread(values(bt, b.name, "in"))).append(" | ")
                        .append(Double.isNaN(pmIn) || Double.isNaN(btIn) || btIn == 0 ? "" : String.format("%.2f", pmIn / btIn)).append(" | ")
                        .append(median(values(pm, b.name, "out"))).append(" | ")
                        .append(pair(ratio(pm, b.name, "mosquitto", "in"), ratio(bt, b.name, "mosquitto", "in"))).append(" | ")
                        .append(b.name.equals("moquette") ? "" : pair(ratio(pm, b.name, "moquette", "in"), ratio(bt, b.name, "moquette", "in")))
                        .append(" | ").append(pair(median(values(pm, b.name, "cpuUsPerMsg")), median(values(bt, b.name, "cpuUsPerMsg"))))
                        .append(" | ").append(busyCount(pm, b.name) + busyCount(bt, b.name)).append(" of ")
                        .append(values(pm, b.name, "busy").size() + values(bt, b.name, "busy").size()).append(" | ")
                        .append(median(values(pm, b.name, "rssMiB"))).append(" |").append("\n");
            }
        }
        List<String> chained = java.util.stream.Stream.of("switchboard-3modules", "switchboard-shipped").filter(this::has).toList();
        if (has("switchboard-empty") && !chained.isEmpty()) {
            md.append("\n### Cost of the module chain: 3 pass-through modules and the shipped distribution vs the empty chain\n\n");
            md.append("| scenario | writes | empty chain");
            chained.forEach(c -> md.append(" | ").append(CHAIN_TITLES.get(c)).append(" | change"));
            md.append(" |\n|---|---|---:").append("|---:|---:".repeat(chained.size())).append("|\n");
            for (Suite.Scenario s : scenarios) {
                String metric = s.sweep() ? "in" : "p50";
                for (WriteMode mode : s.modes(options.writeModes)) {
                    double empty = medianValue(values(s.key(mode), "switchboard-empty", metric));
                    md.append("| ").append(s.title()).append(s.sweep() ? " (msg/s in)" : " (p50 µs)").append(" | ").append(mode)
                            .append(" | ").append(num(empty));
                    for (String c : chained) {
                        double value = medianValue(values(s.key(mode), c, metric));
                        md.append(" | ").append(num(value)).append(" | ")
                                .append(Double.isNaN(empty) || empty == 0 ? "" : String.format("%+.1f%%", (value - empty) / empty * 100));
                    }
                    md.append(" |\n");
                }
            }
        }
        for (Suite.Scenario s : scenarios) {
            if (s.sweep()) {
                continue;
            }
            String key = s.key(WriteMode.PER_MESSAGE);
            md.append("\n### ").append(s.title()).append(" (").append(num(options.latencyRate)).append(" msg/s for ")
                    .append(num(options.latencySeconds)).append(" s after ").append(num(options.latencyWarmupSeconds))
                    .append(" s not counted, one PUBLISH per write; µs)\n\n");
            md.append("| broker | p50 | p99 | p99.9 | max | p99 min–max | × mosquitto p50 | × mosquitto p99 | CPU µs/msg | busy reps | RSS after (MiB) |\n");
            md.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
            for (BrokerProcess b : brokers) {
                md.append("| ").append(b.name).append(failures(key, b.name)).append(" | ").append(median(values(key, b.name, "p50"))).append(" | ")
                        .append(median(values(key, b.name, "p99"))).append(" | ").append(median(values(key, b.name, "p999")))
                        .append(" | ").append(median(values(key, b.name, "max"))).append(" | ").append(spread(values(key, b.name, "p99")))
                        .append(" | ").append(ratio(key, b.name, "mosquitto", "p50")).append(" | ").append(ratio(key, b.name, "mosquitto", "p99"))
                        .append(" | ").append(median(values(key, b.name, "cpuUsPerMsg"))).append(" | ").append(busyCount(key, b.name))
                        .append(" of ").append(values(key, b.name, "busy").size())
                        .append(" | ").append(median(values(key, b.name, "rssMiB"))).append(" |").append("\n");
            }
        }
        md.append("\n### Connection rate: new TCP connections, CONNECT → CONNACK (").append(num(options.connectConnections))
                .append(" per storm)\n\n");
        md.append("`Bench connect`: ").append(num(options.connectConnections)).append(" new connections as fast as the broker "
                + "takes them, at most 100 in flight; each sends CONNECT when its TCP connect completes, DISCONNECT after its "
                + "CONNACK and closes. Rate: connections / (first connect → last CONNACK); latency: TCP connect start → CONNACK. "
                + "`" + Suite.CONNECT_CLEAN + "` and `" + Suite.CONNECT_PERSISTENT + "` (clean session 0; the sessions are ended "
                + "afterwards, not timed): the brokers warm, after the load scenarios, interleaved; `" + Suite.CONNECT_COLD
                + "`: clean sessions against a freshly started broker (a reconnect storm after a restart). CPU: broker µs per connection.\n\n");
        md.append("| storm | broker | conn/s | × mosquitto | p50 (µs) | p99 (µs) | CPU µs/conn | busy reps |\n");
        md.append("|---|---|---:|---:|---:|---:|---:|---:|\n");
        for (String storm : List.of(Suite.CONNECT_CLEAN, Suite.CONNECT_PERSISTENT, Suite.CONNECT_COLD)) {
            for (BrokerProcess b : brokers) {
                md.append("| ").append(storm).append(" | ").append(b.name).append(failures(storm, b.name)).append(" | ")
                        .append(withSpread(values(storm, b.name, "perSecond"))).append(" | ")
                        .append(ratio(storm, b.name, "mosquitto", "perSecond")).append(" | ")
                        .append(median(values(storm, b.name, "p50"))).append(" | ").append(median(values(storm, b.name, "p99")))
                        .append(" | ").append(median(values(storm, b.name, "cpuUsPerConn"))).append(" | ")
                        .append(busyCount(storm, b.name)).append(" of ").append(values(storm, b.name, "busy").size()).append(" |\n");
            }
        }
        md.append("\n### Idle connections: memory per 1,000 (each broker alone, freshly started; one run)\n\n");
        md.append("Connections opened in steps of ").append(options.idleStep).append(" (CONNECT, keep-alive 3600 s, then nothing) from 127.0.0.2, "
                + "127.0.0.3, …; after each step the broker's VmRSS, and for JVM brokers the heap in use after a full GC "
                + "(`jcmd <pid> GC.run`, `GC.heap_info`). Per 1,000: (value at the last step − value at 0) / connections × 1,000.\n\n");
        md.append("| broker | connections | RSS at 0 (MiB) | RSS at the last step (MiB) | RSS per 1,000 (KiB) | heap at 0 (MiB) | heap at the last step (MiB) | heap per 1,000 (KiB) |\n");
        md.append("|---|---:|---:|---:|---:|---:|---:|---:|\n");
        for (BrokerProcess b : brokers) {
            md.append("| ").append(b.name).append(failures("idle", b.name)).append(" | ").append(median(values("idle", b.name, "connections"))).append(" | ")
                    .append(median(values("idle", b.name, "rss0MiB"))).append(" | ").append(median(values("idle", b.name, "rssMiB")))
                    .append(" | ").append(median(values("idle", b.name, "rssPer1000KiB"))).append(" | ")
                    .append(b.jvm() ? median(values("idle", b.name, "heap0MiB")) : "–").append(" | ")
                    .append(b.jvm() ? median(values("idle", b.name, "heapMiB")) : "–").append(" | ")
                    .append(b.jvm() ? median(values("idle", b.name, "heapPer1000KiB")) : "–").append(" |")
                    .append("\n");
        }
        md.append("\n<details><summary>Every repetition (load average before → after, CPU of other processes meanwhile)</summary>\n\n");
        md.append("| scenario | broker | rep | load 1 min before → after | other processes (cores) | numbers |\n"
                + "|---|---|---:|---|---:|---|\n");
        for (Suite.Measurement m : measurements) {
            StringBuilder numbers = new StringBuilder();
            m.metrics().forEach((k, v) -> {
                if (!LOAD_METRICS.contains(k)) {
                    numbers.append(numbers.length() == 0 ? "" : ", ").append(k).append(" ").append(num(v));
                }
            });
            Map<String, Double> x = m.metrics();
            String load = x.containsKey("load1Before") ? String.format("%.2f → %.2f", x.get("load1Before"), x.get("load1After")) : "";
            String others = x.containsKey("otherCores") ? num(x.get("otherCores")) + (x.getOrDefault("busy", 0.0) > 0 ? " **busy: rerun**" : "") : "";
            md.append("| ").append(m.scenario()).append(" | ").append(m.broker()).append(" | ").append(m.rep()).append(" | ")
                    .append(load).append(" | ").append(others).append(" | ")
                    .append(numbers).append(m.error() == null ? "" : " FAILED: " + m.error().replace("|", "/").replace("\n", " ")).append(" |\n");
        }
        md.append("\n</details>\n");
        return md.toString();
    }

    private static final Map<String, String> CHAIN_TITLES = Map.of("switchboard-3modules", "3 modules",
            "switchboard-shipped", "shipped (auth, audit, profanity)");

    private String describe(BrokerProcess b, String commit) {
        return switch (b.name) {
            case "switchboard-empty" -> "Switchboard at commit " + commit + ": a copy of `launcher/target/switchboard` with `deploy/*.jar` "
                    + "and `configadmin/io.switchboard.module.*` removed (an empty chain), the TCP listener on the benchmark's port, "
                    + "the WebSocket listener removed; `SWITCHBOARD_OPTS=\"" + options.jvmBrokerOpts + "\"`";
            case "switchboard-3modules" -> "the same plus `bench/passthrough`'s bundle in `deploy/` and "
                    + "`io.switchboard.bench.passthrough-1/2/3.cfg` (service.ranking 10, 20, 30) in `configadmin/`; "
                    + "`bin/switchboard-shell \"sb:chain all\"` listed all three in the message and the delivery chain before measuring";
            case "switchboard-shipped" -> "the distribution as shipped: its `deploy/` and `configadmin/` kept (auth with anonymous "
                    + "clients allowed on loopback, the audit log writing every message and decision to `data/audit/`, profanity "
                    + "masking), only the TCP listener's port changed and the WebSocket listener removed";
            case "mosquitto" -> environment.get("mosquittoVersion") + " (Debian package), generated configuration: `listener <port> 127.0.0.1`, "
                    + "`allow_anonymous true`, `persistence false`, `max_connections -1`, `set_tcp_nodelay true` (as the Netty-based JVM "
                    + "brokers do; with Nagle on loopback deliveries wait for delayed ACKs); queue and in-flight limits at their "
                    + "defaults (`max_inflight_messages 20`, `max_queued_messages 1000`: messages beyond the queue are dropped, "
                    + "and a trial counts them as lost)";
            case "moquette" -> environment.get("moquetteVersion") + ", embedded in `bench/moquette`'s `MoquetteMain` in its own JVM "
                    + "(`" + options.jvmBrokerOpts + "`): anonymous clients, `persistence_enabled=false` (sessions and queues in memory; "
                    + "Moquette still wants a `data_path`, a temporary directory that stays empty), telemetry off, `netty.tcp_nodelay=true`";
            default -> b.name;
        };
    }

    private static final java.util.Set<String> LOAD_METRICS = java.util.Set.of("load1Before", "load1After", "otherCores", "busy");

    /** Repetitions a neighbour spoiled (other processes above the threshold), as " (n)" or "0". */
    private long busyCount(String scenario, String broker) {
        return measurements.stream().filter(m -> m.scenario().equals(scenario) && m.broker().equals(broker)
                && m.metrics().getOrDefault("busy", 0.0) > 0).count();
    }

    private static String withSpread(List<Double> values) {
        return values.isEmpty() ? "–" : median(values) + " (" + spread(values) + ")";
    }

    private static String pair(String a, String b) {
        if (a.isEmpty() && b.isEmpty()) {
            return "";
        }
        return (a.isEmpty() ? "–" : a) + " / " + (b.isEmpty() ? "–" : b);
    }

    private boolean has(String broker) {
        return brokers.stream().anyMatch(b -> b.name.equals(broker));
    }

    private List<Double> values(String scenario, String broker, String metric) {
        List<Double> list = new ArrayList<>();
        for (Suite.Measurement m : measurements) {
            if (m.scenario().equals(scenario) && m.broker().equals(broker) && m.error() == null) {
                Double v = m.metrics().get(metric);
                if (v != null && !v.isNaN()) {
                    list.add(v);
                }
            }
        }
        return list;
    }

    private String failures(String scenario, String broker) {
        long n = measurements.stream().filter(m -> m.scenario().equals(scenario) && m.broker().equals(broker) && m.error() != null).count();
        return n == 0 ? "" : " (" + n + " failed, see below)";
    }

    private String ratio(String scenario, String broker, String reference, String metric) {
        if (!has(reference)) {
            return "";
        }
        double a = medianValue(values(scenario, broker, metric));
        double b = medianValue(values(scenario, reference, metric));
        return Double.isNaN(a) || Double.isNaN(b) || b == 0 ? "" : String.format("%.2f", a / b);
    }

    static double medianValue(List<Double> values) {
        if (values.isEmpty()) {
            return Double.NaN;
        }
        List<Double> sorted = new ArrayList<>(values);
        sorted.sort(Double::compare);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    private static String median(List<Double> values) {
        return values.isEmpty() ? "–" : num(medianValue(values));
    }

    private static String spread(List<Double> values) {
        if (values.isEmpty()) {
            return "–";
        }
        double min = values.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
        double max = values.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
        return num(min) + "–" + num(max);
    }

    private static String pct(double fraction) {
        return num(fraction * 100) + "%";
    }

    /** Three significant digits at most, thousands separated: 225,000; 77.3; 0.42. */
    static String num(double v) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            return "–";
        }
        double abs = Math.abs(v);
        if (abs >= 1000) {
            double scale = Math.pow(10, Math.floor(Math.log10(abs)) - 2);
            return String.format("%,.0f", Math.round(v / scale) * scale);
        }
        if (abs >= 100 || v == Math.rint(v)) {
            return String.format("%.0f", v);
        }
        if (abs >= 10) {
            return String.format("%.1f", v);
        }
        return String.format("%.2f", v);
    }

    /** The raw results of a sweep run as JSON objects: the run's options and every measurement. */
    static Map<String, Object> raw(SuiteOptions options, Map<String, Object> environment, List<Suite.Measurement> measurements) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("environment", environment);
        root.put("command", options.command);
        root.put("reps", options.reps);
        root.put("trialSeconds", options.trialSeconds);
        root.put("graceSeconds", options.graceSeconds);
        root.put("maxTrials", options.maxTrials);
        root.put("p99BoundMs", options.p99BoundMillis);
        root.put("busyCores", options.busyCores);
        root.put("minSendRatio", options.minSendRatio);
        root.put("clockTicksPerSecond", CpuTime.TICKS_PER_SECOND);
        root.put("jvmBrokerOpts", options.jvmBrokerOpts);
        List<Object> list = new ArrayList<>();
        for (Suite.Measurement m : measurements) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("scenario", m.scenario());
            e.put("broker", m.broker());
            e.put("rep", m.rep());
            e.put("metrics", new LinkedHashMap<>(m.metrics()));
            e.put("error", m.error());
            e.put("detail", m.raw());
            list.add(e);
        }
        root.put("measurements", list);
        return root;
    }
}
