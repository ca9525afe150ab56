package io.switchboard.module.ratelimit.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.lang.management.ManagementFactory;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.switchboard.api.Message;
import io.switchboard.api.ReasonCode;
import io.switchboard.api.Verdict;
import io.switchboard.api.admin.ChainEvent;
import io.switchboard.testkit.FakeHost;
import io.switchboard.testkit.FakeSession;
import io.switchboard.testkit.ModuleInstance;
import io.switchboard.testkit.TestMessages;

class RateLimitModuleTest {

    /** The module's clock, in nanoseconds; starts far from 0 to catch arithmetic that assumes otherwise. */
    private long nanoTime = -5_000_000_000L;
    private ModuleInstance<RateLimitModule, RateLimitConfig> limiter;

    @AfterEach
    void close() {
        if (limiter != null) {
            limiter.host().close();
        }
    }

    /** A rate limit on the test's clock ({@link #advance}), not yet activated. */
    private ModuleInstance<RateLimitModule, RateLimitConfig> newLimiter() {
        FakeHost host = new FakeHost("io.switchboard.module.ratelimit");
        RateLimitModule module = new RateLimitModule();
        module.host = host;
        module.nanoTime = () -> nanoTime;
        return ModuleInstance.builder(module, RateLimitConfig.class).pid(RateLimitModule.PID).host(host)
                .onActivate((m, call) -> m.activate(call.properties(), call.config()))
                .onModified((m, call) -> m.modified(call.properties(), call.config()))
                .build();
    }

    private ModuleInstance<RateLimitModule, RateLimitConfig> activated(Map<String, ?> configuration) {
        return newLimiter().activate(configuration);
    }

    /** Moves the module's clock on. */
    private void advance(long amount, TimeUnit unit) {
        nanoTime += unit.toNanos(amount);
    }

    private Verdict publish(FakeSession session, String topic) {
        return limiter.probe().message(TestMessages.text(session.user(), topic, "x")).from(session).verdict();
    }

    /** How many of {@code count} messages pass. */
    private int passing(FakeSession session, String topic, int count) {
        int passed = 0;
        for (int i = 0; i < count; i++) {
            if (publish(session, topic).kind() == Verdict.Kind.PASS) {
                passed++;
            }
        }
        return passed;
    }

    // ---- per client ----

    @Test
    void aClientOverItsRateIsRefusedWithQuotaExceeded() {
        limiter = activated(Map.of("client.rate", "10/s", "client.burst", "5"));
        FakeSession alice = FakeSession.of("alice");

        assertThat(passing(alice, "chat/a", 5)).isEqualTo(5);
        Verdict refused = limiter.probe().message(TestMessages.text("alice", "chat/a", "6th")).from(alice).assertConsumed(ReasonCode.QUOTA_EXCEEDED);

        assertThat(refused.reason()).isEqualTo("rate limit: more than 10/s from this client");
        advance(100, TimeUnit.MILLISECONDS);
        assertThat(passing(alice, "chat/a", 3)).as("one more after one interval").isEqualTo(1);
        advance(10, TimeUnit.SECONDS);
        assertThat(passing(alice, "chat/a", 10)).as("a quiet client has its burst again").isEqualTo(5);
    }

    @Test
    void eachSessionHasItsOwnBucket() {
        limiter = activated(Map.of("client.rate", "2"));
        FakeSession alice = FakeSession.of("alice");
        FakeSession bob = FakeSession.of("bob");

        assertThat(passing(alice, "t", 5)).isEqualTo(2);
        assertThat(passing(bob, "t", 5)).isEqualTo(2);
    }

    @Test
    void theDefaultBurstIsOneSecondsWorth() {
        limiter = activated(Map.of("client.rate", "600/m"));

        assertThat(passing(FakeSession.of("alice"), "t", 20)).isEqualTo(10);
    }

    @Test
    void rateZeroLimitsNoClient() {
        limiter = activated(Map.of("client.rate", "0"));

        assertThat(passing(FakeSession.of("alice"), "t", 1000)).isEqualTo(1000);
        assertThat(limiter.module().buckets()).isEmpty();
    }

    @Test
    void exemptUsersAreNeverLimited() {
        limiter = activated(Map.of("client.rate", "1", "topic.rules", "t:1", "exempt.users", "ops, module:io.switchboard.module.chatbot"));

        assertThat(passing(FakeSession.of("ops"), "t", 100)).isEqualTo(100);
        assertThat(passing(FakeSession.of("module:io.switchboard.module.chatbot"), "t", 100)).isEqualTo(100);
        assertThat(passing(FakeSession.of("alice"), "t", 100)).isEqualTo(1);
    }

