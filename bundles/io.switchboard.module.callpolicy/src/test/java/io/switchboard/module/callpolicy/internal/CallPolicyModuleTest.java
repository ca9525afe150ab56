package io.switchboard.module.callpolicy.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.switchboard.api.Call.State;
import io.switchboard.api.ReasonCode;
import io.switchboard.api.Verdict;
import io.switchboard.api.admin.ChainEvent;
import io.switchboard.module.callpolicy.internal.CallLog.CallView;
import io.switchboard.testkit.FakeCall;
import io.switchboard.testkit.FakeHost;
import io.switchboard.testkit.ModuleInstance;

class CallPolicyModuleTest {

    private static final Map<String, Object> CONFIG = Map.of(
            "dnd", "bob:22:00-07:00, carol:00:00-08:00@America/New_York",
            "time.zone", "UTC");

    private final TestClock clock = new TestClock(Instant.parse("2026-11-25T12:00:00Z"));
    private ModuleInstance<CallPolicyModule, CallPolicyConfig> policy;

    @AfterEach
    void close() {
        if (policy != null) {
            policy.host().close();
        }
    }

    /** A call policy on the test's clock, not yet activated. */
    private ModuleInstance<CallPolicyModule, CallPolicyConfig> newPolicy() {
        FakeHost host = new FakeHost("io.switchboard.module.callpolicy");
        CallPolicyModule module = new CallPolicyModule();
        module.host = host;
        module.clock = clock;
        return ModuleInstance.builder(module, CallPolicyConfig.class).pid(CallPolicyModule.PID).host(host)
                .onActivate((m, call) -> m.activate(call.properties(), call.config()))
                .onModified((m, call) -> m.modified(call.properties(), call.config()))
                .build();
    }

    private ModuleInstance<CallPolicyModule, CallPolicyConfig> activated(Map<String, ?> configuration) {
        return newPolicy().activate(configuration);
    }

    /** Sets the clock to {@code time} (ISO, e.g. 2026-11-25T23:30:00Z). */
    private void at(String time) {
        clock.set(Instant.parse(time));
    }

    // ---- do not disturb ----

    @Test
    void refusesCallsInTheCalleesDoNotDisturbHours() {
        policy = activated(CONFIG);
        at("2026-11-25T23:30:00Z");

        Verdict refused = policy.probe().call(FakeCall.setup("alice", "bob", "c1")).assertConsumed(ReasonCode.NOT_AUTHORIZED);

        assertThat(refused.reason()).isEqualTo("bob does not take calls now (do not disturb until 07:00)");
        policy.probe().call(FakeCall.setup("alice", "dave", "c2")).assertPassed();
    }

    @Test
    void theHoursAreHalfOpenAndMayCrossMidnight() {
        policy = activated(CONFIG);

        at("2026-11-25T21:59:59Z");
        policy.probe().call(FakeCall.setup("alice", "bob", "1")).assertPassed();
        at("2026-11-25T22:00:00Z");
        policy.probe().call(FakeCall.setup("alice", "bob", "2")).assertConsumed();
        at("2026-11-26T03:00:00Z");
        policy.probe().call(FakeCall.setup("alice", "bob", "3")).assertConsumed();
        at("2026-11-26T06:59:00Z");
        policy.probe().call(FakeCall.setup("alice", "bob", "4")).assertConsumed();
        at("2026-11-26T07:00:00Z");
        policy.probe().call(FakeCall.setup("alice", "bob", "5")).assertPassed();
    }

    @Test
    void anEntryMayHaveItsOwnTimeZone() {
        policy = activated(CONFIG); // carol: 00:00-08:00 in New York (UTC-5 in November)

        at("2026-11-25T04:30:00Z"); // 23:30 in New York
        policy.probe().call(FakeCall.setup("alice", "carol", "1")).assertPassed();
        at("2026-11-25T06:00:00Z"); // 01:00 in New York
        policy.probe().call(FakeCall.setup("alice", "carol", "2")).assertConsumed(ReasonCode.NOT_AUTHORIZED);
        at("2026-11-25T13:00:00Z"); // 08:00 in New York
        policy.probe().call(FakeCall.setup("alice", "carol", "3")).assertPassed();
    }

    @Test
    void theReasonIsConfigurable() {
        policy = activated(Map.of("dnd", "bob:00:00-24:00", "time.zone", "UTC", "dnd.reason", "{callee} sleeps till {until}"));

        assertThat(policy.probe().call(FakeCall.setup("alice", "bob", "1")).assertConsumed().reason())
                .isEqualTo("bob sleeps till 24:00");
    }

    // ---- recording ----

