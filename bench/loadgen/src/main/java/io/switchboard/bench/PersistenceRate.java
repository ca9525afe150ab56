package io.switchboard.bench;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code bench/persistence rate}: the maximum sustained QoS 1 rate with persistent sessions, every
 * broker variant started once and measured interleaved (for each scenario, for each repetition, every
 * broker in turn), with the broker comparison's sweep ({@link RateSweep}, {@link SweepCriteria}: every
 * message delivered, 97% of the offered messages sent, p99 within the bound). Subscribers connect
 * with clean session 0 and subscribe at QoS 1, so each message is kept for them until they acknowledge
 * it; their sessions are ended after each trial.
 */
final class PersistenceRate {

    record Scenario(String id, String title, int pubs, int subs) {
    }

    private final PersistenceBench.Common common;
    private final SuiteOptions o;
    private final List<Scenario> scenarios = new ArrayList<>();
    private final double startRate;
    private final int payload;
    private final List<BrokerProcess> brokers = new ArrayList<>();
    private final List<Suite.Measurement> measurements = new ArrayList<>();
    /** Switchboard's store (data/store/, all files) after all runs (every session ended, so every message deleted) and a clean stop. */
    private final Map<String, Long> storeBytes = new LinkedHashMap<>();

    PersistenceRate(PersistenceBench.Common common, Args args) {
        this.common = common;
        this.o = common.suite;
        if (o.smoke) {
            o.smokeDefaults();
            o.reps = args.integer("reps", 1);
        }
        o.trialSeconds = args.number("trial-seconds", o.smoke ? 0.3 : 2);
        o.maxTrials = args.integer("max-trials", o.smoke ? 3 : 10);
        o.warmupSeconds = args.number("warmup-seconds", o.smoke ? o.warmupSeconds : 15);
        startRate = args.number("start-rate", o.smoke ? 500 : 5_000);
        payload = args.integer("payload", 64);
        for (String id : args.string("scenarios", "1to1,4to4").split(",")) {
            scenarios.add(switch (id) {
                case "1to1" -> new Scenario("qos1-1to1-persistent", "QoS 1, 1 publisher → 1 persistent subscriber", 1, 1);
                case "4to4" -> new Scenario("qos1-4to4-persistent", "QoS 1, 4 publishers → 4 persistent subscribers (each gets all)", 4, 4);
                default -> throw new IllegalArgumentException("unknown scenario " + id + ": 1to1 or 4to4");
            });
        }
        args.rejectUnused();
    }

    int run() throws Exception {
        PersistenceBench.environment(common);
        long began = System.nanoTime();
        for (String name : common.brokers) {
            brokers.add(PersistenceBench.broker(name, o, false));
        }
        try {
            for (BrokerProcess b : brokers) {
                b.prepare();
                start(b);
            }
            warmUp();
            for (Scenario s : scenarios) {
                for (int rep = 1; rep <= o.reps; rep++) {
                    for (BrokerProcess b : brokers) {
                        measurements.add(measure(s, b, rep));
                    }
                }
            }
        } finally {
            for (BrokerProcess b : brokers) {
                b.stop();
                if (b.kind == BrokerProcess.Kind.SWITCHBOARD) {
                    long bytes = PersistenceBench.storeBytes(b);
                    if (bytes >= 0) {
                        storeBytes.put(b.name, bytes);
                    }
                }
            }
        }
        common.environment.put("loadAverageEnd", Machine.loadAverage());
        double minutes = (System.nanoTime() - began) / 60e9;
        PersistenceBench.write(common, markdown(minutes), raw());
        long failed = measurements.stream().filter(m -> m.error() != null).count();
        System.out.println("persistence rate: done, " + measurements.size() + " measurements, " + failed + " failed");
        return failed == 0 ? 0 : 1;
    }

    private void start(BrokerProcess b) throws Exception {
        b.start();
        PersistenceBench.awaitChain(b);
        System.out.printf("persistence rate: %s started, pid %d, port %d, %.0f ms to its first CONNACK%n", b.name, b.pid(), b.port,
                b.lastStartMillis);
    }

    private RateOptions options(BrokerProcess b) {
        RateOptions r = new RateOptions();
        r.host = BrokerProcess.HOST;
        r.port = b.port;
        r.qos = 1;
        r.payloadBytes = payload;
        r.persistent = true;
        r.drainSeconds = o.graceSeconds;
        return r;
    }

