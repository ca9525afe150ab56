package io.switchboard.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * {@code bench/persistence crash-loss}: how many acknowledged messages survive SIGKILL of the broker.
 * For each repetition, kill point and broker, on a fresh broker:
 * <ol>
 * <li>a subscriber connects with clean session 0, subscribes at QoS 1 and disconnects (offline);</li>
 * <li>a publisher sends N QoS 1 messages at a moderate rate to its topic;</li>
 * <li>{@code end}: right after the last PUBACK (plus {@code --kill-after-ms}), or {@code mid}: as soon as
 * half of them are acknowledged while the publisher keeps sending, the broker gets SIGKILL;</li>
 * <li>it is restarted on the same directory; the subscriber comes back (clean session 0) and takes
 * what its session has, acknowledging each;</li>
 * <li>counted: how many of the acknowledged messages arrived (lost = acknowledged − arrived).</li>
 * </ol>
 * A broker that keeps its promise loses none: a PUBACK means the broker has the message.
 */
final class CrashLoss {

    private final PersistenceBench.Common common;
    private final SuiteOptions o;
    /** One kind of run: how many messages, and when the broker is killed ("end" or "mid"). */
    record Case(long messages, String killAt) {
        String id() {
            return messages + "@" + killAt;
        }

        String title() {
            return String.format("%,d, ", messages) + (killAt.equals("end") ? "after the last PUBACK" : "mid-stream (half acknowledged)");
        }
    }

    private final List<Case> cases = new ArrayList<>();
    private final double rate;
    private final int window;
    private final int payload;
    private final long killAfterMillis;
    private final long idleMillis;
    private final List<Map<String, Object>> results = new ArrayList<>();
    private final List<BrokerProcess> brokers = new ArrayList<>();

    CrashLoss(PersistenceBench.Common common, Args args) {
        this.common = common;
        this.o = common.suite;
        if (o.smoke) {
            o.jvmBrokerOpts = SuiteOptions.SMOKE_JVM_OPTS;
        }
        rate = args.number("rate", o.smoke ? 1_000 : 4_000);
        window = args.integer("window", 64);
        payload = args.integer("payload", 64);
        for (String c : args.string("cases", o.smoke ? "300@end" : "20000@end,20000@mid,300000@end").split(",")) {
            String[] parts = c.split("@");
            if (parts.length != 2 || !(parts[1].equals("end") || parts[1].equals("mid"))) {
                throw new IllegalArgumentException("--cases takes <messages>@end or <messages>@mid, comma-separated: " + c);
            }
            cases.add(new Case(Long.parseLong(parts[0].replace("_", "").replace(",", "")), parts[1]));
        }
        killAfterMillis = args.integer("kill-after-ms", 0);
        idleMillis = args.integer("idle-ms", o.smoke ? 1_000 : 3_000);
        args.rejectUnused();
    }

    /** The results, for the smoke test. */
    List<Map<String, Object>> results() {
        return results;
    }

    int run() throws Exception {
        PersistenceBench.environment(common);
        long began = System.nanoTime();
        for (String name : common.brokers) {
            brokers.add(PersistenceBench.broker(name, o, true));
        }
        int failures = 0;
        for (int rep = 1; rep <= o.reps; rep++) {
            for (Case c : cases) {
                for (BrokerProcess b : brokers) {
                    Map<String, Object> r = once(b, c, rep);
                    results.add(r);
                    failures += r.get("error") == null ? 0 : 1;
                    System.out.println("crash-loss: " + r);
                }
            }
        }
        common.environment.put("loadAverageEnd", Machine.loadAverage());
        double minutes = (System.nanoTime() - began) / 60e9;
        Map<String, Object> raw = new LinkedHashMap<>();
        raw.put("environment", common.environment);
        raw.put("command", o.command);
        raw.put("cases", cases.stream().map(Case::id).toList());
        raw.put("rate", rate);
        raw.put("window", window);
        raw.put("payload", payload);
        raw.put("killAfterMs", killAfterMillis);
        raw.put("results", results);
        PersistenceBench.write(common, markdown(minutes), raw);
        return failures == 0 ? 0 : 1;
    }

