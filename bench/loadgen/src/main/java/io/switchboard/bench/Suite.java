package io.switchboard.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The broker comparison: starts every broker (each on its own port, pinned to one core), runs identical
 * scenarios interleaved (for each scenario, for each repetition, every broker in turn), then the
 * idle-connection measurement with each broker alone and fresh, and writes the report. Run it with
 * {@code bench/run}; {@code bench/run --smoke} runs tiny counts and writes under target/ only.
 */
public final class Suite {

    /** One load scenario; {@code sweep} false is the fixed-rate latency run. */
    record Scenario(String id, String title, boolean sweep, int pubs, int subs, int qos, double startRate) {
        /**
         * The write modes it runs in: a sweep those of {@code --writes} (both, side by side, by default), the latency
         * run one PUBLISH per write, as a real client writes.
         */
        List<WriteMode> modes(List<WriteMode> throughputModes) {
            return sweep ? throughputModes : List.of(WriteMode.PER_MESSAGE);
        }

        /** What a measurement of this scenario in this mode is filed under: {@code qos0-1to1/per-message}. */
        String key(WriteMode mode) {
            return id + "/" + mode.label;
        }
    }

    /**
     * One broker's numbers for one repetition of one scenario (key: {@link Scenario#key}, or "idle");
     * {@code error} non-null when it failed.
     */
    record Measurement(String scenario, String broker, int rep, Map<String, Double> metrics, Object raw, String error) {
    }

    /** Fan-out width: 100 in a real run; 10 in smoke mode, which must stay quick on a loaded 2-core machine. */
    static int fanOut(boolean smoke) {
        return smoke ? 10 : 100;
    }

    static List<Scenario> scenarios(boolean smoke) {
        int n = fanOut(smoke);
        return List.of(
                new Scenario("qos0-1to1", "QoS 0, 1 publisher → 1 subscriber: max sustained rate", true, 1, 1, 0, smoke ? 500 : 25_000),
                new Scenario("qos0-4to4", "QoS 0, 4 publishers → 4 subscribers (each gets all): max sustained rate", true, 4, 4, 0,
                        smoke ? 500 : 10_000),
                new Scenario("qos1-1to1", "QoS 1, 1 publisher → 1 subscriber: max sustained rate", true, 1, 1, 1, smoke ? 500 : 10_000),
                new Scenario("qos1-4to4", "QoS 1, 4 publishers → 4 subscribers: max sustained rate", true, 4, 4, 1, smoke ? 500 : 5_000),
                new Scenario("qos0-1to" + n, "QoS 0, 1 publisher → " + n + " subscribers (fan-out): max sustained rate", true, 1, n, 0,
                        smoke ? 100 : 1_000),
                new Scenario("qos1-1to" + n, "QoS 1, 1 publisher → " + n + " subscribers (fan-out): max sustained rate", true, 1, n, 1,
                        smoke ? 100 : 500),
                new Scenario("qos0-" + n + "to1", "QoS 0, " + n + " publishers → 1 subscriber (fan-in): max sustained rate", true, n, 1, 0,
                        smoke ? 500 : 25_000),
                new Scenario("qos1-" + n + "to1", "QoS 1, " + n + " publishers → 1 subscriber (fan-in): max sustained rate", true, n, 1, 1,
                        smoke ? 500 : 10_000),
                new Scenario("latency-qos0", "QoS 0 publish → deliver latency at a low fixed rate, 1 → 1", false, 1, 1, 0, 0));
    }

    private final SuiteOptions options;
    private final List<BrokerProcess> brokers = new ArrayList<>();
    private final List<Measurement> measurements = new ArrayList<>();
    private final Map<String, Object> environment = new LinkedHashMap<>();
    /** Connection storms: clean sessions and persistent ones (brokers warm, interleaved), then clean ones on a fresh broker. */
    static final String CONNECT_CLEAN = "connect-clean";
    static final String CONNECT_PERSISTENT = "connect-persistent";
    static final String CONNECT_COLD = "connect-cold";

    /** Each idle run and storm gets its own source addresses: the previous run's ports may still be in TIME_WAIT. */
    private int nextSourceAddress = 2;

    Suite(SuiteOptions options) {
        this.options = options;
    }

    public static void main(String[] argv) {
        SuiteOptions options;
        try {
            options = SuiteOptions.parse(argv);
        } catch (IllegalArgumentException e) {
            System.err.println("suite: " + e.getMessage());
            System.exit(2);
            return;
        }
        try {
            List<Measurement> results = new Suite(options).run();
            long failed = results.stream().filter(m -> m.error() != null).count();
            System.out.println("suite: done, " + results.size() + " measurements, " + failed + " failed");
            System.exit(failed == 0 ? 0 : 1);
        } catch (Exception e) {
            System.err.println("suite: " + e.getMessage());
            e.printStackTrace();
            System.exit(1);
        }
    }