    /** Both shapes of load, {@code warmupSeconds} each, before any measurement: a JVM broker's hot paths compiled. */
    private void warmUp() {
        for (BrokerProcess b : brokers) {
            for (int[] shape : new int[][] {{1, 1, 20_000}, {4, 4, 5_000}}) {
                RateOptions r = options(b);
                r.publishers = shape[0];
                r.subscribers = shape[1];
                r.rate = o.smoke ? 500 : shape[2];
                r.seconds = o.warmupSeconds;
                try {
                    System.out.println("persistence rate: warm-up " + b.name + ": " + new RateRun(r).run().summary());
                } catch (Exception e) {
                    System.out.println("persistence rate: warm-up " + b.name + " failed: " + e.getMessage());
                }
            }
        }
    }

    private Suite.Measurement measure(Scenario s, BrokerProcess b, int rep) throws Exception {
        String label = s.id() + " rep " + rep + " " + b.name;
        Map<String, Double> metrics = new LinkedHashMap<>();
        try {
            if (!b.running()) {
                System.out.println("persistence rate: " + b.name + " is not running: restarting it");
                b.stop();
                start(b);
            }
            RateOptions r = options(b);
            r.publishers = s.pubs();
            r.subscribers = s.subs();
            r.seconds = o.trialSeconds;
            SweepCriteria criteria = new SweepCriteria(0.97, o.p99BoundMillis);
            RateSweep sweep = new RateSweep(startRate, 2_000_000, o.maxTrials, o.precision);
            System.out.println("persistence rate: " + label + ": sweep");
            RateSweep.Outcome<RateResult> outcome = Bench.runSweep(r, sweep, criteria, System.out);
            metrics.put("in", outcome.maxSustainedRate());
            metrics.put("out", outcome.maxSustainedRate() * s.subs());
            metrics.put("lowestFailed", outcome.lowestFailedRate());
            metrics.put("rssMiB", BrokerProbe.rssKib(b.pid()) / 1024.0);
            System.out.println("persistence rate: " + label + ": " + metrics);
            return new Suite.Measurement(s.id(), b.name, rep, metrics, Bench.sweepJson(r, criteria, outcome), null);
        } catch (BenchException | IOException e) {
            System.out.println("persistence rate: " + label + " FAILED: " + e.getMessage());
            return new Suite.Measurement(s.id(), b.name, rep, metrics, null, e.getMessage());
        }
    }

    private List<Double> values(String scenario, String broker, String metric) {
        List<Double> list = new ArrayList<>();
        for (Suite.Measurement m : measurements) {
            if (m.scenario().equals(scenario) && m.broker().equals(broker) && m.error() == null) {
                Double v = m.metrics().get(metric);
                if (v != null && !v.isNaN() && !v.isInfinite()) {
                    list.add(v);
                }
            }
        }
        return list;
    }

