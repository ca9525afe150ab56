package io.switchboard.core.internal.routing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import io.switchboard.api.Subscription;
import io.switchboard.core.internal.sessions.SessionImpl;
import org.junit.jupiter.api.Test;

class SubscriptionTreeTest {

    private final SubscriptionTree tree = new SubscriptionTree();

    private static SessionImpl session(long id) {
        return new SessionImpl(id, "c" + id, "u" + id, "internal", null, (m, d) -> d.delivered(), null);
    }

    private static SubscriptionTree.Entry entry(SessionImpl s, String filter, int qos) {
        return entry(s, filter, qos, 0);
    }

    private static SubscriptionTree.Entry entry(SessionImpl s, String filter, int qos, int identifier) {
        return SubscriptionTree.Entry.of(s, new Subscription(filter, qos, false, false, 0, identifier));
    }

    private List<SubscriptionTree.Entry> match(String topic) {
        List<SubscriptionTree.Entry> found = new ArrayList<>();
        tree.match(topic, found::add);
        return found;
    }

    @Test
    void oneDeliveryPerSessionWithTheHighestQos() {
        SessionImpl s = session(1);
        tree.subscribe(entry(s, "a/#", 0));
        tree.subscribe(entry(s, "a/+", 2));
        tree.subscribe(entry(s, "a/b", 1));

        List<SubscriptionTree.Entry> found = match("a/b");

        assertThat(found).hasSize(1);
        assertThat(found.get(0).qos()).isEqualTo(2);
        assertThat(tree.size()).isEqualTo(3);
    }

    @Test
    void aTopicFanningOutToManySessionsReachesEachOnceWithItsHighestQos() {
        List<SessionImpl> sessions = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            SessionImpl s = session(i);
            sessions.add(s);
            tree.subscribe(entry(s, "fan/#", 0));
            if (i % 2 == 0) {
                tree.subscribe(entry(s, "fan/+", 1));
            }
        }

        List<SubscriptionTree.Entry> found = match("fan/out");

