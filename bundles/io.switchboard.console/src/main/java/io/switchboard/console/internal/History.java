package io.switchboard.console.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Rates between consecutive samples, for the charts: messages published and delivered per second, each module's
 * mean decision time in the interval (from its calls and decision time deltas), and their sum along the message
 * chain. A counter that went down (the core restarted, a module re-joined the chain and counts afresh) counts from
 * zero again.
 */
final class History {

    /**
     * One interval.
     *
     * @param epochMillis the interval's end
     * @param publishedPerSecond messages that entered the chain, per second
     * @param deliveredPerSecond messages handed to subscribers, per second
     * @param chainMicros the sum of the message chain's modules' mean decision times in the interval, in microseconds
     * @param moduleMicros each module's mean decision time in the interval (modules called in it only)
     */
    record Point(long epochMillis, double publishedPerSecond, double deliveredPerSecond, double chainMicros,
            Map<String, Double> moduleMicros) {
    }

    private History() {
    }

    static List<Point> of(List<Sample> samples) {
        List<Point> out = new ArrayList<>(Math.max(0, samples.size() - 1));
        for (int i = 1; i < samples.size(); i++) {
            out.add(between(samples.get(i - 1), samples.get(i)));
        }
        return out;
    }

    static Point between(Sample before, Sample after) {
        double seconds = Math.max(1, after.epochMillis() - before.epochMillis()) / 1000.0;
        Map<String, Double> modules = new LinkedHashMap<>();
        double chain = 0;
        for (Map.Entry<String, Sample.ModuleTotals> e : after.modules().entrySet()) {
            Sample.ModuleTotals now = e.getValue();
            Sample.ModuleTotals then = before.modules().get(e.getKey());
            long calls = delta(then == null ? 0 : then.calls(), now.calls());
            long nanos = delta(then == null ? 0 : then.totalNanos(), now.totalNanos());
            if (then == null || now.calls() < then.calls()) {
                nanos = now.totalNanos(); // counting afresh: calls and nanos restart together
            }
            if (calls > 0) {
                double micros = nanos / 1000.0 / calls;
                modules.put(e.getKey(), micros);
                if (after.messageChain().contains(e.getKey())) {
                    chain += micros;
                }
            }
        }
        return new Point(after.epochMillis(), delta(before.published(), after.published()) / seconds,
                delta(before.deliveries(), after.deliveries()) / seconds, chain, modules);
    }

    /** How much a cumulative counter grew; its value itself when it went down (it counts from zero again). */
    static long delta(long before, long after) {
        return after >= before ? after - before : after;
    }
}
