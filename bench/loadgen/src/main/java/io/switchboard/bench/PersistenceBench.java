package io.switchboard.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The persistence benchmarks ({@code bench/persistence <part>}): Switchboard with its durable store
 * against Mosquitto with {@code persistence true}.
 * <ul>
 * <li>{@code rate}: maximum sustained QoS 1 rate to persistent subscribers ({@link PersistenceRate});</li>
 * <li>{@code crash-loss}: PUBACK'd messages for an offline persistent subscriber that survive SIGKILL
 * of the broker ({@link CrashLoss});</li>
 * <li>{@code recovery}: start time and store size with a million queued messages ({@link Recovery}).</li>
 * </ul>
 * Each part writes its section of docs/benchmarks.md (between {@code <!-- persistence-<part>:begin -->}
 * and {@code :end -->}) and its entry of docs/benchmarks-persistence-raw.json, unless {@code --no-docs}
 * or {@code --smoke}.
 */
public final class PersistenceBench {

    static final String USAGE = String.join("\n",
            "usage: bench/persistence <rate|crash-loss|recovery> [options]",
            "common: --reps N --brokers a,b,... --no-pin --no-docs --smoke --jvm-opts '-Xms512m -Xmx2g'",
            "brokers: switchboard-<default|empty>[-fsync][-transient], mosquitto[-onchanges<N>|-transient]",
            "  switchboard-default: the distribution as shipped (audit and profanity modules); -empty: no modules;",
            "  -fsync: configadmin/io.switchboard.store.cfg sync = fsync; -transient: persistence = false",
            "  mosquitto: persistence true, persistence_location in its work directory (autosave_interval 1800 s);",
            "  -onchanges<N>: autosave_on_changes true, autosave_interval N; -transient: persistence false",
            "rate:       --scenarios 1to1,4to4 --start-rate 5000 --trial-seconds 2 --max-trials 10 --payload 64",
            "crash-loss: --cases 20000@end,20000@mid,300000@end --rate 4000 --window 64 --payload 64 --kill-after-ms 0 --idle-ms 3000",
            "recovery:   --messages 1000000 --subscribers 1 --pubs 4 --window 100 --payload 150 --restarts kill-term|none");

    /** What every part shares: the suite's options (paths, pinning, JVM options), reps, brokers, docs. */
    static final class Common {
        final SuiteOptions suite = new SuiteOptions();
        final String part;
        List<String> brokers;
        boolean docs;
        Path docsFile;
        Path rawFile;
        final Map<String, Object> environment = new LinkedHashMap<>();

        Common(String part) {
            this.part = part;
        }
    }

    private PersistenceBench() {
    }

    public static void main(String[] argv) {
        if (argv.length == 0 || argv[0].equals("--help") || argv[0].equals("-h")) {
            System.out.println(USAGE);
            System.exit(argv.length == 0 ? 2 : 0);
        }
        // a stopped run (Ctrl-C, SIGTERM) must not leave its brokers running: they are this JVM's children
        Runtime.getRuntime().addShutdownHook(new Thread(() -> ProcessHandle.current().descendants().forEach(ProcessHandle::destroyForcibly)));
        try {
            Args args = new Args(argv, 1, Set.of("smoke", "no-pin", "no-docs"));
            int status = switch (argv[0]) {
                case "rate" -> new PersistenceRate(common(args, "rate", "switchboard-default,switchboard-empty,switchboard-empty-fsync,mosquitto"), args).run();
                case "crash-loss" -> new CrashLoss(common(args, "crash-loss",
                        "switchboard-default,switchboard-empty-fsync,mosquitto,mosquitto-onchanges100"), args).run();
                case "recovery" -> new Recovery(common(args, "recovery", "switchboard-default,mosquitto"), args).run();
                default -> throw new IllegalArgumentException("unknown part: " + argv[0]);
            };
            System.exit(status);
        } catch (IllegalArgumentException e) {
            System.err.println("persistence: " + e.getMessage());
            System.err.println(USAGE);
            System.exit(2);
        } catch (Exception e) {
            System.err.println("persistence: " + e);
            e.printStackTrace();
            System.exit(1);
        }
    }

