package io.switchboard.bench;

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
            "common: --host 127.0.0.1 --port 1883",
            "rate/sweep/latency: --pubs 1 --subs 1 --qos 0 --payload 64 --window 64 --drain 5 --connect-timeout 10 --batch-us 250",
            "  rate:    --rate 10000 --seconds 5 --warmup 0",
            "  sweep:   --start-rate 10000 --max-rate 2000000 --trial-seconds 3 --max-trials 12 --precision 0.05",
            "           --p99-bound-ms 100 --min-send-ratio 0.97 --grace 2",
            "  latency: --rate 1000 --seconds 10 --warmup 1",
            "idle: --connections 50000 --step 1000 --broker-pid PID [--jvm] --step-timeout 60",
            "  --source-addresses 127.0.0.2,127.0.0.3,...  (default: 127.0.0.2 and up, 25,000 connections each)");

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
        Args args = new Args(argv, 1, Set.of("jvm"));
        switch (mode) {
            case "rate" -> {
                RateOptions o = rateOptions(args, 10_000, 5, 0);
                args.rejectUnused();
                RateResult r = new RateRun(o).run();
                System.out.println(r.summary());
                var json = new java.util.LinkedHashMap<String, Object>();
                json.put("mode", "rate");
                json.putAll(r.toMap());
                System.out.println(Json.write(json));
                return r.error == null ? 0 : 1;
            }
            default -> throw new IllegalArgumentException("unknown mode: " + mode);
        }
    }

    static RateOptions rateOptions(Args args, double rate, double seconds, double warmup) {
        RateOptions o = new RateOptions();
        o.host = args.string("host", o.host);
        o.port = args.integer("port", o.port);
        o.publishers = args.integer("pubs", o.publishers);
        o.subscribers = args.integer("subs", o.subscribers);
        o.qos = args.integer("qos", o.qos);
        o.payloadBytes = args.integer("payload", o.payloadBytes);
        o.window = args.integer("window", o.window);
        o.drainSeconds = args.number("drain", o.drainSeconds);
        o.connectTimeoutSeconds = args.number("connect-timeout", o.connectTimeoutSeconds);
        o.batchMicros = args.number("batch-us", o.batchMicros);
        o.rate = args.number("rate", rate);
        o.seconds = args.number("seconds", seconds);
        o.warmupSeconds = args.number("warmup", warmup);
        return o;
    }
}
