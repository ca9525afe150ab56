package io.switchboard.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.switchboard.api.FailurePolicy;
import io.switchboard.api.Message;
import io.switchboard.api.MessageModule;
import io.switchboard.api.ModuleProperties;
import io.switchboard.api.Session;
import io.switchboard.api.Verdict;
import io.switchboard.api.admin.ChainEvent;
import io.switchboard.api.admin.ModuleInfo;
import io.switchboard.api.broker.PublishResult;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.osgi.framework.Bundle;
import org.osgi.framework.ServiceReference;

/**
 * A module replaced while messages flow (its bundle updated or replaced by a newer jar, its component
 * re-created) is seen by every message, old or new, never neither; of two versions of one bundle side by
 * side only the newest is in the chain, and a name they share is refused as ambiguous.
 */
class ModuleSuccessionTest {

    private final CoreHarness harness = new CoreHarness(2);

    @AfterEach
    void stop() {
        harness.close();
    }

    /** Tags each message with {@code tag} in its payload. */
    private static MessageModule tagger(String tag) {
        return new MessageModule() {
            @Override
            public Verdict onMessage(Message message, Session sender) {
                return Verdict.replace(message.toBuilder().payload(message.payloadText() + ">" + tag).build());
            }
        };
    }

    /**
     * Publishes {@code payload} and returns once a module ranked above the others has seen it: the message
     * has taken its chain snapshot, which is what decides whether it can miss a module being replaced.
     */
    private CompletableFuture<PublishResult> publishAndAwaitEntry(CoreHarness.Client client, String payload)
            throws InterruptedException {
        CountDownLatch entered = new CountDownLatch(1);
        ServiceReference<MessageModule> probe = harness.add("probe", 1000, new MessageModule() {
            @Override
            public Verdict onMessage(Message message, Session sender) {
                entered.countDown();
                return Verdict.pass();
            }
        });
        CompletableFuture<PublishResult> result = publish(client, payload);
        assertThat(entered.await(5, TimeUnit.SECONDS)).as("the message entered the chain").isTrue();
        harness.remove(probe);
        return result;
    }

    private CompletableFuture<PublishResult> publish(CoreHarness.Client client, String payload) {
        return client.session.publish(Message.builder("chat/room").payload(payload).qos(1).build()).toCompletableFuture();
    }

    @Test
    void aMessageArrivingWhileTheModulesBundleUpdatesWaitsForTheNewVersion() throws Exception {
        AtomicInteger state = new AtomicInteger(Bundle.ACTIVE);
        Bundle bundle = FakeOsgi.bundle("acme.filter", "1.0.0", state::get);
        ServiceReference<MessageModule> v1 = harness.add(bundle, "filter", 0, tagger("v1"));
        CoreHarness.Client sub = harness.client("sub").subscribe("chat/#", 1);
        CoreHarness.Client pub = harness.client("pub");

        state.set(Bundle.STOPPING); // the framework stops the bundle to update it
        harness.remove(v1);
        CompletableFuture<PublishResult> during = publishAndAwaitEntry(pub, "during");
        assertThat(harness.core.modules()).extracting(ModuleInfo::name, ModuleInfo::state)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("filter", "REPLACING"));
        state.set(Bundle.ACTIVE);
        harness.add(bundle, "filter", 0, tagger("v2"));