    static Common common(Args args, String part, String defaultBrokers) {
        Common c = new Common(part);
        SuiteOptions o = c.suite;
        o.root = Path.of(args.string("root", o.root.toString())).toAbsolutePath().normalize();
        o.smoke = args.flag("smoke");
        o.reps = args.integer("reps", o.smoke ? 1 : 3);
        o.pinBrokers = !args.flag("no-pin") && SuiteOptions.cpuCount() >= 2 && SuiteOptions.onPath("taskset");
        o.loadCpuNote = args.string("load-cpu", o.loadCpuNote);
        o.command = args.string("command", "bench/persistence " + part);
        String notes = args.string("notes", null);
        if (notes != null && !notes.isBlank()) {
            o.notes.addAll(List.of(notes.split("\\|")));
        }
        o.jvmBrokerOpts = args.string("jvm-opts", o.jvmBrokerOpts);
        o.workDir = Path.of(args.string("work", o.root.resolve("bench/loadgen/target/persistence/" + part).toString()))
                .toAbsolutePath();
        c.brokers = new ArrayList<>(List.of(args.string("brokers", defaultBrokers).split(",")));
        c.docs = !args.flag("no-docs") && !o.smoke;
        c.docsFile = o.root.resolve("docs/benchmarks.md");
        c.rawFile = o.root.resolve("docs/benchmarks-persistence-raw.json");
        o.brokers = new ArrayList<>(c.brokers);
        o.locateArtifacts(); // drops mosquitto (with a note) when it is not installed
        c.brokers.removeIf(b -> b.startsWith("mosquitto") && o.mosquitto == null);
        return c;
    }

    // ---- brokers

    /**
     * A broker variant by name (see {@link #USAGE}). {@code bigQueues}: the session queues hold a
     * million-message backlog (Switchboard {@code max.queued.messages = 2000000} and
     * {@code max.queued.bytes = 2000000000}, Mosquitto {@code max_queued_messages 0}, no limit);
     * otherwise both keep their defaults (1,000 messages; Switchboard also 32 MiB).
     */
    static BrokerProcess broker(String name, SuiteOptions o, boolean bigQueues) {
        if (name.startsWith("switchboard-")) {
            String[] parts = name.substring("switchboard-".length()).split("-");
            BrokerProcess b = new BrokerProcess(name, BrokerProcess.Kind.SWITCHBOARD, false, o);
            switch (parts[0]) {
                case "default" -> b.keepModules = true;
                case "empty" -> b.keepModules = false;
                default -> throw new IllegalArgumentException("unknown broker " + name + ": switchboard-default or switchboard-empty");
            }
            for (int i = 1; i < parts.length; i++) {
                switch (parts[i]) {
                    case "fsync" -> b.configLines.computeIfAbsent("io.switchboard.store.cfg", k -> new ArrayList<>()).add("sync = fsync");
                    case "transient" -> b.configLines.computeIfAbsent("io.switchboard.store.cfg", k -> new ArrayList<>()).add("persistence = false");
                    default -> throw new IllegalArgumentException("unknown broker " + name + ": suffix -" + parts[i]);
                }
            }
            if (bigQueues) {
                List<String> mqtt = b.configLines.computeIfAbsent("io.switchboard.mqtt.cfg", k -> new ArrayList<>());
                mqtt.add("max.queued.messages = 2000000");
                mqtt.add("max.queued.bytes = 2000000000");
            }
            return b;
        }
        if (name.startsWith("mosquitto")) {
            BrokerProcess b = new BrokerProcess(name, BrokerProcess.Kind.MOSQUITTO, false, o);
            String rest = name.substring("mosquitto".length());
            if (rest.equals("-transient")) {
                b.mosquittoLines.add("persistence false");
            } else {
                b.mosquittoLines.add("persistence true");
                b.mosquittoLines.add("persistence_location " + b.home + "/");
                // started as root, mosquitto runs as the user "mosquitto", which may not write the work directory;
                // as any other user this line has no effect
                b.mosquittoLines.add("user " + System.getProperty("user.name"));
                if (rest.startsWith("-onchanges")) {
                    String n = rest.substring("-onchanges".length());
                    b.mosquittoLines.add("autosave_on_changes true");
                    b.mosquittoLines.add("autosave_interval " + (n.isEmpty() ? "1" : Integer.parseInt(n)));
                } else if (!rest.isEmpty()) {
                    throw new IllegalArgumentException("unknown broker " + name);
                }
            }
            if (bigQueues) {
                b.mosquittoLines.add("max_queued_messages 0");
            }
            return b;
        }
        throw new IllegalArgumentException("unknown broker " + name);
    }

