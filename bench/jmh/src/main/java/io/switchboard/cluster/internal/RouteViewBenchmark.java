package io.switchboard.cluster.internal;

import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The cluster-wide subscription view ({@link FilterIndex}) that every node keeps of every node's filters: what a route
 * change (a filter's first subscriber on some node, or its last one gone) costs each node, and what a publish's match
 * costs, with {@code routes} (node, filter) entries spread over 10 nodes. Three quarters are per-device filters
 * ({@code devices/<id>/commands}, one per device: the case that grows with the fleet), the rest wildcards per site
 * ({@code sites/<s>/+/status}, {@code sites/<s>/#}) and one shared group per site.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@State(Scope.Thread)
public class RouteViewBenchmark {

    private static final int NODES = 10;

    @Param({"1000", "100000"})
    public int routes;

    private final FilterIndex index = new FilterIndex();
    private int next;

    @Setup
    public void setUp() {
        for (int i = 0; i < routes; i++) {
            String node = "node-" + i % NODES;
            int site = i / 100;
            String filter = switch (i % 8) {
                case 0 -> "sites/" + site + "/+/status";
                case 1 -> "sites/" + site + "/#";
                default -> "devices/" + i + "/commands";
            };
            index.add(node, filter);
            if (i % 100 == 0) {
                index.add(node, "$share/site-" + site + "/sites/" + site + "/+/alarm");
            }
        }
        if (index.match("devices/2/commands").nodes().size() != 1 || index.match("sites/0/x/status").nodes().isEmpty()) {
            throw new IllegalStateException("the view does not hold the routes it was given");
        }
    }

    /** A device's filter appears on a node and goes again: two route changes. */
    @Benchmark
    public int subscribeAndUnsubscribe() {
        String filter = "devices/new-" + (next++ & 1023) + "/commands";
        index.add("node-3", filter);
        index.remove("node-3", filter);
        return next;
    }

    /** A device's command: one per-device filter and the site wildcards are looked at. */
    @Benchmark
    public int matchDevice() {
        return index.match("devices/" + (next++ % routes) + "/commands").nodes().size();
    }

    /** A site's status: two wildcard filters match. */
    @Benchmark
    public int matchSite() {
        return index.match("sites/" + (next++ % Math.max(1, routes / 100)) + "/d/status").nodes().size();
    }
}