    @Test
    void recordsCallsWithTheirDurationFromAnswerToEnd() {
        policy = activated(CONFIG);

        policy.probe().call(FakeCall.setup("alice", "dave", "c1")).assertPassed();
        clock.advance(Duration.ofSeconds(3));
        policy.probe().callStatus(FakeCall.signal(State.RINGING, "dave", "dave", "c1"));
        clock.advance(Duration.ofSeconds(2));
        policy.probe().callStatus(FakeCall.signal(State.ANSWERED, "dave", "dave", "c1"));
        clock.advance(Duration.ofSeconds(125));
        policy.probe().callStatus(FakeCall.signal(State.ENDED, "alice", "dave", "c1"));

        CallView call = policy.module().calls().recent(10).get(0);
        assertThat(call.caller()).isEqualTo("alice");
        assertThat(call.callee()).isEqualTo("dave");
        assertThat(call.state()).isEqualTo("ENDED");
        assertThat(call.duration(clock.instant())).isEqualTo(Duration.ofSeconds(125));
        assertThat(call.ongoing()).isFalse();
    }

    @Test
    void unansweredCallsHaveNoDuration() {
        policy = activated(CONFIG);
        policy.probe().call(FakeCall.setup("alice", "dave", "c1")).assertPassed();
        policy.probe().callStatus(FakeCall.signal(State.MISSED, "dave", "dave", "c1"));
        policy.probe().call(FakeCall.setup("alice", "erin", "c2")).assertPassed();
        policy.probe().callStatus(FakeCall.signal(State.BUSY, "erin", "erin", "c2"));

        assertThat(policy.module().calls().recent(10)).extracting(CallView::state, c -> c.duration(clock.instant()))
                .containsExactly(org.assertj.core.groups.Tuple.tuple("BUSY", null), org.assertj.core.groups.Tuple.tuple("MISSED", null));
    }

    @Test
    void callsAreTellApartByCalleeAndId() {
        policy = activated(CONFIG);
        policy.probe().call(FakeCall.setup("alice", "dave", "1")).assertPassed();
        policy.probe().call(FakeCall.setup("frank", "erin", "1")).assertPassed();
        policy.probe().callStatus(FakeCall.signal(State.ANSWERED, "erin", "erin", "1"));

        assertThat(policy.module().calls().recent(10)).extracting(c -> c.callee() + ":" + c.state())
                .containsExactly("erin:ANSWERED", "dave:SETUP");
    }

    @Test
    void aCallWhoseSetUpWasNotSeenIsRecordedFromItsSignals() {
        policy = activated(CONFIG);
        policy.probe().callStatus(FakeCall.signal(State.ANSWERED, "dave", "dave", "c9"));
        clock.advance(Duration.ofSeconds(10));

        CallView ongoing = policy.module().calls().recent(1).get(0);
        assertThat(ongoing.caller()).isNull();
        assertThat(ongoing.ongoing()).isTrue();
        assertThat(ongoing.duration(clock.instant())).isEqualTo(Duration.ofSeconds(10));

        policy.probe().callStatus(FakeCall.signal(State.ENDED, "alice", "dave", "c9"));
        assertThat(policy.module().calls().recent(1).get(0).caller()).as("the hang-up not from the callee").isEqualTo("alice");
    }

    @Test
    void refusedCallsAreRecordedToo() {
        policy = activated(CONFIG);
        at("2026-11-25T23:00:00Z");
        policy.probe().call(FakeCall.setup("alice", "bob", "late")).assertConsumed();

        CallView refused = policy.module().calls().recent(1).get(0);
        assertThat(refused.state()).isEqualTo(CallLog.REFUSED);
        assertThat(refused.reason()).contains("do not disturb");
        assertThat(refused.duration(clock.instant())).isNull();
    }

    @Test
    void remembersAtMostHistorySizeCalls() {
        policy = activated(Map.of("history.size", "3"));
        for (int i = 1; i <= 5; i++) {
            policy.probe().call(FakeCall.setup("alice", "dave", "c" + i)).assertPassed();
        }

        assertThat(policy.module().calls().recent(10)).extracting(CallView::callId).containsExactly("c5", "c4", "c3");

        policy.modify(Map.of("history.size", "2"));
        assertThat(policy.module().calls().recent(10)).extracting(CallView::callId).containsExactly("c5", "c4");
    }

    // ---- configuration ----

    @Test
    void aLiveChangeAppliesAndABadOneIsReported() {
        policy = activated(CONFIG);
        at("2026-11-25T12:00:00Z");
        policy.modify(Map.of("dnd", "dave:11:00-13:00", "time.zone", "UTC"));

        policy.probe().call(FakeCall.setup("alice", "dave", "1")).assertConsumed();
        assertThat(policy.host().lastProblem()).isNull();

        policy.modify(Map.of("dnd", "dave:13:00-11:00:00"));
        assertThat(policy.host().lastProblem()).isEqualTo("callpolicy: configuration rejected, keeping the last good one: "
                + "dnd: 'dave:13:00-11:00:00' is not <user>:<HH:MM>-<HH:MM>[@<time zone>] (e.g. bob:22:00-07:00)");
        policy.probe().call(FakeCall.setup("alice", "dave", "2")).assertConsumed();
    }