    @Test
    void aFreedSessionsBucketGoes() {
        limiter = activated(Map.of("client.rate", "1"));
        FakeSession alice = FakeSession.of("alice");
        passing(alice, "t", 3);
        assertThat(alice.stateCount()).isEqualTo(1);
        assertThat(limiter.module().buckets()).hasSize(1);

        limiter.probe().sessionFree(alice);

        assertThat(alice.stateCount()).isZero();
        assertThat(limiter.module().buckets()).isEmpty();
    }

    // ---- per topic ----

    @Test
    void aTopicRuleIsSharedByEveryoneOnItsTopics() {
        limiter = activated(Map.of("client.rate", "0", "topic.rules", "sensors/#:3/s:3, chat/+:1000"));
        FakeSession a = FakeSession.of("a");
        FakeSession b = FakeSession.of("b");

        assertThat(passing(a, "sensors/1/temp", 2)).isEqualTo(2);
        assertThat(passing(b, "sensors/2/temp", 2)).isEqualTo(1);
        Verdict refused = publish(b, "sensors/3");
        assertThat(refused.reasonCode()).isEqualTo(ReasonCode.QUOTA_EXCEEDED);
        assertThat(refused.reason()).isEqualTo("rate limit: more than 3/s on sensors/#");
        assertThat(passing(b, "other/topic", 10)).as("other topics are not limited").isEqualTo(10);
    }

    @Test
    void aMessageCountsAgainstTheFirstMatchingRuleOnly() {
        limiter = activated(Map.of("client.rate", "0", "topic.rules", "sensors/critical/#:100, sensors/#:1"));
        FakeSession a = FakeSession.of("a");

        assertThat(passing(a, "sensors/critical/fire", 50)).isEqualTo(50);
        assertThat(passing(a, "sensors/temp", 5)).isEqualTo(1);
    }

    @Test
    void aClientsTokenIsGivenBackWhenTheTopicRefuses() {
        limiter = activated(Map.of("client.rate", "2", "client.burst", "2", "topic.rules", "busy:1"));
        FakeSession alice = FakeSession.of("alice");

        assertThat(passing(alice, "busy", 1)).isEqualTo(1);
        assertThat(publish(alice, "busy").reason()).contains("on busy");
        assertThat(passing(alice, "quiet", 5)).as("the refused message cost alice nothing").isEqualTo(1);
    }

    // ---- configuration ----

    @Test
    void aLiveChangeAppliesToExistingBucketsAndKeepsTopicBuckets() {
        limiter = activated(Map.of("client.rate", "1", "topic.rules", "t:2:2"));
        FakeSession alice = FakeSession.of("alice");
        FakeSession bob = FakeSession.of("bob");
        assertThat(passing(alice, "x", 5)).isEqualTo(1);
        assertThat(passing(bob, "t", 5)).isEqualTo(1); // bob's own bucket is the limit here
        limiter.modify(Map.of("client.rate", "1000", "client.burst", "1000", "topic.rules", "t:5:5"));

        assertThat(passing(alice, "x", 5)).as("alice's bucket, now larger").isEqualTo(5);
        assertThat(passing(bob, "t", 10)).as("the topic bucket kept its one used token").isEqualTo(4);
        assertThat(limiter.host().lastProblem()).isNull();
    }

    @Test
    void aBadLiveChangeIsReportedAndTheLastGoodSettingsStay() {
        limiter = activated(Map.of("client.rate", "1"));
        RateLimitSettings good = limiter.module().settings();

        limiter.modify(Map.of("client.rate", "lots"));

        assertThat(limiter.host().lastProblem()).isEqualTo("ratelimit: configuration rejected, keeping the last good one: "
                + "client.rate: 'lots' is not a rate like 100/s, 600/m or 10/h");
        assertThat(limiter.module().settings()).isSameAs(good);
    }

    @Test
    void aChangeWithAnIntegerThatCannotBeReadIsRejectedWholeNamingTheModuleAttributeValueAndExpectation() {
        limiter = activated(Map.of("client.rate", "1", "service.ranking", "2000"));
        RateLimitSettings good = limiter.module().settings();

        // the client rate comes first: nothing of this configuration may be applied when a later attribute is bad
        limiter.modify(Map.of("client.rate", "1000", "client.burst", "abc", "service.ranking", "5"));

        assertThat(limiter.host().lastProblem()).isEqualTo("ratelimit: configuration rejected, keeping the last good one: "
                + "client.burst: 'abc' is not an integer from 0 to 1000000");
        assertThat(limiter.module().settings()).isSameAs(good);
        assertThat(passing(FakeSession.of("alice"), "x", 3)).as("still one message a second").isEqualTo(1);
    }