    private String markdown(double minutes) {
        StringBuilder md = new StringBuilder();
        md.append("### Maximum sustained QoS 1 rate to persistent subscribers (`bench/persistence rate`)\n\n");
        md.append("Written by `bench/persistence rate` (the next run rewrites this part; raw numbers of every repetition and sweep trial: "
                + "`rate` in [benchmarks-persistence-raw.json](benchmarks-persistence-raw.json)).\n\n");
        md.append(PersistenceBench.header(common, minutes));
        md.append("- Brokers, all started before the load and left running (idle between their turns), each on its own port on 127.0.0.1:\n");
        for (BrokerProcess b : brokers) {
            md.append("  - `").append(b.name).append("`: ").append(PersistenceBench.describe(b, common.environment, o)).append("\n");
        }
        md.append("- Load: MQTT 3.1.1, QoS 1 publishes of ").append(payload).append(" bytes, publisher window ").append(64)
                .append("; every subscriber connects with clean session 0 (a persistent session) and subscribes at QoS 1 to all publishers' "
                        + "topics, so the broker keeps each message for each subscriber until its PUBACK (Switchboard: written to its store before "
                        + "the publisher's PUBACK). After each trial the subscribers' sessions are ended (a clean-session CONNECT under the "
                        + "same client id).\n");
        md.append("- Sweep as in the broker comparison: trials at a rising offered rate (doubling from ").append(num(startRate))
                .append(" msg/s), then bisection to within ").append(num(o.precision * 100)).append("%, at most ").append(o.maxTrials)
                .append(" trials of ").append(num(o.trialSeconds)).append(" s each (fresh connections and topics), up to ")
                .append(num(o.graceSeconds)).append(" s grace. A trial passes when every message reached every subscriber, publishers "
                        + "sent at least 97% of the offered messages and p99 publish → deliver latency is at most ")
                .append(num(o.p99BoundMillis)).append(" ms.\n");
        md.append("- Repetitions: ").append(o.reps).append(", interleaved (for each scenario, for each repetition, every broker in turn). "
                + "Cells: median (min–max). × mosquitto: ratio of medians. Warm-up: ").append(num(o.warmupSeconds))
                .append(" s of QoS 1, 1 → 1 at 20,000 msg/s and as long 4 → 4 at 5,000 msg/s, persistent, per broker.\n\n");
        md.append("| scenario | broker | in: median | in: min–max | out: median | × mosquitto | RSS after (MiB) |\n");
        md.append("|---|---|---:|---:|---:|---:|---:|\n");
        String reference = brokers.stream().map(b -> b.name).filter(n -> n.equals("mosquitto")).findFirst().orElse(null);
        for (Scenario s : scenarios) {
            for (BrokerProcess b : brokers) {
                List<Double> in = values(s.id(), b.name, "in");
                long failed = measurements.stream().filter(m -> m.scenario().equals(s.id()) && m.broker().equals(b.name) && m.error() != null).count();
                double ref = reference == null ? Double.NaN : median(values(s.id(), reference, "in"));
                double mine = median(in);
                md.append("| ").append(s.title()).append(" | ").append(b.name).append(failed == 0 ? "" : " (" + failed + " failed)").append(" | ")
                        .append(in.isEmpty() ? "–" : num(mine)).append(" | ").append(spread(in)).append(" | ")
                        .append(num(median(values(s.id(), b.name, "out")))).append(" | ")
                        .append(Double.isNaN(ref) || ref == 0 || in.isEmpty() ? "" : String.format("%.2f", mine / ref)).append(" | ")
                        .append(num(median(values(s.id(), b.name, "rssMiB")))).append(" |\n");
            }
        }
        if (!storeBytes.isEmpty()) {
            md.append("\nSwitchboard's store (the RocksDB directory `data/store/`, the sum of its files) after all runs (every session ended, so every message "
                    + "deleted) and a clean stop: ");
            List<String> sizes = new ArrayList<>();
            storeBytes.forEach((name, bytes) -> sizes.add("`" + name + "` " + num(bytes / 1024.0 / 1024.0) + " MiB"));
            md.append(String.join(", ", sizes)).append(".\n");
        }
        md.append("\n<details><summary>Every repetition</summary>\n\n");
        md.append("| scenario | broker | rep | max sustained (msg/s in) | lowest failing | why the lowest failing trial failed |\n|---|---|---:|---:|---:|---|\n");
        for (Suite.Measurement m : measurements) {
            md.append("| ").append(m.scenario()).append(" | ").append(m.broker()).append(" | ").append(m.rep()).append(" | ");
            if (m.error() != null) {
                md.append("FAILED: ").append(m.error().replace("|", "/").replace("\n", " ")).append(" | | |\n");
                continue;
            }
            md.append(num(m.metrics().get("in"))).append(" | ").append(num(m.metrics().get("lowestFailed"))).append(" | ")
                    .append(lowestFailure(m)).append(" |\n");
        }
        md.append("\n</details>\n");
        return md.toString();
    }

    @SuppressWarnings("unchecked")
    private static String lowestFailure(Suite.Measurement m) {
        if (!(m.raw() instanceof Map<?, ?> raw) || !(raw.get("trials") instanceof List<?> trials)) {
            return "";
        }
        double lowest = Double.POSITIVE_INFINITY;
        String why = "";
        for (Object t : trials) {
            Map<String, Object> trial = (Map<String, Object>) t;
            if (!Boolean.TRUE.equals(trial.get("passed")) && ((Number) trial.get("rate")).doubleValue() < lowest) {
                lowest = ((Number) trial.get("rate")).doubleValue();
                why = String.valueOf(trial.get("failure")).replace("|", "/");
            }
        }
        return why;
    }

    private static String spread(List<Double> values) {
        if (values.isEmpty()) {
            return "–";
        }
        return num(values.stream().mapToDouble(Double::doubleValue).min().orElse(0)) + "–"
                + num(values.stream().mapToDouble(Double::doubleValue).max().orElse(0));
    }

    private Map<String, Object> raw() {
        Map<String, Object> root = SuiteReport.raw(o, common.environment, measurements);
        root.put("storeBytesAtEnd", storeBytes);
        return root;
    }

    private static double median(List<Double> values) {
        return PersistenceBench.median(values);
    }

    private static String num(double v) {
        return PersistenceBench.num(v);
    }
}
