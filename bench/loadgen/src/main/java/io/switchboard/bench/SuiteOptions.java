package io.switchboard.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** What the suite runs and where; {@link #parse} reads the command line of {@code bench/run}. */
final class SuiteOptions {
    Path root = Path.of("").toAbsolutePath();
    Path distribution;
    Path passThroughJar;
    Path passThroughConfigs;
    Path moquetteJar;
    Path moquetteLib;
    Path workDir;
    /** docs/benchmarks.md, or null to write no documentation (smoke). */
    Path docs;
    Path raw;
    String mosquitto;
    int reps = 3;
    boolean smoke;
    boolean pinBrokers;
    String brokerCpu = "0";
    String loadCpuNote = "not pinned";
    int idleConnections = 50_000;
    int idleStep = 1_000;
    /** New connections per connection storm (Bench connect). */
    int connectConnections = 20_000;
    List<String> brokers = new ArrayList<>(List.of("switchboard-empty", "switchboard-3modules", "switchboard-shipped", "mosquitto", "moquette"));
    String jvmBrokerOpts = "-Xms512m -Xmx2g";
    double trialSeconds = 2;
    double graceSeconds = 1;
    int maxTrials = 8;
    double precision = 0.05;
    double p99BoundMillis = 100;
    /** A trial passes only when the publishers sent at least this share of the offered messages. */
    double minSendRatio = 0.97;
    double latencyRate = 1_000;
    double latencySeconds = 5;
    double latencyWarmupSeconds = 1;
    double warmupSeconds = 4;
    /**
     * A repetition during which processes other than the broker and the generator used more than this many
     * cores (averaged over it) is marked busy in the report: rerun it.
     */
    double busyCores = 0.25;
    /** How publishers write in the throughput scenarios ({@code --writes}): by default both, side by side. */
    List<WriteMode> writeModes = List.of(WriteMode.PER_MESSAGE, WriteMode.BATCHED);
    /** The command line as the user typed it, for the report. */
    String command = "bench/run";
    /** Notes from bench/run (ulimit, mosquitto installation) for the report. */
    List<String> notes = new ArrayList<>();

    static SuiteOptions parse(String[] argv) {
        Args args = new Args(argv, 0, Set.of("smoke", "no-pin"));
        SuiteOptions o = new SuiteOptions();
        o.root = Path.of(args.string("root", o.root.toString())).toAbsolutePath().normalize();
        o.smoke = args.flag("smoke");
        if (o.smoke) {
            o.smokeDefaults();
        }
        o.reps = args.integer("reps", o.reps);
        o.idleConnections = args.integer("idle-connections", o.idleConnections);
        o.connectConnections = args.integer("connect-connections", o.connectConnections);
        o.trialSeconds = args.number("trial-seconds", o.trialSeconds);
        o.maxTrials = args.integer("max-trials", o.maxTrials);
        o.busyCores = args.number("busy-cores", o.busyCores);
        String writes = args.string("writes", null);
        if (writes != null) {
            o.writeModes = java.util.Arrays.stream(writes.split(",")).map(String::trim).map(WriteMode::parse).distinct().toList();
        }
        o.pinBrokers = !args.flag("no-pin") && cpuCount() >= 2 && onPath("taskset");
        String brokers = args.string("brokers", null);
        if (brokers != null) {
            o.brokers = new ArrayList<>(List.of(brokers.split(",")));
        }
        o.command = args.string("command", o.command);
        String notes = args.string("notes", null);
        if (notes != null && !notes.isBlank()) {
            o.notes.addAll(List.of(notes.split("\\|")));
        }
        o.loadCpuNote = args.string("load-cpu", o.loadCpuNote);
        o.workDir = Path.of(args.string("work", o.root.resolve("bench/loadgen/target/bench-suite").toString()));
        String docs = args.string("docs", o.smoke ? "" : o.root.resolve("docs/benchmarks.md").toString());
        o.docs = docs.isEmpty() ? null : Path.of(docs);
        o.raw = Path.of(args.string("raw", o.smoke ? o.workDir.resolve("benchmarks-raw.json").toString()
                : o.root.resolve("docs/benchmarks-raw.json").toString()));
        args.rejectUnused();
        o.locateArtifacts();
        return o;
    }

    /** A JVM broker's options in a smoke run: small and quick to start, not tuned. */
    static final String SMOKE_JVM_OPTS = "-Xms64m -Xmx512m -XX:TieredStopAtLevel=1";

    /** Tiny counts: proves every scenario still runs end to end (mvn verify), measures nothing. */
    void smokeDefaults() {
        smoke = true;
        reps = 1;
        trialSeconds = 0.3;
        graceSeconds = 5;
        maxTrials = 3; // one spare trial: a refused connection fails a trial, the next runs lower
        // a cold JVM broker on a loaded CI machine: only a broken broker may fail a smoke trial
        p99BoundMillis = 5_000;
        // nor may a generator starved by a loaded machine, which falls behind its own schedule even at 25 msg/s:
        // the smoke run proves that what was sent arrived, not a rate
        minSendRatio = 0.1;
        latencyRate = 200;
        latencySeconds = 0.5;
        latencyWarmupSeconds = 0.1;
        warmupSeconds = 0.3;
        idleConnections = 200;
        idleStep = 100;
        connectConnections = 300;
        jvmBrokerOpts = SMOKE_JVM_OPTS;
    }

    void locateArtifacts() {
        if (distribution == null) {
            distribution = root.resolve("launcher/target/switchboard");
        }
        if (passThroughJar == null) {
            passThroughJar = root.resolve("bench/passthrough/target/switchboard-bench-passthrough-0.1.0-SNAPSHOT.jar");
        }
        if (passThroughConfigs == null) {
            passThroughConfigs = root.resolve("bench/passthrough/src/main/config");
        }
        if (moquetteJar == null) {
            moquetteJar = root.resolve("bench/moquette/target/switchboard-bench-moquette-0.1.0-SNAPSHOT.jar");
        }
        if (moquetteLib == null) {
            moquetteLib = root.resolve("bench/moquette/target/lib");
        }
        if (mosquitto == null) {
            mosquitto = Files.isExecutable(Path.of("/usr/sbin/mosquitto")) ? "/usr/sbin/mosquitto"
                    : onPath("mosquitto") ? "mosquitto" : null;
        }
        if (mosquitto == null && brokers.remove("mosquitto")) {
            notes.add("mosquitto is not installed: skipped");
        }
    }

    /** Online CPUs of the machine (not of this process, which bench/run pins to one core). */
    static int cpuCount() {
        try {
            String online = Files.readString(Path.of("/sys/devices/system/cpu/online")).trim();
            int count = 0;
            for (String range : online.split(",")) {
                String[] ends = range.split("-");
                count += ends.length == 1 ? 1 : Integer.parseInt(ends[1]) - Integer.parseInt(ends[0]) + 1;
            }
            return count;
        } catch (Exception e) {
            return Runtime.getRuntime().availableProcessors();
        }
    }

    static boolean onPath(String program) {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String dir : path.split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, program))) {
                return true;
            }
        }
        return false;
    }
}