    /** For the report: what a broker variant is. */
    static String describe(BrokerProcess b, Map<String, Object> environment, SuiteOptions o) {
        if (b.kind == BrokerProcess.Kind.SWITCHBOARD) {
            StringBuilder s = new StringBuilder("Switchboard at commit ").append(environment.get("switchboardCommit")).append(": a copy of `launcher/target/switchboard`");
            s.append(b.keepModules ? " as shipped (modules `audit` and `profanity` in `deploy/` with their configurations: the default distribution)"
                    : " with `deploy/*.jar` and `configadmin/io.switchboard.module.*` removed (an empty chain)");
            s.append(", the TCP listener on the benchmark's port, the WebSocket listener removed");
            b.configLines.forEach((file, lines) -> s.append(", `configadmin/").append(file).append("`: `").append(String.join("`, `", lines)).append("`"));
            if (b.configLines.keySet().stream().noneMatch(f -> f.equals("io.switchboard.store.cfg"))) {
                s.append(" (store defaults: `persistence = true`, `sync = os`)");
            }
            s.append("; `SWITCHBOARD_OPTS=\"").append(o.jvmBrokerOpts).append("\"`");
            return s.toString();
        }
        return environment.get("mosquittoVersion") + " (Debian package), generated configuration as in the broker comparison (`listener <port> 127.0.0.1`, "
                + "`allow_anonymous true`, `max_connections -1`, `set_tcp_nodelay true`) plus `" + String.join("`, `", b.mosquittoLines.stream().filter(l -> !l.startsWith("user ")).toList()).replace(b.home + "/", "<work dir>/")
                + "`" + (b.mosquittoLines.stream().anyMatch(l -> l.startsWith("autosave_"))
                ? " (the whole database is written once that many changes (messages received and queued, subscriptions, sessions) have accumulated, and at a clean stop)"
                : (b.mosquittoLines.contains("persistence true") ? " (`autosave_interval` at its default, 1800 s: the database is written every 30 minutes and at a clean stop)" : ""));
    }

    /** Switchboard's store: the RocksDB directory {@code data/store/} of its home (relative to {@link BrokerProcess#home}). */
    static final String SWITCHBOARD_STORE = "data/store";

    /**
     * The size of a broker's durable store in bytes, or -1 when there is none: Switchboard's is the
     * RocksDB directory {@code data/store/} (all its regular files: tables, write-ahead logs, manifest,
     * options, RocksDB's LOG files), Mosquitto's the file {@code mosquitto.db} in its persistence location.
     */
    static long storeBytes(BrokerProcess b) throws IOException {
        if (b.kind != BrokerProcess.Kind.SWITCHBOARD) {
            Path file = b.home.resolve("mosquitto.db");
            return Files.exists(file) ? Files.size(file) : -1;
        }
        return directoryBytes(b.home.resolve(SWITCHBOARD_STORE));
    }