        assertThat(found).extracting(SubscriptionTree.Entry::session).containsExactlyInAnyOrderElementsOf(sessions);
        assertThat(found).allSatisfy(e -> assertThat(e.qos()).isEqualTo(e.session().id() % 2 == 0 ? 1 : 0));
    }

    @Test
    void resubscribingReplacesAndUnsubscribeRemoves() {
        SessionImpl s = session(1);
        assertThat(tree.subscribe(entry(s, "a/b", 0))).isTrue();
        assertThat(tree.subscribe(entry(s, "a/b", 1))).isFalse();
        assertThat(match("a/b")).extracting(SubscriptionTree.Entry::qos).containsExactly(1);

        assertThat(tree.unsubscribe(s, "a/b")).isTrue();
        assertThat(tree.unsubscribe(s, "a/b")).isFalse();
        assertThat(match("a/b")).isEmpty();
        assertThat(tree.size()).isZero();
    }

    @Test
    void sharedSubscriptionsDeliverToOneMemberInTurn() {
        SessionImpl a = session(1);
        SessionImpl b = session(2);
        SessionImpl plain = session(3);
        tree.subscribe(entry(a, "$share/g/jobs/+", 1));
        tree.subscribe(entry(b, "$share/g/jobs/+", 1));
        tree.subscribe(entry(plain, "jobs/#", 0));

        List<SessionImpl> receivers = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            match("jobs/" + i).forEach(e -> receivers.add(e.session()));
        }

        assertThat(receivers).filteredOn(s -> s == plain).hasSize(4);
        assertThat(receivers).filteredOn(s -> s == a).hasSize(2);
        assertThat(receivers).filteredOn(s -> s == b).hasSize(2);

        assertThat(tree.unsubscribe(a, "$share/g/jobs/+")).isTrue();
        assertThat(match("jobs/9")).extracting(SubscriptionTree.Entry::session).containsExactlyInAnyOrder(b, plain);
    }

    @Test
    void oneCopyForOverlappingSubscriptionsCarriesTheIdentifiersOfAll() {
        SessionImpl s = session(1);
        SessionImpl other = session(2);
        tree.subscribe(entry(s, "a/#", 2, 9));
        tree.subscribe(entry(s, "a/+", 1, 5));
        tree.subscribe(entry(s, "a/b", 0));
        tree.subscribe(entry(s, "x/#", 0, 3));
        tree.subscribe(entry(other, "a/b", 1, 7));

        List<SubscriptionTree.Entry> found = match("a/b");

        assertThat(found).hasSize(2);
        SubscriptionTree.Entry mine = found.stream().filter(e -> e.session() == s).findFirst().orElseThrow();
        assertThat(mine.qos()).as("the options of the highest QoS").isEqualTo(2);
        assertThat(mine.subscriptionIds()).as("every matching subscription's, ascending").containsExactly(5, 9);
        SubscriptionTree.Entry theirs = found.stream().filter(e -> e.session() == other).findFirst().orElseThrow();
        assertThat(theirs.subscriptionIds()).containsExactly(7);
        assertThat(match("a")).singleElement().satisfies(e -> assertThat(e.subscriptionIds()).containsExactly(9));
        assertThat(match("x/y")).singleElement().satisfies(e -> assertThat(e.subscriptionIds()).containsExactly(3));
    }

    @Test
    void aSharedCopyCarriesOnlyItsOwnIdentifierAndManySessionsKeepTheirs() {
        SessionImpl member = session(1);
        tree.subscribe(SubscriptionTree.Entry.of(member, new Subscription("$share/g/jobs/+", 1, false, false, 0, 11)));
        tree.subscribe(entry(member, "jobs/#", 0, 4));
        List<SessionImpl> many = new ArrayList<>();
        for (int i = 2; i < 40; i++) {
            SessionImpl s = session(i);
            many.add(s);
            tree.subscribe(entry(s, "jobs/#", 0, i));
            tree.subscribe(entry(s, "jobs/+", 0, 1000 + i));
        }

        List<SubscriptionTree.Entry> found = match("jobs/1");

        assertThat(found).filteredOn(e -> e.session() == member).extracting(SubscriptionTree.Entry::subscriptionIds)
                .containsExactlyInAnyOrder(List.of(11), List.of(4));
        assertThat(found).filteredOn(e -> e.session() != member).hasSize(many.size())
                .allSatisfy(e -> assertThat(e.subscriptionIds()).containsExactly((int) e.session().id(), 1000 + (int) e.session().id()));
    }

    @Test
    void aResubscribeReplacesTheIdentifier() {
        SessionImpl s = session(1);
        tree.subscribe(entry(s, "a/b", 0, 5));
        tree.subscribe(entry(s, "a/b", 0, 6));
        assertThat(match("a/b")).singleElement().satisfies(e -> assertThat(e.subscriptionIds()).containsExactly(6));
        tree.subscribe(entry(s, "a/b", 0));
        assertThat(match("a/b")).singleElement().satisfies(e -> assertThat(e.subscriptionIds()).isEmpty());
    }

    @Test
    void aTopicOfAHundredThousandLevelsIsMatchedOnASmallStack() throws Exception {
        SessionImpl s = session(1);
        String deepFilter = "d" + "/+/x".repeat(50_000) + "/#";
        String deepTopic = "d" + "/y/x".repeat(50_000) + "/end";
        tree.subscribe(entry(s, deepFilter, 1));
        tree.subscribe(entry(session(2), "d/#", 0));
        AtomicReference<Object> outcome = new AtomicReference<>();
        // 256 KiB of stack: a recursion of one frame per level would overflow long before 100,000 levels
        Thread small = new Thread(null, () -> {
            try {
                outcome.set(match(deepTopic));
            } catch (Throwable t) {
                outcome.set(t);
            }
        }, "small-stack", 256 * 1024);
        small.start();
        small.join();

        assertThat(outcome.get()).isInstanceOf(List.class);
        assertThat((List<?>) outcome.get()).hasSize(2);
    }

    @Test
    void matchesAsTheFilterRulesSayForRandomFiltersAndTopics() {
        SplittableRandom random = new SplittableRandom(7);
        String[] names = {"a", "b", "", "$x"};
        List<String> filters = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            String filter = RandomTopics.levels(random, names, true);
            if (!filters.contains(filter)) {
                filters.add(filter);
                tree.subscribe(entry(session(filters.size()), filter, 0));
            }
        }
        for (int i = 0; i < 2_000; i++) {
            String topic = RandomTopics.levels(random, names, false);
            List<String> expected = filters.stream().filter(f -> Topics.matches(f, topic)).toList();
            assertThat(match(topic)).as(topic).extracting(SubscriptionTree.Entry::filter).containsExactlyInAnyOrderElementsOf(expected);
        }
    }

    @Test
    void unsubscribingTheLastFilterBelowALevelPrunesIt() {
        SessionImpl a = session(1);
        SessionImpl b = session(2);
        tree.subscribe(entry(a, "long/filter/with/many/levels", 0));
        tree.subscribe(entry(b, "long/filter/+", 0));
        tree.subscribe(entry(b, "$share/g/long/filter/with/#", 0));
        assertThat(tree.nodeCount()).isEqualTo(7);

        assertThat(tree.unsubscribe(a, "long/filter/with/many/levels")).isTrue();
        assertThat(tree.nodeCount()).as("long/filter/with/# and long/filter/+ kept").isEqualTo(5);
        assertThat(match("long/filter/with")).extracting(SubscriptionTree.Entry::filter)
                .containsExactlyInAnyOrder("long/filter/+", "$share/g/long/filter/with/#");

        assertThat(tree.unsubscribe(b, "$share/g/long/filter/with/#")).isTrue();
        assertThat(tree.nodeCount()).as("long/filter/+").isEqualTo(3);
        assertThat(tree.unsubscribe(b, "long/filter/+")).isTrue();
        assertThat(tree.nodeCount()).isZero();
        assertThat(tree.size()).isZero();
    }

    @Test
    void aLevelStillHoldingASubscriptionIsKeptWhenALongerFilterBelowGoes() {
        SessionImpl a = session(1);
        tree.subscribe(entry(a, "a/b", 0));
        tree.subscribe(entry(a, "a/b/c/d", 0));

        tree.unsubscribe(a, "a/b/c/d");

        assertThat(tree.nodeCount()).isEqualTo(2);
        assertThat(match("a/b")).hasSize(1);
        tree.subscribe(entry(a, "a/b/c/d", 0));
        assertThat(match("a/b/c/d")).hasSize(1);
    }

    @Test
    void aSubscribeWhoseNodeIsPrunedBeforeItLocksItStartsOverOnAFreshPath() {
        SessionImpl leaving = session(1);
        SessionImpl joining = session(2);
        AtomicBoolean armed = new AtomicBoolean();
        SubscriptionTree[] racing = new SubscriptionTree[1];
        // the one subscriber of x/y/z leaves (pruning x, x/y and x/y/z) just after the joiner's walk found x/y/z
        racing[0] = new SubscriptionTree(() -> {
            if (armed.getAndSet(false)) {
                racing[0].unsubscribe(leaving, "x/y/z");
            }
        });
        racing[0].subscribe(entry(leaving, "x/y/z", 0));
        armed.set(true);

        assertThat(racing[0].subscribe(entry(joining, "x/y/z", 1))).isTrue();

        assertThat(armed).as("the removal happened in the window").isFalse();
        List<SessionImpl> matched = new ArrayList<>();
        racing[0].match("x/y/z", e -> matched.add(e.session()));
        assertThat(matched).containsExactly(joining);
        assertThat(racing[0].size()).isEqualTo(1);
        assertThat(racing[0].nodeCount()).isEqualTo(3);
    }

    /** Filters sharing prefixes, so that pruning one races with subscribing another through the same levels. */
    private static final String[] OVERLAPPING = {"h/a/b/c", "h/a/+/c", "h/a/#", "h/a/b", "h/+/b/c/d", "h/a/b/c/d/e/f/g",
        "h/a/b/c/d/e/+/g", "h/x/y/z", "h/#", "+/a/b/c/d"};

    @Test
    void subscribeAndUnsubscribeChurnWhileMatchingLosesNothingAndLeavesNoLevelBehind() throws Exception {
        int threads = 4;
        int sessionsPerThread = 3;
        int operations = 30_000;
        ConcurrentLinkedQueue<Throwable> problems = new ConcurrentLinkedQueue<>();
        AtomicBoolean churning = new AtomicBoolean(true);
        CountDownLatch start = new CountDownLatch(1);
        List<Map<SessionImpl, Set<String>>> heldByThread = new ArrayList<>();
        List<Thread> churners = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Map<SessionImpl, Set<String>> held = new HashMap<>();
            for (int i = 0; i < sessionsPerThread; i++) {
                held.put(session(t * 100L + i), new HashSet<>());
            }
            heldByThread.add(held);
            long seed = t;
            // each session's subscribes and unsubscribes come from one thread, as a session's steps do in the broker
            churners.add(new Thread(() -> churn(held, new SplittableRandom(seed), operations, start, problems), "churn-" + t));
        }
        Thread matcher = new Thread(() -> {
            int i = 0;
            while (churning.get()) {
                tree.match(OVERLAPPING[i++ % OVERLAPPING.length].replace("+", "z").replace("#", "z"), e -> { });
            }
        }, "matcher");
        churners.forEach(Thread::start);
        matcher.start();
        start.countDown();
        for (Thread t : churners) {
            t.join();
        }
        churning.set(false);
        matcher.join();

        assertThat(problems).isEmpty();
        int held = 0;
        for (Map<SessionImpl, Set<String>> byThread : heldByThread) {
            for (Map.Entry<SessionImpl, Set<String>> e : byThread.entrySet()) {
                for (String filter : e.getValue()) {
                    assertThat(matchedSessions(topicMatching(filter))).as(filter).contains(e.getKey());
                    held++;
                }
            }
        }
        assertThat(tree.size()).isEqualTo(held);
        for (Map<SessionImpl, Set<String>> byThread : heldByThread) {
            byThread.forEach((session, filters) -> filters.forEach(f -> assertThat(tree.unsubscribe(session, f)).isTrue()));
        }
        assertThat(tree.size()).isZero();
        assertThat(tree.nodeCount()).as("levels left in the tree").isZero();
    }

    /** Subscribes or unsubscribes at random; after each subscribe, a match on this thread must find it. */
    private void churn(Map<SessionImpl, Set<String>> held, SplittableRandom random, int operations, CountDownLatch start,
            ConcurrentLinkedQueue<Throwable> problems) {
        List<SessionImpl> sessions = new ArrayList<>(held.keySet());
        try {
            start.await();
            for (int i = 0; i < operations; i++) {
                SessionImpl s = sessions.get(random.nextInt(sessions.size()));
                String plain = OVERLAPPING[random.nextInt(OVERLAPPING.length)];
                // a group of its own per session, so that the one member is always the one delivered to
                String filter = random.nextInt(4) == 0 ? "$share/g" + s.id() + "/" + plain : plain;
                Set<String> filters = held.get(s);
                if (filters.remove(filter)) {
                    if (!tree.unsubscribe(s, filter)) {
                        problems.add(new AssertionError("unsubscribe of a held " + filter + " found nothing"));
                    }
                } else {
                    if (!tree.subscribe(entry(s, filter, 0))) {
                        problems.add(new AssertionError("subscribe of " + filter + " was not new"));
                    }
                    filters.add(filter);
                    if (!matchedSessions(topicMatching(filter)).contains(s)) {
                        problems.add(new AssertionError(filter + " subscribed but not matched"));
                    }
                }
            }
        } catch (Throwable t) {
            problems.add(t);
        }
    }

    private List<SessionImpl> matchedSessions(String topic) {
        List<SessionImpl> sessions = new ArrayList<>();
        tree.match(topic, e -> sessions.add(e.session()));
        return sessions;
    }

    /** A topic the (possibly shared) filter matches. */
    private static String topicMatching(String filter) {
        return SubscriptionTree.plainFilterOf(filter).replace("+", "z").replace("#", "z");
    }
}