    List<Measurement> run() throws Exception {
        Files.createDirectories(options.workDir);
        String started = ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'"));
        environment.putAll(Machine.describe(options));
        environment.put("date", started);
        environment.put("loadAverageStart", Machine.loadAverage());
        for (String name : options.brokers) {
            brokers.add(switch (name) {
                case "switchboard-empty" -> new BrokerProcess(name, BrokerProcess.Kind.SWITCHBOARD, false, options);
                case "switchboard-3modules" -> new BrokerProcess(name, BrokerProcess.Kind.SWITCHBOARD, true, options);
                case "switchboard-shipped" -> BrokerProcess.shipped(name, options);
                case "mosquitto" -> new BrokerProcess(name, BrokerProcess.Kind.MOSQUITTO, false, options);
                case "moquette" -> new BrokerProcess(name, BrokerProcess.Kind.MOQUETTE, false, options);
                default -> throw new IllegalArgumentException("unknown broker " + name);
            });
        }
        long began = System.nanoTime();
        try {
            for (BrokerProcess b : brokers) {
                b.prepare();
                startAndCheck(b);
            }
            warmUp();
            for (Scenario scenario : scenarios(options.smoke)) {
                for (int rep = 1; rep <= options.reps; rep++) {
                    for (WriteMode mode : scenario.modes(options.writeModes)) {
                        for (BrokerProcess b : brokers) {
                            measurements.add(runScenario(scenario, mode, b, rep));
                        }
                    }
                }
            }
            for (int rep = 1; rep <= options.reps; rep++) {
                for (String storm : List.of(CONNECT_CLEAN, CONNECT_PERSISTENT)) {
                    for (BrokerProcess b : brokers) {
                        measurements.add(runConnect(storm, b, rep));
                    }
                }
            }
        } finally {
            for (BrokerProcess b : brokers) {
                b.stop();
            }
        }
        // a restart per broker and repetition: left out of the smoke run, which must stay short
        for (int rep = 1; rep <= options.reps && !options.smoke; rep++) {
            for (BrokerProcess b : brokers) {
                measurements.add(runColdConnect(b, rep));
            }
        }
        for (BrokerProcess b : brokers) {
            measurements.add(runIdle(b));
        }
        environment.put("loadAverageEnd", Machine.loadAverage());
        environment.put("durationMinutes", (System.nanoTime() - began) / 60e9);
        SuiteReport report = new SuiteReport(options, environment, scenarios(options.smoke), brokers, measurements);
        report.writeRaw(options.raw);
        if (options.docs != null) {
            report.writeDocs(options.docs);
            System.out.println("suite: wrote " + options.docs + " and " + options.raw);
        } else {
            Files.writeString(options.workDir.resolve("benchmarks-section.md"), report.markdown());
            System.out.println("suite: wrote " + options.workDir.resolve("benchmarks-section.md") + " and " + options.raw);
        }
        return measurements;
    }

    private void startAndCheck(BrokerProcess b) throws Exception {
        b.start();
        System.out.println("suite: " + b.name + " started, pid " + b.pid() + ", port " + b.port
                + (options.pinBrokers ? ", pinned to CPU " + options.brokerCpu : ""));
        if (b.kind == BrokerProcess.Kind.SWITCHBOARD) {
            verifyChain(b);
        }
    }

    /**
     * The 3-module variant must have all three in the message and delivery chains; the shipped one auth, audit and
     * profanity; the empty one none.
     */
    private void verifyChain(BrokerProcess b) throws Exception {
        boolean wantModules = b.name.contains("3modules");
        boolean shipped = b.keepModules;
        long deadline = System.nanoTime() + 60_000_000_000L;
        String chain = "";
        while (System.nanoTime() < deadline) {
            chain = b.shell("sb:chain all");
            int instances = 0;
            for (int i = 1; i <= 3; i++) {
                instances += count(chain, "passthrough:" + i);
            }
            boolean ok = shipped ? chain.contains("auth") && chain.contains("audit") && chain.contains("profanity")
                    : wantModules ? instances == 6
                    : count(chain, "passthrough") == 0 && (chain.contains("no module") || chain.contains("MESSAGE"));
            if (ok) {
                environment.put("chain:" + b.name, chain.strip());
                return;
            }
            Thread.sleep(500);
        }
        throw new BenchException(b.name + ": the chain is not as expected after 60 s:\n" + chain);
    }

    private static int count(String text, String word) {
        int n = 0;
        for (int i = text.indexOf(word); i >= 0; i = text.indexOf(word, i + 1)) {
            n++;
        }
        return n;
    }

