package io.switchboard.core.internal;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import io.switchboard.core.internal.routing.SubscriptionTree;
import io.switchboard.core.internal.sessions.SessionImpl;
import io.switchboard.core.internal.workers.WorkerThread;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Routing lookups in the core's {@link SubscriptionTree}: all sessions subscribed to a filter matching
 * a topic. The tree holds {@code subscriptions} filters of a fleet of sites and devices (fixed seed,
 * so every run builds the same tree):
 * <ul>
 * <li>70% exact: {@code site/<s>/device/<d>/<temp|humidity|battery>}</li>
 * <li>10% {@code site/<s>/+/<d>/#}, 10% {@code site/+/device/<d>/temp}, 5% {@code site/<s>/#},
 * 4% {@code site/<s>/device/+/<metric>}</li>
 * <li>1% shared: {@code $share/<group>/site/<s>/device/+/temp}</li>
 * </ul>
 * plus the handful of subscribers of {@link #HIT} (two exact, one of each wildcard form, one shared
 * group). {@link #MISS} is a device topic of a site nobody subscribed to: it walks the {@code +}
 * branch and matches nothing.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
public class TopicMatchBenchmark {

    static final String HIT = "site/7/device/42/temp";
    static final String MISS = "site/-1/device/-1/temp";
    private static final String[] METRICS = {"temp", "humidity", "battery"};
    /** Subscriptions per session: sessions are shared by several filters, as clients subscribe to several. */
    private static final int FILTERS_PER_SESSION = 10;

    @Param({"1000", "100000"})
    public int subscriptions;

    private final SubscriptionTree tree = new SubscriptionTree();
    private final WorkerThread worker = StandInOsgi.worker();
    /** Counts what the tree hands over, without allocating (the broker's sink collects targets in a list). */
    private final MatchCounter counter = new MatchCounter();
    int hitMatches;

    @Setup
    public void setUp() {
        SplittableRandom random = new SplittableRandom(42);
        int sites = Math.max(10, subscriptions / 100);
        int devices = Math.max(100, subscriptions);
        int special = subscribeHitSubscribers();
        SessionImpl session = null;
        for (int i = 0; tree.size() < subscriptions; i++) {
            if (i % FILTERS_PER_SESSION == 0) {
                session = session("client-" + i);
            }
            // ids start above the hit topic's site 7 / device 42 so that only the chosen few match it
            int site = 100 + random.nextInt(sites);
            int device = 1000 + random.nextInt(devices);
            String metric = METRICS[random.nextInt(METRICS.length)];
            int kind = random.nextInt(100);
            String filter;
            if (kind < 70) {
                filter = "site/" + site + "/device/" + device + "/" + metric;
            } else if (kind < 80) {
                filter = "site/" + site + "/+/" + device + "/#";
            } else if (kind < 90) {
                filter = "site/+/device/" + device + "/temp";
            } else if (kind < 95) {
                filter = "site/" + site + "/#";
            } else if (kind < 99) {
                filter = "site/" + site + "/device/+/" + metric;
            } else {
                filter = "$share/group-" + random.nextInt(20) + "/site/" + site + "/device/+/temp";
            }
            subscribe(session, filter);
        }
        hitMatches = match(HIT);
        if (hitMatches != special || match(MISS) != 0 || tree.size() != subscriptions) {
            throw new IllegalStateException("tree of " + tree.size() + " subscriptions: '" + HIT + "' matched " + hitMatches
                    + " (expected " + special + "), '" + MISS + "' matched " + match(MISS) + " (expected 0)");
        }
    }

    /** The subscribers of {@link #HIT}, each its own session; returns how many deliveries the topic gets. */
    private int subscribeHitSubscribers() {
        String[] filters = {HIT, HIT, "site/7/+/42/#", "site/+/device/42/temp", "site/7/#", "site/7/device/+/temp",
            "$share/dashboard/site/7/device/+/temp", "$share/dashboard/site/7/device/+/temp"};
        for (int i = 0; i < filters.length; i++) {
            subscribe(session("hit-" + i), filters[i]);
        }
        return filters.length - 1; // one delivery per shared group
    }

    private SessionImpl session(String clientId) {
        return new SessionImpl(clientId.hashCode(), clientId, clientId, "bench", null, (m, d) -> d.delivered(), worker);
    }

    /** As Router.subscribe builds a subscription. */
    private void subscribe(SessionImpl session, String filter) {
        tree.subscribe(SubscriptionTree.Entry.of(session, io.switchboard.api.Subscription.of(filter, 1)));
    }

    private int match(String topic) {
        counter.count = 0;
        tree.match(topic, counter);
        return counter.count;
    }

    @Benchmark
    public int hit() {
        return match(HIT);
    }

    @Benchmark
    public int miss() {
        return match(MISS);
    }

    private static final class MatchCounter implements Consumer<SubscriptionTree.Entry> {
        int count;

        @Override
        public void accept(SubscriptionTree.Entry entry) {
            count++;
        }
    }
}
