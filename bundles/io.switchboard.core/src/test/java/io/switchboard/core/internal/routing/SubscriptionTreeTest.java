package io.switchboard.core.internal.routing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

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
}