    @Test
    void aChangeWithAnIntegerThatCannotBeReadIsRejectedWholeNamingTheModuleAttributeValueAndExpectation() {
        policy = activated(Map.of("dnd", "dave:11:00-13:00", "time.zone", "UTC", "history.size", "5"));
        CallPolicySettings good = policy.module().settings();

        // dave's hours come first: nothing of this configuration may be applied when a later attribute is bad
        policy.modify(Map.of("dnd", "erin:11:00-13:00", "time.zone", "UTC", "history.size", "abc"));

        assertThat(policy.host().lastProblem()).isEqualTo("callpolicy: configuration rejected, keeping the last good one: "
                + "history.size: 'abc' is not an integer from 1 to 100000");
        assertThat(policy.module().settings()).isSameAs(good);
        policy.probe().call(FakeCall.setup("alice", "dave", "1")).assertConsumed();
        policy.probe().call(FakeCall.setup("alice", "erin", "2")).assertPassed();
    }

    @Test
    void activationRefusesABadConfiguration() {
        ModuleInstance<CallPolicyModule, CallPolicyConfig> fresh = newPolicy();
        policy = fresh;

        assertThatIllegalArgumentException().isThrownBy(() -> fresh.activate(Map.of("time.zone", "Mars/Olympus")))
                .withMessage("callpolicy: invalid configuration: time.zone: 'Mars/Olympus' is not a time zone "
                        + "(e.g. Europe/Berlin, UTC, +02:00)");
    }

    @Test
    void handlesOnlyCalls() {
        policy = activated(CONFIG);

        assertThat(policy.probe().handledEvents()).containsExactlyInAnyOrder(ChainEvent.CALL, ChainEvent.CALL_STATUS);
        assertThat(policy.module().name()).isEqualTo("callpolicy");
    }

    // ---- the commands ----

    @Test
    void callsListsTheRecentCallsNewestFirst() {
        policy = activated(CONFIG);
        policy.probe().call(FakeCall.setup("alice", "dave", "c1")).assertPassed();
        clock.advance(Duration.ofSeconds(5));
        policy.probe().callStatus(FakeCall.signal(State.ANSWERED, "dave", "dave", "c1"));
        clock.advance(Duration.ofMinutes(61).plusSeconds(2));
        policy.probe().callStatus(FakeCall.signal(State.ENDED, "dave", "dave", "c1"));
        policy.probe().call(FakeCall.setup("erin", "dave", "c2")).assertPassed();
        policy.probe().callStatus(FakeCall.signal(State.ANSWERED, "dave", "dave", "c2"));
        clock.advance(Duration.ofSeconds(42));
        at("2026-11-25T23:00:00Z");
        policy.probe().call(FakeCall.setup("alice", "bob", "c3")).assertConsumed();
        CallPolicyCommands commands = new CallPolicyCommands();
        commands.module = policy.module();

        List<String> lines = commands.calls(20).lines().toList();

        assertThat(lines).containsExactly(
                "SET UP (UTC)         CALLER  CALLEE  CALL ID  STATE                                                               DURATION",
                "2026-11-25 23:00:00  alice   bob     c3       REFUSED (bob does not take calls now (do not disturb until 07:00))  -",
                "2026-11-25 13:01:07  erin    dave    c2       ANSWERED                                                            9h 58m 53s (ongoing)",
                "2026-11-25 12:00:00  alice   dave    c1       ENDED                                                               1h 01m 02s",
                "3 of 3 remembered call(s), newest first");
        assertThat(commands.calls(1).lines()).hasSize(3);
    }

    @Test
    void dndListsTheHoursAndWhoIsInThemNow() {
        policy = activated(CONFIG);
        at("2026-11-25T23:00:00Z");
        CallPolicyCommands commands = new CallPolicyCommands();
        commands.module = policy.module();

        assertThat(commands.dnd().lines()).containsExactly(
                "USER   HOURS                         NOW",
                "bob    22:00-07:00 UTC               do not disturb until 07:00",
                "carol  00:00-08:00 America/New_York  takes calls");
    }

    @Test
    void theCommandsSayWhenTheModuleIsNotConfigured() {
        CallPolicyCommands commands = new CallPolicyCommands();

        assertThatIllegalStateException().isThrownBy(() -> commands.calls(20))
                .withMessageContaining("configadmin/io.switchboard.module.callpolicy.cfg");
        policy = activated(Map.of());
        commands.module = policy.module();
        assertThat(commands.calls(20)).isEqualTo("no calls yet");
        assertThat(commands.dnd()).startsWith("no do-not-disturb hours");
        assertThatIllegalArgumentException().isThrownBy(() -> commands.calls(0));
    }
}