    /**
     * Switchboard's store by kind of file, for the raw results: RocksDB's table files ({@code sst}), write-ahead
     * logs ({@code log}, not its {@code LOG} text files) and the rest, each as {@code count/bytes}; empty for Mosquitto.
     */
    static Map<String, String> storeFiles(BrokerProcess b) throws IOException {
        Map<String, String> kinds = new java.util.TreeMap<>();
        Path dir = b.home.resolve(SWITCHBOARD_STORE);
        if (b.kind != BrokerProcess.Kind.SWITCHBOARD || !Files.isDirectory(dir)) {
            return kinds;
        }
        Map<String, long[]> sums = new java.util.TreeMap<>();
        try (java.util.stream.Stream<Path> files = Files.list(dir)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                if (!Files.isRegularFile(f)) {
                    continue;
                }
                String name = f.getFileName().toString();
                String kind = name.endsWith(".sst") ? "sst" : name.endsWith(".log") ? "log" : "other";
                long[] sum = sums.computeIfAbsent(kind, k -> new long[2]);
                sum[0]++;
                sum[1] += Files.size(f);
            }
        }
        sums.forEach((kind, sum) -> kinds.put(kind, sum[0] + "/" + sum[1]));
        return kinds;
    }

    /** The sum of the sizes of the regular files under {@code dir} (recursively), or -1 when it does not exist. */
    static long directoryBytes(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return -1;
        }
        long[] total = {0};
        Files.walkFileTree(dir, new java.nio.file.SimpleFileVisitor<>() {
            @Override
            public java.nio.file.FileVisitResult visitFile(Path file, java.nio.file.attribute.BasicFileAttributes attrs) {
                if (attrs.isRegularFile()) {
                    total[0] += attrs.size();
                }
                return java.nio.file.FileVisitResult.CONTINUE;
            }

            @Override
            public java.nio.file.FileVisitResult visitFileFailed(Path file, IOException e) {
                return java.nio.file.FileVisitResult.CONTINUE; // removed while walking (a running store compacts)
            }
        });
        return total[0];
    }

    /** The default distribution's chain must hold its modules before anything is measured (they join after the listener opens). */
    static void awaitChain(BrokerProcess b) throws Exception {
        if (b.kind != BrokerProcess.Kind.SWITCHBOARD || !b.keepModules) {
            return;
        }
        long deadline = System.nanoTime() + 60_000_000_000L;
        String chain = "";
        while (System.nanoTime() < deadline) {
            chain = b.shell("sb:chain");
            if (chain.contains("audit") && chain.contains("profanity")) {
                return;
            }
            Thread.sleep(200);
        }
        throw new BenchException(b.name + ": the modules audit and profanity did not join the chain within 60 s:\n" + chain);
    }

    // ---- report helpers

    static Map<String, Object> environment(Common c) {
        Map<String, Object> env = c.environment;
        env.putAll(Machine.describe(c.suite));
        env.put("date", ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'")));
        env.put("loadAverageStart", Machine.loadAverage());
        return env;
    }

    /** The common bullet lines of a part's section: date, command, machine, load, pinning, notes. */
    static String header(Common c, double minutes) {
        Map<String, Object> env = c.environment;
        SuiteOptions o = c.suite;
        StringBuilder md = new StringBuilder();
        md.append("- Date: ").append(env.get("date")).append(String.format(", %.1f minutes", minutes)).append("\n");
        md.append("- Command: `").append(o.command).append("`").append(o.smoke ? " (smoke mode: tiny counts, numbers mean nothing)" : "").append("\n");
        md.append("- Machine: ").append(env.get("cpu")).append(", ").append(env.get("cpus")).append(" CPUs, ").append(env.get("memory"))
                .append(" RAM, Linux ").append(env.get("kernel")).append("; JDK ").append(env.get("jdk")).append("\n");
        md.append("- Load average (1, 5, 15 min): ").append(env.get("loadAverageStart")).append(" at the start, ").append(env.get("loadAverageEnd"))
                .append(" at the end (above ~1 other processes competed for the CPUs)\n");
        md.append("- Pinning: ").append(o.pinBrokers ? "every broker `taskset -c " + o.brokerCpu + "`" : "brokers not pinned")
                .append("; the generator: ").append(o.loadCpuNote).append("\n");
        for (String note : o.notes) {
            md.append("- Note: ").append(note).append("\n");
        }
        return md.toString();
    }

    /** Writes the part's section of docs/benchmarks.md and its entry of the raw JSON, or the section under the work directory. */
    static void write(Common c, String markdown, Object raw) throws IOException {
        String name = "persistence-" + c.part;
        if (c.docs) {
            DocSection.write(c.docsFile, name, markdown);
            writeRaw(c.rawFile, c.part, raw);
            System.out.println("persistence: wrote the " + name + " section of " + c.docsFile + " and " + c.rawFile);
        } else {
            Files.createDirectories(c.suite.workDir);
            Files.writeString(c.suite.workDir.resolve(name + ".md"), markdown, StandardCharsets.UTF_8);
            Files.writeString(c.suite.workDir.resolve(name + "-raw.json"), Json.write(raw) + "\n", StandardCharsets.UTF_8);
            System.out.println("persistence: wrote " + c.suite.workDir.resolve(name + ".md"));
        }
        System.out.println();
        System.out.println(markdown);
    }

    @SuppressWarnings("unchecked")
    private static void writeRaw(Path file, String part, Object raw) throws IOException {
        Map<String, Object> all = new LinkedHashMap<>();
        if (Files.exists(file)) {
            all.putAll(new ObjectMapper().readValue(file.toFile(), Map.class));
        }
        all.put(part, raw);
        Files.writeString(file, Json.write(all) + "\n", StandardCharsets.UTF_8);
    }

    static double median(List<Double> values) {
        return SuiteReport.medianValue(values);
    }

    static String num(double v) {
        return SuiteReport.num(v);
    }

    /** "median (min–max)" of the values, or "–"; three significant digits. */
    static String medianSpread(List<Double> values) {
        return medianSpread(values, PersistenceBench::num);
    }

    /** "median (min–max)" of the values, or "–"; each as {@code format} writes it. */
    static String medianSpread(List<Double> values, java.util.function.DoubleFunction<String> format) {
        if (values.isEmpty()) {
            return "–";
        }
        double min = values.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
        double max = values.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
        if (values.size() == 1 || min == max) {
            return format.apply(median(values));
        }
        return format.apply(median(values)) + " (" + format.apply(min) + "–" + format.apply(max) + ")";
    }

    /** An exact count: 20,000; 10,063. */
    static String count(double v) {
        return Double.isNaN(v) ? "–" : String.format("%,.0f", v);
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
