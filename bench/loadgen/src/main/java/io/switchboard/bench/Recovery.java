package io.switchboard.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code bench/persistence recovery}: a broker with a large backlog for offline persistent subscribers
 * (a million QoS 1 messages by default) restarted. For each repetition and broker, on a fresh broker:
 * <ol>
 * <li>the subscribers connect with clean session 0, subscribe at QoS 1 and disconnect;</li>
 * <li>the publishers fill their queues as fast as the broker acknowledges;</li>
 * <li>Switchboard: SIGKILL right after the last PUBACK, the store's size, a restart (time to the first
 * CONNACK, the store's and the recovery's log lines, memory), then SIGTERM (a clean stop), the store's
 * size, and a restart again; Mosquitto: SIGTERM (it writes its database at a clean stop), its size,
 * a restart;</li>
 * <li>the subscribers come back and take their backlog: every message must arrive.</li>
 * </ol>
 */
final class Recovery {

    private static final Pattern RECOVERED = Pattern.compile(
            "MQTT: recovered (\\d+) persistent sessions? with (\\d+) queued or in-flight messages? in (\\d+) ms");
    private static final Pattern STORE_OPENED = Pattern.compile("Store opened: .*\\((\\d+) KiB, sync=(\\w+), (\\d+) ms\\)");

    private final PersistenceBench.Common common;
    private final SuiteOptions o;
    private final long messages;
    private final int subscribers;
    private final int publishers;
    private final int window;
    private final int payload;
    private final boolean heap;
    /** "kill-term" (Switchboard: SIGKILL, restart, SIGTERM, restart; Mosquitto: SIGTERM, restart) or "none". */
    private final String restarts;
    private final List<Map<String, Object>> results = new ArrayList<>();
    private final List<BrokerProcess> brokers = new ArrayList<>();

    Recovery(PersistenceBench.Common common, Args args) {
        this.common = common;
        this.o = common.suite;
        if (o.smoke) {
            o.jvmBrokerOpts = SuiteOptions.SMOKE_JVM_OPTS;
        }
        messages = args.integer("messages", o.smoke ? 2_000 : 1_000_000);
        subscribers = args.integer("subscribers", 1);
        publishers = args.integer("pubs", 4);
        window = args.integer("window", 100);
        payload = args.integer("payload", 150);
        heap = !o.smoke;
        restarts = args.string("restarts", "kill-term");
        if (!restarts.equals("kill-term") && !restarts.equals("none")) {
            throw new IllegalArgumentException("--restarts takes kill-term or none: " + restarts);
        }
        if (messages % publishers != 0) {
            throw new IllegalArgumentException("--messages must be a multiple of --pubs");
        }
        args.rejectUnused();
    }

    int run() throws Exception {
        PersistenceBench.environment(common);
        long began = System.nanoTime();
        for (String name : common.brokers) {
            brokers.add(PersistenceBench.broker(name, o, true));
        }
        int failures = 0;
        for (int rep = 1; rep <= o.reps; rep++) {
            for (BrokerProcess b : brokers) {
                Map<String, Object> r = once(b, rep);
                results.add(r);
                failures += r.get("error") == null ? 0 : 1;
                System.out.println("recovery: " + r);
            }
        }
        common.environment.put("loadAverageEnd", Machine.loadAverage());
        double minutes = (System.nanoTime() - began) / 60e9;
        Map<String, Object> raw = new LinkedHashMap<>();
        raw.put("environment", common.environment);
        raw.put("command", o.command);
        raw.put("messages", messages);
        raw.put("subscribers", subscribers);
        raw.put("publishers", publishers);
        raw.put("window", window);
        raw.put("payload", payload);
        raw.put("jvmBrokerOpts", o.jvmBrokerOpts);
        raw.put("results", results);
        PersistenceBench.write(common, markdown(minutes), raw);
        return failures == 0 ? 0 : 1;
    }