    /** JIT-compiles the JVM brokers' hot paths (and the generator's) before anything is measured. */
    private void warmUp() {
        for (BrokerProcess b : brokers) {
            for (int qos = 0; qos <= 1; qos++) {
                RateOptions o = baseOptions(b);
                o.publishers = 4;
                o.subscribers = 4;
                o.qos = qos;
                o.rate = options.smoke ? 500 : 10_000;
                o.seconds = options.warmupSeconds;
                try {
                    RateResult r = new RateRun(o).run();
                    System.out.println("suite: warm-up " + b.name + ": " + r.summary());
                } catch (Exception e) {
                    System.out.println("suite: warm-up " + b.name + " failed: " + e.getMessage());
                }
            }
        }
    }

    private RateOptions baseOptions(BrokerProcess b) {
        RateOptions o = new RateOptions();
        o.host = BrokerProcess.HOST;
        o.port = b.port;
        o.payloadBytes = 64;
        o.drainSeconds = options.graceSeconds;
        return o;
    }

    /**
     * One repetition of one scenario in one write mode against one broker: a sweep (the maximum sustained rate
     * and the broker's CPU per delivered message in the highest passing trial) or the latency run; around it the
     * load average and the CPU other processes took meanwhile.
     */
    private Measurement runScenario(Scenario scenario, WriteMode mode, BrokerProcess b, int rep) throws Exception {
        if (!b.running()) {
            System.out.println("suite: " + b.name + " is not running: restarting it");
            b.stop();
            startAndCheck(b);
        }
        RateOptions o = baseOptions(b);
        o.publishers = scenario.pubs();
        o.subscribers = scenario.subs();
        o.qos = scenario.qos();
        o.write = mode;
        o.brokerPid = b.pid();
        String key = scenario.key(mode);
        String label = key + " rep " + rep + " " + b.name;
        Map<String, Double> metrics = new LinkedHashMap<>();
        CpuTime.Window window = CpuTime.Window.start(b.pid());
        try {
            Object raw;
            if (scenario.sweep()) {
                o.seconds = options.trialSeconds;
                SweepCriteria criteria = new SweepCriteria(options.minSendRatio, options.p99BoundMillis);
                RateSweep sweep = new RateSweep(scenario.startRate(), 2_000_000, options.maxTrials, options.precision);
                System.out.println("suite: " + label + ": sweep");
                RateSweep.Outcome<RateResult> outcome = Bench.runSweep(o, sweep, criteria, System.out);
                metrics.put("in", outcome.maxSustainedRate());
                metrics.put("out", outcome.maxSustainedRate() * o.subscribers);
                RateResult best = Bench.highestPassing(outcome);
                if (best != null) {
                    metrics.put("cpuUsPerMsg", best.brokerCpuMicrosPerMessage());
                    metrics.put("msgPerWrite", best.messagesPerWrite());
                }
                raw = Bench.sweepJson(o, criteria, outcome);
            } else {
                o.rate = options.latencyRate;
                o.seconds = options.latencySeconds + options.latencyWarmupSeconds;
                o.warmupSeconds = options.latencyWarmupSeconds;
                RateResult r = new RateRun(o).run();
                System.out.println("suite: " + label + ": " + r.summary());
                metrics.put("p50", r.latencyMicros(50));
                metrics.put("p99", r.latencyMicros(99));
                metrics.put("p999", r.latencyMicros(99.9));
                metrics.put("max", r.maxLatencyMicros());
                metrics.put("delivered", r.allDelivered() ? 1.0 : 0.0);
                metrics.put("cpuUsPerMsg", r.brokerCpuMicrosPerMessage());
                raw = r.toMap();
                if (!r.allDelivered()) {
                    putLoad(metrics, window.end(b.pid()));
                    return new Measurement(key, b.name, rep, metrics, raw,
                            "lost " + r.lost() + (r.error == null ? "" : ": " + r.error));
                }
            }
            metrics.put("rssMiB", BrokerProbe.rssKib(b.pid()) / 1024.0);
            putLoad(metrics, window.end(b.pid()));
            System.out.println("suite: " + label + ": " + metrics);
            return new Measurement(key, b.name, rep, metrics, raw, null);
        } catch (BenchException | IOException e) {
            System.out.println("suite: " + label + " FAILED: " + e.getMessage());
            putLoad(metrics, window.end(b.pid()));
            return new Measurement(key, b.name, rep, metrics, null, e.getMessage());
        }
    }

    /**
     * The machine's state around a repetition: 1-minute load average before and after, and the CPU processes
     * other than the broker and the generator used meanwhile (cores, averaged); {@code busy} 1 when that is
     * above {@link SuiteOptions#busyCores}: a neighbour competed, rerun the repetition.
     */
    private void putLoad(Map<String, Double> metrics, CpuTime.Usage usage) {
        metrics.put("load1Before", usage.load1Before());
        metrics.put("load1After", usage.load1After());
        metrics.put("otherCores", usage.otherCores());
        metrics.put("busy", busy(usage.otherCores(), options.busyCores) ? 1.0 : 0.0);
    }