        assertThat(during.get(5, TimeUnit.SECONDS).routed()).isTrue();
        assertThat(sub.next().payloadText()).isEqualTo("during>v2");
        assertThat(harness.core.chain(ChainEvent.MESSAGE)).extracting(ModuleInfo::state).containsExactly("ACTIVE");
    }

    @Test
    void aNewerJarOfTheSameBundleSucceedsTheUninstalledOne() throws Exception {
        AtomicInteger oldState = new AtomicInteger(Bundle.ACTIVE);
        ServiceReference<MessageModule> v1 = harness.add(FakeOsgi.bundle("acme.filter", "1.0.1", oldState::get), "filter",
                0, tagger("v1"));
        CoreHarness.Client sub = harness.client("sub").subscribe("chat/#", 1);
        CoreHarness.Client pub = harness.client("pub");

        oldState.set(Bundle.STOPPING); // the old jar was deleted: its bundle is stopped, then uninstalled
        harness.remove(v1);
        CompletableFuture<PublishResult> during = publishAndAwaitEntry(pub, "during");
        harness.add(FakeOsgi.bundle("acme.filter", "1.0.2", () -> Bundle.ACTIVE), "filter", 0, tagger("v2"));

        assertThat(during.get(5, TimeUnit.SECONDS).routed()).isTrue();
        assertThat(sub.next().payloadText()).isEqualTo("during>v2");
    }

    @Test
    void withoutASuccessorWithinTheBudgetThePolicyDecidesThenTheChainGoesOnWithoutTheModule() throws Exception {
        AtomicInteger state = new AtomicInteger(Bundle.ACTIVE);
        ServiceReference<MessageModule> guard = harness.add(FakeOsgi.bundle("acme.guard", "1.0.0", state::get), "guard", 0,
                tagger("guard"), ModuleProperties.TIMEOUT, 300L, ModuleProperties.FAILURE_POLICY, FailurePolicy.FAIL_CLOSED.name());
        CoreHarness.Client sub = harness.client("sub").subscribe("chat/#", 1);
        CoreHarness.Client pub = harness.client("pub");

        state.set(Bundle.STOPPING); // uninstalled for good
        harness.remove(guard);
        PublishResult held = publish(pub, "held").get(5, TimeUnit.SECONDS);
        assertThat(held.routed()).as("a FAIL_CLOSED module that did not come back consumes what waited for it").isFalse();
        assertThat(held.reason()).contains("guard", "no successor");

        awaitCondition(() -> harness.core.modules().isEmpty());
        assertThat(publish(pub, "after").get(5, TimeUnit.SECONDS).routed()).isTrue();
        assertThat(sub.next().payloadText()).isEqualTo("after");
    }

    @Test
    void aModuleWhoseBundleStaysActiveWithoutAConfigurationLeavesAtOnce() throws Exception {
        ServiceReference<MessageModule> plain = harness.add("plain", 0, tagger("plain"));
        harness.remove(plain);
        assertThat(harness.core.modules()).isEmpty();
    }

    @Test
    void ofTwoVersionsOfABundleOnlyTheNewestJoinsTheChainAndTheOtherIsShownSuperseded() throws Exception {
        Bundle older = FakeOsgi.bundle("acme.filter", "1.0.1", () -> Bundle.ACTIVE);
        AtomicInteger newerState = new AtomicInteger(Bundle.ACTIVE);
        Bundle newer = FakeOsgi.bundle("acme.filter", "1.0.2", newerState::get);
        harness.add(older, "filter", 0, tagger("v1"));
        ServiceReference<MessageModule> v2 = harness.add(newer, "filter", 0, tagger("v2"));
        CoreHarness.Client sub = harness.client("sub").subscribe("chat/#", 1);
        CoreHarness.Client pub = harness.client("pub");

        assertThat(harness.core.chain(ChainEvent.MESSAGE)).extracting(ModuleInfo::version).containsExactly("1.0.2");
        ModuleInfo superseded = harness.core.modules().stream().filter(m -> m.version().equals("1.0.1")).findFirst().orElseThrow();
        assertThat(superseded.state()).isEqualTo("SUPERSEDED");
        assertThat(superseded.reason()).contains("superseded by version 1.0.2");
        assertThat(pub.publish("chat/room", "m").routed()).isTrue();
        assertThat(sub.next().payloadText()).isEqualTo("m>v2");

        newerState.set(Bundle.STOPPING); // the newer jar deleted: the older version, running, takes over at once
        harness.remove(v2);
        assertThat(harness.core.chain(ChainEvent.MESSAGE)).extracting(ModuleInfo::version, ModuleInfo::state)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("1.0.1", "ACTIVE"));
    }

    @Test
    void aNameTwoVersionsShareIsRefusedAsAmbiguousAndAVersionChoosesOne() {
        harness.add(FakeOsgi.bundle("acme.filter", "1.0.1", () -> Bundle.ACTIVE), "filter", 0, tagger("v1"));
        harness.add(FakeOsgi.bundle("acme.filter", "1.0.2", () -> Bundle.ACTIVE), "filter", 0, tagger("v2"));

        assertThatThrownBy(() -> harness.core.setEnabled("filter", false)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'filter' names 2 modules")
                .hasMessageContaining("filter@1.0.1 (bundle acme.filter [")
                .hasMessageContaining("SUPERSEDED by 1.0.2")
                .hasMessageContaining("filter@1.0.2");
        harness.core.setEnabled("filter@1.0.2", false);
        assertThat(harness.core.modules()).extracting(ModuleInfo::version, ModuleInfo::state).containsExactlyInAnyOrder(
                org.assertj.core.groups.Tuple.tuple("1.0.2", "DISABLED"),
                org.assertj.core.groups.Tuple.tuple("1.0.1", "SUPERSEDED"));
        assertThatThrownBy(() -> harness.core.setEnabled("filter@3.0", true)).hasMessageContaining("candidates: filter@1.0.1");
    }

    private static void awaitCondition(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + CoreHarness.WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within " + CoreHarness.WAIT);
            }
            Thread.sleep(10);
        }
    }
}
