package io.switchboard.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The load generator's command line: {@code Bench <rate|sweep|latency|idle> [options]} against an MQTT
 * 3.1.1 broker. Prints human-readable lines and, last, one machine-readable JSON line starting with
 * {@code {"mode":}. Exit status: 0 done, 1 the run failed (broker unreachable, silent or closing), 2 usage.
 */
public final class Bench {
    private static final String USAGE = String.join("\n",
            "usage: Bench <mode> [options]",
            "modes:",
            "  rate     N publishers -> M subscribers at a fixed offered rate (open loop)",
            "  sweep    the maximum sustained rate: rising trials, then bisection",
            "  latency  publish -> deliver latency at a fixed moderate rate (1 pub -> 1 sub)",
            "  idle     broker RSS (and heap) per 1,000 idle connections",
            "  connect  connection rate: new TCP connections, CONNECT -> CONNACK, as fast as the broker takes them",
            "common: --host 127.0.0.1 --port 1883",
            "rate/sweep/latency: --pubs 1 --subs 1 --qos 0 --payload 64 --window 64 --drain 5 --connect-timeout 10",
            "  --write batched|per-message: batched (default): every --batch-us (250) each publisher writes all",
            "           PUBLISHes due in one write; per-message: one PUBLISH per write as each falls due (a real client)",
            "  --broker-pid PID: report the broker's CPU time per delivered message (utime+stime of /proc/PID/stat)",
            "  --persistent: subscribers keep persistent sessions (clean session 0), ended after each run",
            "  --sub-ports P1,P2: subscribers connect to these ports in turn (other nodes of a cluster; publishers on --port),",
            "           then --settle 1 s passes before publishing (the routes reach the publishers' node)",
            "  --progress S: every S seconds a JSON line {\"mode\":\"progress\",...} with that interval's deliveries",
            "  rate:    --rate 10000 --seconds 5 --warmup 0",
            "  sweep:   --start-rate 10000 --max-rate 2000000 --trial-seconds 3 --max-trials 12 --precision 0.05",
            "           --p99-bound-ms 100 --min-send-ratio 0.97 --grace 2",
            "  latency: --rate 1000 --seconds 10 --warmup 1",
            "idle: --connections 50000 --step 1000 --broker-pid PID [--jvm] --step-timeout 60",
            "  connections come from 127.0.0.2, 127.0.0.3, ... (25,000 each; --first-source N starts at 127.0.0.N);",
            "  --jvm: heap after GC via jcmd; --hold S: keep the connections open S seconds after the last step",
            "connect: --connections 10000 --warmup 0 --in-flight 100 --then disconnect|stay [--persistent] --broker-pid PID",
            "  --first-source 2 --timeout 120; disconnect: DISCONNECT and close after CONNACK; stay: open until the end",
            "  --persistent: clean session 0 (the sessions are ended after the run, not timed)");

    private Bench() {
    }

    public static void main(String[] argv) {
        if (argv.length == 0 || argv[0].equals("--help") || argv[0].equals("-h")) {
            System.out.println(USAGE);
            System.exit(argv.length == 0 ? 2 : 0);
        }
        try {
            System.exit(run(argv));
        } catch (IllegalArgumentException e) {
            System.err.println("bench: " + e.getMessage());
            System.err.println(USAGE);
            System.exit(2);
        } catch (Exception e) {
            System.err.println("bench: " + e.getMessage());
            System.exit(1);
        }
    }

    static int run(String[] argv) throws Exception {
        String mode = argv[0];
        Args args = new Args(argv, 1, Set.of("jvm", "persistent"));
        switch (mode) {
            case "rate" -> {
                RateOptions o = rateOptions(args, 10_000, 5, 0);
                args.rejectUnused();
                RateResult r = new RateRun(o).run();
                System.out.println(r.summary());
                System.out.println(Json.write(withMode("rate", r.toMap())));
                return r.error == null ? 0 : 1;
            }
            case "latency" -> {
                RateOptions o = rateOptions(args, 1_000, 10, 1);
                args.rejectUnused();
                RateResult r = new RateRun(o).run();
                System.out.println(r.summary());
                System.out.println(Json.write(withMode("latency", r.toMap())));
                return r.error == null ? 0 : 1;
            }
            case "sweep" -> {
                RateOptions o = rateOptions(args, 0, 3, 0);
                o.seconds = args.number("trial-seconds", 3);
                o.drainSeconds = args.number("grace", 2);
                RateSweep sweep = new RateSweep(args.number("start-rate", 10_000), args.number("max-rate", 2_000_000),
                        args.integer("max-trials", 12), args.number("precision", 0.05));
                SweepCriteria criteria = new SweepCriteria(args.number("min-send-ratio", 0.97), args.number("p99-bound-ms", 100));
                args.rejectUnused();
                RateSweep.Outcome<RateResult> outcome = runSweep(o, sweep, criteria, System.out);
                RateResult best = highestPassing(outcome);
                System.out.printf("max sustained rate: %.0f msg/s in (%.0f msg/s out); lowest failing %.0f msg/s%s%n",
                        outcome.maxSustainedRate(), outcome.maxSustainedRate() * o.subscribers, outcome.lowestFailedRate(),
                        best == null || Double.isNaN(best.brokerCpuMicrosPerMessage()) ? ""
                                : String.format("; broker CPU %.2f us per delivered message at that rate", best.brokerCpuMicrosPerMessage()));
                System.out.println(Json.write(sweepJson(o, criteria, outcome)));
                return 0;
            }
            case "idle" -> {
                IdleRun.Options o = new IdleRun.Options();
                o.host = args.string("host", o.host);
                o.port = args.integer("port", o.port);
                o.connections = args.integer("connections", o.connections);
                o.step = args.integer("step", o.step);
                o.brokerPid = args.integer("broker-pid", -1);
                o.jvm = args.flag("jvm");
                o.stepTimeoutSeconds = args.number("step-timeout", o.stepTimeoutSeconds);
                o.firstSourceAddress = args.integer("first-source", o.firstSourceAddress);
                o.holdSeconds = args.number("hold", 0);
                args.rejectUnused();
                IdleRun.Result r = new IdleRun(o).run();
                for (IdleRun.Sample s : r.samples()) {
                    System.out.printf("%6d connections: RSS %8d KiB, heap after GC %8d KiB%n", s.connections(), s.rssKib(), s.heapKib());
                }
                System.out.printf("per 1,000 connections: RSS %.0f KiB, heap %.0f KiB%s%s%n", r.perThousand(true), r.perThousand(false),
                        r.limitNote() == null ? "" : "; " + r.limitNote(), r.error() == null ? "" : "; ERROR: " + r.error());
                System.out.println(Json.write(withMode("idle", r.toMap())));
                return r.error() == null ? 0 : 1;
            }
            case "connect" -> {
                ConnectRun.Options o = connectOptions(args);
                args.rejectUnused();
                ConnectRun.Result r = new ConnectRun(o).run();
                System.out.println(r.summary());
                System.out.println(Json.write(withMode("connect", r.toMap())));
                return r.error() == null ? 0 : 1;
            }
            default -> throw new IllegalArgumentException("unknown mode: " + mode);
        }
    }

    static ConnectRun.Options connectOptions(Args args) {
        ConnectRun.Options o = new ConnectRun.Options();
        o.host = args.string("host", o.host);
        o.port = args.integer("port", o.port);
        o.connections = args.integer("connections", o.connections);
        o.warmup = args.integer("warmup", o.warmup);
        o.inFlight = args.integer("in-flight", o.inFlight);
        o.persistent = args.flag("persistent");
        String then = args.string("then", "disconnect");
        o.then = switch (then) {
            case "disconnect" -> ConnectRun.Then.DISCONNECT;
            case "stay" -> ConnectRun.Then.STAY;
            default -> throw new IllegalArgumentException("--then must be disconnect or stay: " + then);
        };
        o.brokerPid = args.integer("broker-pid", -1);
        o.firstSourceAddress = args.integer("first-source", o.firstSourceAddress);
        o.timeoutSeconds = args.number("timeout", o.timeoutSeconds);
        return o;
    }

    /** Runs a sweep, one trial after another with fresh connections and a fresh run id each. */
    static RateSweep.Outcome<RateResult> runSweep(RateOptions base, RateSweep sweep, SweepCriteria criteria,
                                                  java.io.PrintStream log) throws Exception {
        return sweep.search(rate -> {
            RateOptions o = base.copy();
            o.rate = rate;
            RateResult r = new RateRun(o).run();
            String failure = criteria.failure(r);
            if (log != null) {
                log.println((failure == null ? "  pass  " : "  FAIL  ") + r.summary() + (failure == null ? "" : " [" + failure + "]"));
            }
            return r;
        }, criteria::passes);
    }

    static Map<String, Object> sweepJson(RateOptions o, SweepCriteria criteria, RateSweep.Outcome<RateResult> outcome) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("mode", "sweep");
        m.put("pubs", o.publishers);
        m.put("subs", o.subscribers);
        m.put("qos", o.qos);
        m.put("payload", o.payloadBytes);
        m.put("write", o.write.label);
        m.put("trialSeconds", o.seconds);
        m.put("graceSeconds", o.drainSeconds);
        m.put("minSendRatio", criteria.minSendRatio());
        m.put("p99BoundMs", criteria.p99BoundMillis());
        m.put("maxSustainedRate", outcome.maxSustainedRate());
        m.put("maxSustainedOutRate", outcome.maxSustainedRate() * o.subscribers);
        m.put("lowestFailedRate", Double.isInfinite(outcome.lowestFailedRate()) ? null : outcome.lowestFailedRate());
        RateResult best = highestPassing(outcome);
        m.put("brokerCpuUsPerMessage", best == null ? null : best.brokerCpuMicrosPerMessage());
        List<Object> trials = new ArrayList<>();
        for (RateSweep.Step<RateResult> step : outcome.steps()) {
            Map<String, Object> t = new LinkedHashMap<>();
            t.put("rate", step.rate());
            t.put("passed", step.passed());
            t.put("failure", criteria.failure(step.result()));
            t.putAll(step.result().toMap());
            trials.add(t);
        }
        m.put("trials", trials);
        return m;
    }

    /** The trial at the maximum sustained rate (the highest that passed), or null when none passed. */
    static RateResult highestPassing(RateSweep.Outcome<RateResult> outcome) {
        RateResult best = null;
        double rate = -1;
        for (RateSweep.Step<RateResult> step : outcome.steps()) {
            if (step.passed() && step.rate() > rate) {
                rate = step.rate();
                best = step.result();
            }
        }
        return best;
    }

    static Map<String, Object> withMode(String mode, Map<String, Object> result) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("mode", mode);
        m.putAll(result);
        return m;
    }

    static RateOptions rateOptions(Args args, double rate, double seconds, double warmup) {
        RateOptions o = new RateOptions();
        o.host = args.string("host", o.host);
        o.port = args.integer("port", o.port);
        String subPorts = args.string("sub-ports", "");
        o.subPorts = subPorts.isBlank() ? new int[0]
                : java.util.Arrays.stream(subPorts.split(",")).map(String::trim).mapToInt(Integer::parseInt).toArray();
        o.settleSeconds = args.number("settle", o.settleSeconds);
        o.publishers = args.integer("pubs", o.publishers);
        o.subscribers = args.integer("subs", o.subscribers);
        o.qos = args.integer("qos", o.qos);
        o.payloadBytes = args.integer("payload", o.payloadBytes);
        o.window = args.integer("window", o.window);
        o.drainSeconds = args.number("drain", o.drainSeconds);
        o.connectTimeoutSeconds = args.number("connect-timeout", o.connectTimeoutSeconds);
        o.batchMicros = args.number("batch-us", o.batchMicros);
        o.write = WriteMode.parse(args.string("write", o.write.label));
        o.brokerPid = args.integer("broker-pid", -1);
        o.rate = args.number("rate", rate);
        o.seconds = args.number("seconds", seconds);
        o.warmupSeconds = args.number("warmup", warmup);
        o.persistent = args.flag("persistent");
        o.progressSeconds = args.number("progress", 0);
        return o;
    }
}