    static boolean busy(double otherCores, double threshold) {
        return !Double.isNaN(otherCores) && otherCores > threshold;
    }

    /** A freshly started broker (its JIT cold, as after a restart or a failover): one storm of clean sessions. */
    private Measurement runColdConnect(BrokerProcess b, int rep) throws Exception {
        try {
            b.prepare();
            startAndCheck(b);
            return runConnect(CONNECT_COLD, b, rep);
        } catch (BenchException | IOException e) {
            System.out.println("suite: " + CONNECT_COLD + " rep " + rep + " " + b.name + " FAILED: " + e.getMessage());
            return new Measurement(CONNECT_COLD, b.name, rep, new LinkedHashMap<>(), null, e.getMessage());
        } finally {
            b.stop();
        }
    }

    /**
     * One connection storm ({@link ConnectRun}): {@code connectConnections} new connections, 100 in flight, each
     * CONNECT, CONNACK, DISCONNECT; persistent sessions for {@link #CONNECT_PERSISTENT}.
     */
    private Measurement runConnect(String storm, BrokerProcess b, int rep) throws Exception {
        if (!b.running()) {
            System.out.println("suite: " + b.name + " is not running: restarting it");
            b.stop();
            startAndCheck(b);
        }
        ConnectRun.Options o = new ConnectRun.Options();
        o.host = BrokerProcess.HOST;
        o.port = b.port;
        o.connections = options.connectConnections;
        o.persistent = storm.equals(CONNECT_PERSISTENT);
        o.brokerPid = b.pid();
        o.firstSourceAddress = nextSourceAddress;
        nextSourceAddress += ConnectRun.addressesUsed(o);
        String label = storm + " rep " + rep + " " + b.name;
        Map<String, Double> metrics = new LinkedHashMap<>();
        CpuTime.Window window = CpuTime.Window.start(b.pid());
        try {
            ConnectRun.Result r = new ConnectRun(o).run();
            System.out.println("suite: " + label + ": " + r.summary());
            metrics.put("perSecond", r.perSecond());
            metrics.put("p50", r.latencyMicros(50));
            metrics.put("p99", r.latencyMicros(99));
            metrics.put("cpuUsPerConn", r.brokerCpuMicrosPerConnection());
            metrics.put("rssMiB", BrokerProbe.rssKib(b.pid()) / 1024.0);
            putLoad(metrics, window.end(b.pid()));
            return new Measurement(storm, b.name, rep, metrics, r.toMap(), r.error());
        } catch (BenchException | IOException e) {
            System.out.println("suite: " + label + " FAILED: " + e.getMessage());
            putLoad(metrics, window.end(b.pid()));
            return new Measurement(storm, b.name, rep, metrics, null, e.getMessage());
        }
    }

    /** A fresh broker alone: idle connections in steps, its memory after each. */
    private Measurement runIdle(BrokerProcess b) throws Exception {
        Map<String, Double> metrics = new LinkedHashMap<>();
        try {
            b.prepare();
            startAndCheck(b);
            IdleRun.Options o = new IdleRun.Options();
            o.host = BrokerProcess.HOST;
            o.port = b.port;
            o.connections = options.idleConnections;
            o.step = options.idleStep;
            o.brokerPid = b.pid();
            o.jvm = b.jvm();
            o.stepTimeoutSeconds = options.smoke ? 30 : 60;
            o.firstSourceAddress = nextSourceAddress;
            nextSourceAddress += IdleRun.sourceAddresses(o.connections);
            IdleRun.Result r = new IdleRun(o).run();
            IdleRun.Sample first = r.samples().get(0);
            IdleRun.Sample last = r.samples().get(r.samples().size() - 1);
            metrics.put("connections", (double) r.reached());
            metrics.put("rss0MiB", first.rssKib() / 1024.0);
            metrics.put("rssMiB", last.rssKib() / 1024.0);
            metrics.put("rssPer1000KiB", r.perThousand(true));
            if (b.jvm()) {
                metrics.put("heap0MiB", first.heapKib() / 1024.0);
                metrics.put("heapMiB", last.heapKib() / 1024.0);
                metrics.put("heapPer1000KiB", r.perThousand(false));
            }
            System.out.println("suite: idle " + b.name + ": " + metrics + (r.limitNote() == null ? "" : " (" + r.limitNote() + ")"));
            if (r.limitNote() != null) {
                environment.put("idleLimit", r.limitNote());
            }
            return new Measurement("idle", b.name, 1, metrics, r.toMap(), r.error());
        } catch (BenchException | IOException e) {
            System.out.println("suite: idle " + b.name + " FAILED: " + e.getMessage());
            return new Measurement("idle", b.name, 1, metrics, null, e.getMessage());
        } finally {
            b.stop();
        }
    }
}