    @Test
    void aChangeWithARankingThatIsNotAnIntegerIsRejected() {
        limiter = activated(Map.of("service.ranking", "2000"));
        RateLimitSettings good = limiter.module().settings();

        limiter.modify(Map.of("service.ranking", "first"));

        assertThat(limiter.host().lastProblem()).isEqualTo("ratelimit: configuration rejected, keeping the last good one: "
                + "service.ranking: 'first' is not an integer");
        assertThat(limiter.module().settings()).isSameAs(good);
    }

    @Test
    void activationRefusesABadConfiguration() {
        ModuleInstance<RateLimitModule, RateLimitConfig> fresh = newLimiter();
        limiter = fresh;

        assertThatIllegalArgumentException().isThrownBy(() -> fresh.activate(Map.of("topic.rules", "sensors/#")))
                .withMessage("ratelimit: invalid configuration: topic.rules: 'sensors/#' is not "
                        + "<topic filter>:<rate>[:<burst>] (e.g. sensors/#:100/s)");
    }

    @Test
    void readsItsNameAndRanking() {
        limiter = activated(Map.of("service.ranking", "2000"));

        assertThat(limiter.module().settings().ranking()).isEqualTo(2000);
        assertThat(limiter.module().name()).isEqualTo("ratelimit");
        assertThat(activated(Map.of()).module().settings().ranking()).as("high by default").isEqualTo(1000);
    }

    @Test
    void handlesMessagesAndFreedSessionsOnly() {
        limiter = activated(Map.of());

        assertThat(limiter.probe().handledEvents()).containsExactlyInAnyOrder(ChainEvent.MESSAGE, ChainEvent.SESSION_FREE);
    }

    @Test
    void aPassingMessageAllocatesNothing() {
        java.lang.management.ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        assumeThat(threads).isInstanceOf(com.sun.management.ThreadMXBean.class);
        com.sun.management.ThreadMXBean memory = (com.sun.management.ThreadMXBean) threads;
        limiter = activated(Map.of("client.rate", "1000000/s", "client.burst", "1000000",
                "topic.rules", "a/#:1000000/s:1000000, sensors/+/temp:1000000/s:1000000"));
        FakeSession alice = FakeSession.of("alice");
        Message message = TestMessages.text("alice", "sensors/1/temp", "21.5");
        for (int i = 0; i < 20_000; i++) {
            limiter.module().onMessage(message, alice);
        }

        long before = memory.getCurrentThreadAllocatedBytes();
        boolean allPassed = true;
        for (int i = 0; i < 10_000; i++) {
            allPassed &= limiter.module().onMessage(message, alice) == Verdict.pass();
        }
        long allocated = memory.getCurrentThreadAllocatedBytes() - before;

        assertThat(allPassed).isTrue();
        assertThat(allocated).as("bytes allocated by 10,000 passing messages").isLessThan(1024);
    }

    // ---- the command ----

    @Test
    void theCommandListsTheEmptiestBucketsFirst() {
        limiter = activated(Map.of("client.rate", "10", "topic.rules", "sensors/#:100/s"));
        FakeSession busy = FakeSession.builder().user("alice").clientId("alice-phone").build();
        passing(busy, "chat", 15);
        passing(FakeSession.of("bob"), "sensors/1", 1);
        RateLimitCommands commands = new RateLimitCommands();
        commands.module = limiter.module();

        String emptiest = commands.buckets(20, false);
        String fullest = commands.buckets(1, true);

        assertThat(emptiest.lines()).containsExactly(
                "clients: 10/s burst 10; topic rules: 1",
                "KIND    CLIENT/TOPIC         LIMIT                TOKENS      PASSED     REFUSED",
                "client  alice-phone (alice)  10/s burst 10           0.0          10           5",
                "client  bob                  10/s burst 10           9.0           1           0",
                "topic   sensors/#            100/s burst 100        99.0           1           0",
                "3 of 3 bucket(s), emptiest first");
        assertThat(fullest.lines()).containsExactly(
                "clients: 10/s burst 10; topic rules: 1",
                "KIND    CLIENT/TOPIC  LIMIT                TOKENS      PASSED     REFUSED",
                "topic   sensors/#     100/s burst 100        99.0           1           0",
                "1 of 3 bucket(s), fullest first");
    }

    @Test
    void theCommandSaysWhenTheModuleIsNotConfigured() {
        assertThatIllegalStateException().isThrownBy(() -> new RateLimitCommands().buckets(20, false))
                .withMessageContaining("configadmin/io.switchboard.module.ratelimit.cfg");
        limiter = activated(Map.of());
        RateLimitCommands commands = new RateLimitCommands();
        commands.module = limiter.module();
        assertThat(commands.buckets(20, false)).contains("no buckets yet");
        assertThatIllegalArgumentException().isThrownBy(() -> commands.buckets(0, false));
    }
}