    private Map<String, Object> once(BrokerProcess b, Case c, int rep) throws Exception {
        long messages = c.messages();
        String killAt = c.killAt();
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("broker", b.name);
        r.put("case", c.id());
        r.put("messages", messages);
        r.put("killAt", killAt);
        r.put("rep", rep);
        String run = Long.toString(System.nanoTime() % 1_000_000_000L, 36);
        String topic = "crash/" + run;
        String subscriberId = "crash-sub-" + run;
        int timeout = 10_000;
        try {
            b.prepare();
            b.start();
            PersistenceBench.awaitChain(b);
            try (MqttClient sub = MqttClient.connect(BrokerProcess.HOST, b.port, subscriberId, false, timeout)) {
                sub.subscribe(topic, 1);
                sub.disconnect();
            }
            MqttClient pubClient = MqttClient.connect(BrokerProcess.HOST, b.port, "crash-pub-" + run, true, timeout);
            AckedPublisher pub = new AckedPublisher(pubClient, topic, 0, payload, messages, rate, window).start();
            long killAtAcks = killAt.equals("mid") ? messages / 2 : messages;
            long began = System.nanoTime();
            while (!pub.awaitAcked(killAtAcks, 1_000)) {
                // a broker that acknowledges less than half the schedule after 10 s will not make it: give up
                double elapsed = (System.nanoTime() - began) / 1e9;
                if (pub.error() != null || (elapsed > 10 && pub.ackedCount() < 0.5 * Math.min(killAtAcks, elapsed * rate))) {
                    pub.end();
                    throw new BenchException(String.format("%s fell behind: %,d of %,d messages acknowledged after %.0f s (%,.0f msg/s)%s",
                            b.name, pub.ackedCount(), killAtAcks, elapsed, pub.ackedCount() / elapsed,
                            pub.error() == null ? "" : " (" + pub.error() + ")"));
                }
            }
            if (killAfterMillis > 0) {
                Thread.sleep(killAfterMillis);
            }
            long lastAck = pub.lastAckNanos();
            long killedAt = System.nanoTime();
            b.kill();
            pub.end();
            r.put("sent", pub.sent());
            r.put("acked", pub.ackedCount());
            r.put("publishSeconds", pub.seconds());
            r.put("killMsAfterLastAck", (killedAt - lastAck) / 1e6);
            r.put("storeBytesAfterKill", Math.max(0L, PersistenceBench.storeBytes(b)));

            b.readyPollMillis = 10;
            b.start();
            r.put("restartMs", b.lastStartMillis);
            try (MqttClient sub = MqttClient.connect(BrokerProcess.HOST, b.port, subscriberId, false, timeout)) {
                r.put("sessionPresent", sub.sessionPresent);
                Drain.Result d = Drain.run(sub, 1, pub.ackedCount(), Math.min(500, idleMillis), idleMillis, 120_000);
                long ackedArrived = 0;
                SequenceSet acked = pub.acked();
                SequenceSet seen = d.seen()[0];
                List<String> missing = new ArrayList<>(); // acknowledged and lost, as ranges of sequence numbers
                long rangeStart = -1;
                for (long s = 0; s <= pub.sent(); s++) {
                    boolean lost = s < pub.sent() && acked.contains(s) && !seen.contains(s);
                    if (s < pub.sent() && acked.contains(s) && seen.contains(s)) {
                        ackedArrived++;
                    }
                    if (lost && rangeStart < 0) {
                        rangeStart = s;
                    } else if (!lost && rangeStart >= 0) {
                        if (missing.size() < 20) {
                            missing.add(rangeStart == s - 1 ? Long.toString(rangeStart) : rangeStart + "-" + (s - 1));
                        }
                        rangeStart = -1;
                    }
                }
                if (!missing.isEmpty()) {
                    r.put("lostSequences", missing);
                }
                r.put("arrived", d.distinct());
                r.put("ackedArrived", ackedArrived);
                r.put("lost", pub.ackedCount() - ackedArrived);
                r.put("unackedArrived", d.distinct() - ackedArrived);
                r.put("duplicates", d.duplicates());
                r.put("drainMs", d.lastMillis());
                r.put("drainEnded", d.ended());
                sub.disconnect();
            }
            r.put("error", null);
        } catch (BenchException | java.io.IOException e) {
            r.put("error", e.getMessage());
        } finally {
            b.stop();
            b.readyPollMillis = 200;
        }
        return r;
    }

    private List<Double> values(String broker, Case c, String key) {
        List<Double> list = new ArrayList<>();
        for (Map<String, Object> r : results) {
            if (r.get("broker").equals(broker) && r.get("case").equals(c.id()) && r.get("error") == null && r.get(key) instanceof Number n) {
                list.add(n.doubleValue());
            }
        }
        return list;
    }

