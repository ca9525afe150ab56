package io.switchboard.bench;

import java.util.LinkedHashMap;
import java.util.Map;
import org.HdrHistogram.Histogram;

/** What a load run measured. Latencies are publish (send time in the payload) to delivery, in µs. */
final class RateResult {
    final RateOptions options;
    final String runId;
    /** Messages the schedule asked for: rate × seconds. */
    final long offered;
    final long sent;
    /** sent × subscribers: every subscriber gets every message. */
    final long expected;
    /** Distinct deliveries (duplicates not counted). */
    final long received;
    final long duplicates;
    /** Deliveries that were not ours (another run's leftovers or an unparsable payload). */
    final long foreign;
    final double inRate;
    final double outRate;
    /** From the end of sending to the last delivery; -1 when not everything arrived. */
    final double drainMillis;
    final Histogram latencyNanos;
    /** Why the run ended early or a connection broke; null when it did not. */
    final String error;
    /** Write syscalls of all publishers (connecting included): sent / this is the messages per write. */
    long publisherWrites;
    /** Per-message mode: due PUBLISHes that waited for a socket that had not taken the previous write (broker not reading). */
    long socketFullWaits;
    /** CPU use from the start of sending to the end of the drain; null when the run did not get that far. */
    CpuTime.Usage cpu;

    RateResult(RateOptions options, String runId, long offered, long sent, long expected, long received,
               long duplicates, long foreign, double inRate, double outRate, double drainMillis,
               Histogram latencyNanos, String error) {
        this.options = options;
        this.runId = runId;
        this.offered = offered;
        this.sent = sent;
        this.expected = expected;
        this.received = received;
        this.duplicates = duplicates;
        this.foreign = foreign;
        this.inRate = inRate;
        this.outRate = outRate;
        this.drainMillis = drainMillis;
        this.latencyNanos = latencyNanos;
        this.error = error;
    }

    long lost() {
        return expected - received;
    }

    boolean allDelivered() {
        return error == null && received == expected && sent > 0;
    }

    double latencyMicros(double percentile) {
        return latencyNanos.getTotalCount() == 0 ? Double.NaN : latencyNanos.getValueAtPercentile(percentile) / 1000.0;
    }

    /** Broker CPU time (µs) per delivered message (every copy to every subscriber counts), NaN when unknown. */
    double brokerCpuMicrosPerMessage() {
        return cpu == null || received == 0 ? Double.NaN : cpu.brokerSeconds() * 1e6 / received;
    }

    double messagesPerWrite() {
        return publisherWrites == 0 ? Double.NaN : (double) sent / publisherWrites;
    }

    double maxLatencyMicros() {
        return latencyNanos.getTotalCount() == 0 ? Double.NaN : latencyNanos.getMaxValue() / 1000.0;
    }

    Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("runId", runId);
        m.put("pubs", options.publishers);
        m.put("subs", options.subscribers);
        m.put("qos", options.qos);
        m.put("payload", options.payloadBytes);
        m.put("window", options.window);
        m.put("persistent", options.persistent);
        m.put("write", options.write.label);
        m.put("batchUs", options.write == WriteMode.BATCHED ? options.batchMicros : null);
        m.put("offeredRate", options.rate);
        m.put("seconds", options.seconds);
        m.put("offered", offered);
        m.put("sent", sent);
        m.put("expected", expected);
        m.put("received", received);
        m.put("lost", lost());
        m.put("duplicates", duplicates);
        m.put("foreign", foreign);
        m.put("inRate", inRate);
        m.put("outRate", outRate);
        m.put("drainMs", drainMillis);
        Map<String, Object> latency = new LinkedHashMap<>();
        latency.put("count", latencyNanos.getTotalCount());
        latency.put("p50", latencyMicros(50));
        latency.put("p90", latencyMicros(90));
        latency.put("p99", latencyMicros(99));
        latency.put("p999", latencyMicros(99.9));
        latency.put("max", maxLatencyMicros());
        m.put("latencyUs", latency);
        m.put("publisherWrites", publisherWrites);
        m.put("socketFullWaits", socketFullWaits);
        if (cpu != null) {
            Map<String, Object> c = new LinkedHashMap<>();
            c.put("windowSeconds", cpu.seconds());
            c.put("brokerSeconds", cpu.brokerSeconds());
            c.put("brokerUsPerMessage", brokerCpuMicrosPerMessage());
            c.put("generatorSeconds", cpu.generatorSeconds());
            c.put("otherCores", cpu.otherCores());
            c.put("load1Before", cpu.load1Before());
            c.put("load1After", cpu.load1After());
            m.put("cpu", c);
        }
        m.put("error", error);
        return m;
    }

    String summary() {
        return String.format(
                "qos %d %d->%d %dB offered %.0f msg/s for %.1fs: sent %d/%d (in %.0f msg/s), delivered %d/%d "
                        + "(out %.0f msg/s), lost %d, dup %d, drain %.0f ms, latency p50 %.0f p99 %.0f p99.9 %.0f max %.0f us, "
                        + "%s writes (%.1f msg/write%s)%s%s",
                options.qos, options.publishers, options.subscribers, options.payloadBytes, options.rate,
                options.seconds, sent, offered, inRate, received, expected, outRate, lost(), duplicates, drainMillis,
                latencyMicros(50), latencyMicros(99), latencyMicros(99.9), maxLatencyMicros(), options.write,
                messagesPerWrite(), options.write == WriteMode.PER_MESSAGE ? ", socket full " + socketFullWaits + "x" : "",
                Double.isNaN(brokerCpuMicrosPerMessage()) ? ""
                        : String.format(", broker CPU %.2f us/msg", brokerCpuMicrosPerMessage()),
                error == null ? "" : " ERROR: " + error);
    }
}
