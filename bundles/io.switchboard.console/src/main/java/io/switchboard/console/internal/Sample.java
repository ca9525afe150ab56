package io.switchboard.console.internal;

import java.util.Map;
import java.util.Set;

/**
 * The broker's cumulative counters at one instant, as the sampler read them.
 *
 * @param epochMillis when
 * @param published messages that entered the chain so far
 * @param deliveries messages handed to subscribers so far
 * @param modules each module (the one listed first of a name): its calls and decision time so far
 * @param messageChain the names of the modules in the message chain, whose mean decision times add up to the
 *        chain's
 */
record Sample(long epochMillis, long published, long deliveries, Map<String, ModuleTotals> modules,
        Set<String> messageChain) {

    /**
     * One module's cumulative counters.
     *
     * @param calls callbacks made
     * @param totalNanos time spent deciding
     */
    record ModuleTotals(long calls, long totalNanos) {
    }

    Sample {
        modules = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(modules));
        messageChain = Set.copyOf(messageChain);
    }
}