    private Map<String, Object> once(BrokerProcess b, int rep) throws Exception {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("broker", b.name);
        r.put("rep", rep);
        String run = Long.toString(System.nanoTime() % 1_000_000_000L, 36);
        String topicPrefix = "recovery/" + run + "/";
        int timeout = 30_000;
        boolean switchboard = b.kind == BrokerProcess.Kind.SWITCHBOARD;
        try {
            b.prepare();
            b.readyPollMillis = 10;
            b.start();
            r.put("emptyStartMs", b.lastStartMillis);
            PersistenceBench.awaitChain(b);
            for (int s = 0; s < subscribers; s++) {
                try (MqttClient sub = MqttClient.connect(BrokerProcess.HOST, b.port, subscriberId(run, s), false, timeout)) {
                    sub.subscribe(topicPrefix + "+", 1);
                    sub.disconnect();
                }
            }
            // fill
            List<AckedPublisher> pubs = new ArrayList<>();
            long perPublisher = messages / publishers;
            long fillStart = System.nanoTime();
            for (int p = 0; p < publishers; p++) {
                MqttClient c = MqttClient.connect(BrokerProcess.HOST, b.port, "recovery-pub-" + run + "-" + p, true, timeout);
                pubs.add(new AckedPublisher(c, topicPrefix + p, p, payload, perPublisher, 0, window).start());
            }
            long lastReport = System.nanoTime();
            for (AckedPublisher pub : pubs) {
                while (!pub.awaitAcked(perPublisher, 5_000)) {
                    if (pub.error() != null) {
                        throw new BenchException(b.name + ": filling failed: " + pub.error());
                    }
                    long acked = pubs.stream().mapToLong(AckedPublisher::ackedCount).sum();
                    if (System.nanoTime() - lastReport > 10e9) {
                        lastReport = System.nanoTime();
                        System.out.printf("recovery: %s: %,d of %,d acknowledged%n", b.name, acked, messages);
                    }
                    if ((System.nanoTime() - fillStart) / 1e9 > 1800) {
                        throw new BenchException(b.name + ": filling took more than 30 minutes (" + acked + " acknowledged)");
                    }
                }
            }
            double fillSeconds = (System.nanoTime() - fillStart) / 1e9;
            for (AckedPublisher pub : pubs) {
                pub.end();
            }
            r.put("fillSeconds", fillSeconds);
            r.put("fillRate", messages / fillSeconds);
            r.put("rssFilledMiB", BrokerProbe.rssKib(b.pid()) / 1024.0);
            if (restarts.equals("none")) {
                // no restart: the backlog as the running broker has it (tells a loss at filling from one at restart)
            } else if (switchboard) {
                b.kill();
                r.put("storeBytesAfterKill", storeBytes(b));
                r.put("storeFilesAfterKill", PersistenceBench.storeFiles(b));
                restart(b, "afterKill", r);
                b.stop(300);
                r.put("stopMs", b.lastStopMillis);
                r.put("storeBytesAfterStop", storeBytes(b));
                r.put("storeFilesAfterStop", PersistenceBench.storeFiles(b));
                restart(b, "afterStop", r);
            } else {
                b.stop(300);
                r.put("stopMs", b.lastStopMillis);
                r.put("storeBytesAfterStop", storeBytes(b));
                restart(b, "afterStop", r);
            }
            // the backlog must come back whole
            long drainStart = System.nanoTime();
            long arrived = 0;
            long duplicates = 0;
            long incomplete = 0;
            for (int s = 0; s < subscribers; s++) {
                try (MqttClient sub = MqttClient.connect(BrokerProcess.HOST, b.port, subscriberId(run, s), false, timeout)) {
                    Drain.Result d = Drain.run(sub, publishers, messages, 200, 10_000, 1_800_000);
                    arrived += d.distinct();
                    duplicates += d.duplicates();
                    incomplete += d.distinct() < messages ? 1 : 0;
                    if (d.distinct() < messages) {
                        r.put("missing" + s, missing(d.seen(), perPublisher));
                    }
                    sub.disconnect();
                }
            }
            double drainSeconds = (System.nanoTime() - drainStart) / 1e9;
            r.put("arrived", arrived);
            r.put("lost", messages * subscribers - arrived);
            r.put("duplicates", duplicates);
            r.put("drainSeconds", drainSeconds);
            r.put("drainRate", arrived / drainSeconds);
            r.put("error", incomplete == 0 ? null : incomplete + " subscriber(s) did not get their whole backlog");
        } catch (BenchException | IOException e) {
            r.put("error", e.getMessage());
        } finally {
            b.stop(300);
            b.readyPollMillis = 200;
        }
        r.put("storeBytesAtEnd", storeBytes(b)); // after the backlog was taken and a clean stop: is the space given back?
        return r;
    }