    private String markdown(double minutes) {
        StringBuilder md = new StringBuilder();
        md.append("### Acknowledged messages lost to SIGKILL (`bench/persistence crash-loss`)\n\n");
        md.append("Written by `bench/persistence crash-loss` (the next run rewrites this part; every run: `crash-loss` in "
                + "[benchmarks-persistence-raw.json](benchmarks-persistence-raw.json)).\n\n");
        md.append(PersistenceBench.header(common, minutes));
        md.append("- Brokers, each freshly started on an empty directory for every run:\n");
        for (BrokerProcess b : brokers) {
            md.append("  - `").append(b.name).append("`: ").append(PersistenceBench.describe(b, common.environment, o)).append("\n");
        }
        md.append("- A run: a subscriber connects with clean session 0, subscribes at QoS 1 and disconnects; a publisher sends N QoS 1 "
                + "messages of ").append(payload).append(" bytes at ").append(num(rate)).append(" msg/s (window ").append(window)
                .append(") to its topic; the broker gets SIGKILL ").append(killAfterMillis == 0 ? "as soon as" : killAfterMillis + " ms after")
                .append(" the last PUBACK came, or as soon as half the messages are acknowledged while the publisher keeps sending (mid-stream); "
                        + "it is restarted on the same directory, the subscriber reconnects (clean session 0) and acknowledges what comes "
                        + "until nothing more comes for ").append(num(idleMillis / 1000.0)).append(" s. Lost: acknowledged messages that did not "
                        + "arrive. Both session queues hold 2,000,000 messages here (Switchboard `max.queued.messages = 2000000`, "
                        + "`max.queued.bytes = 2000000000`; Mosquitto `max_queued_messages 0`). Store: its size right after the kill "
                        + "(Switchboard: the RocksDB directory `data/store/`, the sum of its files; Mosquitto: `mosquitto.db`).\n");
        md.append("- Repetitions: ").append(o.reps).append(", interleaved. Cells: median (min–max).\n\n");
        md.append("| N, kill | broker | acknowledged | arrived of them | lost | runs with a loss | session present after restart | restart to first CONNACK (ms) | store after the kill (MiB) |\n");
        md.append("|---|---|---:|---:|---:|---:|---|---:|---:|\n");
        for (Case c : cases) {
            for (BrokerProcess b : brokers) {
                List<Map<String, Object>> runs = results.stream().filter(r -> r.get("broker").equals(b.name) && r.get("case").equals(c.id())).toList();
                long failed = runs.stream().filter(r -> r.get("error") != null).count();
                long ok = runs.size() - failed;
                long present = runs.stream().filter(r -> Boolean.TRUE.equals(r.get("sessionPresent"))).count();
                long lossy = runs.stream().filter(r -> r.get("error") == null && r.get("lost") instanceof Number n && n.longValue() > 0).count();
                if (ok == 0) {
                    md.append("| ").append(c.title()).append(" | ").append(b.name).append(" | all ").append(failed).append(" runs failed: ")
                            .append(String.valueOf(runs.get(0).get("error")).replace("|", "/")).append(" | | | | | | |\n");
                    continue;
                }
                md.append("| ").append(c.title()).append(" | ").append(b.name).append(failed == 0 ? "" : " (" + failed + " failed)").append(" | ")
                        .append(PersistenceBench.medianSpread(values(b.name, c, "acked"), PersistenceBench::count)).append(" | ")
                        .append(PersistenceBench.medianSpread(values(b.name, c, "ackedArrived"), PersistenceBench::count)).append(" | ")
                        .append(PersistenceBench.medianSpread(values(b.name, c, "lost"), PersistenceBench::count)).append(" | ")
                        .append(lossy).append(" of ").append(ok).append(" | ")
                        .append(present).append(" of ").append(ok).append(" | ")
                        .append(PersistenceBench.medianSpread(values(b.name, c, "restartMs"))).append(" | ")
                        .append(PersistenceBench.medianSpread(values(b.name, c, "storeBytesAfterKill").stream().map(v -> v / 1048576.0).toList()))
                        .append(" |\n");
            }
        }
        md.append("\n<details><summary>Every run</summary>\n\n");
        md.append("| rep | N@kill | broker | sent | acknowledged | kill after last PUBACK (ms) | arrived | of them acknowledged | lost | lost sequence numbers | duplicates | error |\n");
        md.append("|---:|---|---|---:|---:|---:|---:|---:|---:|---|---:|---|\n");
        for (Map<String, Object> r : results) {
            md.append("| ").append(r.get("rep")).append(" | ").append(r.get("case")).append(" | ").append(r.get("broker")).append(" | ")
                    .append(cell(r, "sent")).append(" | ").append(cell(r, "acked")).append(" | ").append(cell(r, "killMsAfterLastAck")).append(" | ")
                    .append(cell(r, "arrived")).append(" | ").append(cell(r, "ackedArrived")).append(" | ").append(cell(r, "lost")).append(" | ")
                    .append(lostSequences(r)).append(" | ").append(cell(r, "duplicates")).append(" | ").append(r.get("error") == null ? "" : String.valueOf(r.get("error")).replace("|", "/"))
                    .append(" |\n");
        }
        md.append("\n</details>\n");
        return md.toString();
    }

    /** Switchboard's losses as ranges (Mosquitto's are everything: not listed). */
    private static String lostSequences(Map<String, Object> r) {
        if (!(r.get("lostSequences") instanceof List<?> l) || Objects.equals(r.get("ackedArrived"), 0L)) {
            return "";
        }
        return l.stream().map(String::valueOf).collect(java.util.stream.Collectors.joining(", "));
    }

    private static String cell(Map<String, Object> r, String key) {
        return r.get(key) instanceof Number n ? (n instanceof Double d ? String.format("%.1f", d) : String.format("%,d", n.longValue())) : "";
    }

    private static String num(double v) {
        return PersistenceBench.num(v);
    }
}