    /** Which messages did not arrive: per publisher, how many and the first few sequence numbers. */
    private static Map<String, Object> missing(SequenceSet[] seen, long perPublisher) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int p = 0; p < seen.length; p++) {
            List<Long> first = new ArrayList<>();
            long n = 0;
            for (long seq = 0; seq < perPublisher; seq++) {
                if (!seen[p].contains(seq)) {
                    n++;
                    if (first.size() < 20) {
                        first.add(seq);
                    }
                }
            }
            if (n > 0) {
                m.put("publisher " + p, n + " missing, first " + first);
            }
        }
        return m;
    }

    private static String subscriberId(String run, int s) {
        return "recovery-sub-" + run + "-" + s;
    }

    /** Restarts the broker, records how long it took and what it logged about recovering. */
    private void restart(BrokerProcess b, String phase, Map<String, Object> r) throws Exception {
        Path log = b.home.resolve("broker.log");
        long offset = Files.exists(log) ? Files.size(log) : 0;
        b.start();
        r.put(phase + "StartMs", b.lastStartMillis);
        if (b.kind == BrokerProcess.Kind.SWITCHBOARD) {
            String text = tail(log, offset);
            Matcher m = RECOVERED.matcher(text);
            if (m.find()) {
                r.put(phase + "RecoveredSessions", Long.parseLong(m.group(1)));
                r.put(phase + "RecoveredMessages", Long.parseLong(m.group(2)));
                r.put(phase + "RecoveryMs", Long.parseLong(m.group(3)));
            }
            Matcher s = STORE_OPENED.matcher(text);
            if (s.find()) {
                r.put(phase + "StoreOpenMs", Long.parseLong(s.group(3)));
            }
        }
        r.put(phase + "RssMiB", BrokerProbe.rssKib(b.pid()) / 1024.0);
        if (heap && b.jvm()) {
            r.put(phase + "HeapMiB", BrokerProbe.heapUsedAfterGcKib(b.pid()) / 1024.0);
        }
        PersistenceBench.awaitChain(b);
    }

    private static String tail(Path log, long offset) throws IOException {
        byte[] all = Files.readAllBytes(log);
        return new String(all, (int) Math.min(offset, all.length), (int) Math.max(0, all.length - offset), StandardCharsets.ISO_8859_1);
    }

    /** Switchboard: the RocksDB directory data/store/ (all its files); Mosquitto: mosquitto.db in its persistence location. */
    private static long storeBytes(BrokerProcess b) throws IOException {
        return PersistenceBench.storeBytes(b);
    }

    private List<Double> values(String broker, String key) {
        List<Double> list = new ArrayList<>();
        for (Map<String, Object> r : results) {
            if (r.get("broker").equals(broker) && r.get(key) instanceof Number n && n.doubleValue() >= 0) {
                list.add(n.doubleValue());
            }
        }
        return list;
    }

    private List<Double> perMessage(String broker, String key) {
        List<Double> list = new ArrayList<>();
        for (Double v : values(broker, key)) {
            list.add(v / (messages * subscribers));
        }
        return list;
    }

    private List<Double> mib(String broker, String key) {
        return values(broker, key).stream().map(v -> v / 1024.0 / 1024.0).toList();
    }

    private String markdown(double minutes) {
        StringBuilder md = new StringBuilder();
        md.append("### Restart with a large backlog (`bench/persistence recovery`)\n\n");
        md.append("Written by `bench/persistence recovery` (the next run rewrites this part; every run: `recovery` in "
                + "[benchmarks-persistence-raw.json](benchmarks-persistence-raw.json)).\n\n");
        md.append(PersistenceBench.header(common, minutes));
        md.append("- Brokers, each freshly started on an empty directory for every repetition:\n");
        for (BrokerProcess b : brokers) {
            md.append("  - `").append(b.name).append("`: ").append(PersistenceBench.describe(b, common.environment, o)).append("\n");
        }
        md.append("- A run: ").append(subscribers).append(subscribers == 1 ? " subscriber connects with clean session 0, subscribes at QoS 1 and disconnects; "
                        : " subscribers connect with clean session 0, subscribe at QoS 1 and disconnect; ").append(publishers).append(" publishers (window ")
                .append(window).append(" each, as fast as the broker acknowledges) fill the queue").append(subscribers == 1 ? "" : "s")
                .append(" with ").append(String.format("%,d", messages)).append(" QoS 1 messages of ").append(payload)
                .append(" bytes. Switchboard: SIGKILL right after the last PUBACK, restart, then SIGTERM (clean stop), restart; Mosquitto: "
                        + "SIGTERM (it writes its database), restart. Then the subscriber").append(subscribers == 1 ? " takes its" : "s take their")
                .append(" backlog (PUBACK for each) and every message must arrive. Start: from the process's start to the first CONNACK "
                        + "(polled every 10 ms; it includes the JVM's and the OSGi framework's start). Store: Switchboard's RocksDB directory `data/store/` (the sum of its files: tables, write-ahead logs, manifest), Mosquitto's `mosquitto.db`; per message: its size / ")
                .append(String.format("%,d", messages * subscribers)).append(" queued messages. Memory: VmRSS, and the heap in use after a full GC "
                        + "(`jcmd`) for Switchboard, right after the restart.\n");
        md.append("- Repetitions: ").append(o.reps).append(". Cells: median (min–max).\n\n");
        md.append("| broker | restart after | start to first CONNACK (ms) | recovery (log, ms) | store (MiB) | bytes per message | RSS after (MiB) | heap after GC (MiB) |\n");
        md.append("|---|---|---:|---:|---:|---:|---:|---:|\n");
        for (BrokerProcess b : brokers) {
            md.append("| ").append(b.name).append(" | (empty store) | ").append(PersistenceBench.medianSpread(values(b.name, "emptyStartMs")))
                    .append(" | | | | | |\n");
            String[][] phases = b.kind == BrokerProcess.Kind.SWITCHBOARD
                    ? new String[][] {{"afterKill", "SIGKILL", "storeBytesAfterKill"}, {"afterStop", "SIGTERM (clean stop)", "storeBytesAfterStop"}}
                    : new String[][] {{"afterStop", "SIGTERM (clean stop)", "storeBytesAfterStop"}};
            for (String[] phase : phases) {
                md.append("| ").append(b.name).append(" | ").append(phase[1]).append(" | ")
                        .append(PersistenceBench.medianSpread(values(b.name, phase[0] + "StartMs"))).append(" | ")
                        .append(PersistenceBench.medianSpread(values(b.name, phase[0] + "RecoveryMs"))).append(" | ")
                        .append(PersistenceBench.medianSpread(mib(b.name, phase[2]))).append(" | ")
                        .append(PersistenceBench.medianSpread(perMessage(b.name, phase[2]))).append(" | ")
                        .append(PersistenceBench.medianSpread(values(b.name, phase[0] + "RssMiB"))).append(" | ")
                        .append(PersistenceBench.medianSpread(values(b.name, phase[0] + "HeapMiB"))).append(" |\n");
            }
        }
        md.append("\n| broker | fill (msg/s) | RSS filled (MiB) | clean stop (ms) | backlog delivered after the restarts | drain (msg/s) | store after the drain and a clean stop (MiB) |\n");
        md.append("|---|---:|---:|---:|---:|---:|---:|\n");
        for (BrokerProcess b : brokers) {
            md.append("| ").append(b.name).append(" | ").append(PersistenceBench.medianSpread(values(b.name, "fillRate"))).append(" | ")
                    .append(PersistenceBench.medianSpread(values(b.name, "rssFilledMiB"))).append(" | ")
                    .append(PersistenceBench.medianSpread(values(b.name, "stopMs"))).append(" | ")
                    .append(delivered(b.name)).append(" | ")
                    .append(PersistenceBench.medianSpread(values(b.name, "drainRate"))).append(" | ")
                    .append(PersistenceBench.medianSpread(mib(b.name, "storeBytesAtEnd"))).append(" |\n");
        }
        md.append("\n<details><summary>Every run</summary>\n\n```\n");
        for (Map<String, Object> r : results) {
            md.append(Json.write(r)).append("\n");
        }
        md.append("```\n\n</details>\n");
        return md.toString();
    }

    private String delivered(String broker) {
        StringBuilder s = new StringBuilder();
        for (Map<String, Object> r : results) {
            if (!r.get("broker").equals(broker)) {
                continue;
            }
            s.append(s.length() == 0 ? "" : "; ");
            if (r.get("arrived") instanceof Number n) {
                s.append(String.format("%,d of %,d", n.longValue(), messages * subscribers));
            }
            if (r.get("error") != null) {
                s.append(" FAILED: ").append(String.valueOf(r.get("error")).replace("|", "/"));
            }
        }
        return s.toString();
    }
}
