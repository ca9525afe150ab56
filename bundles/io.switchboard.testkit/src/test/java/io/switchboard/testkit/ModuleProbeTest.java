package io.switchboard.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.switchboard.api.Admission;
import io.switchboard.api.Call;
import io.switchboard.api.HostServices;
import io.switchboard.api.HttpRequest;
import io.switchboard.api.Login;
import io.switchboard.api.Message;
import io.switchboard.api.MessageModule;
import io.switchboard.api.MessageStatus;
import io.switchboard.api.ReasonCode;
import io.switchboard.api.Session;
import io.switchboard.api.Subscription;
import io.switchboard.api.Verdict;
import io.switchboard.api.Worker;
import io.switchboard.api.admin.ChainEvent;

class ModuleProbeTest {

    private final FakeHost host = new FakeHost();

    @AfterEach
    void close() {
        host.close();
    }

    /** Decides by the payload's first word; asks HTTP for "ask ..." payloads. */
    static final class Decider implements MessageModule {
        final HostServices host;
        final List<String> seen = new ArrayList<>();
        Worker workerSeen;

        Decider(HostServices host) {
            this.host = host;
        }

        @Override
        public Verdict onMessage(Message message, Session sender) {
            workerSeen = host.currentWorker();
            seen.add(sender.user() + ": " + message.payloadText());
            String text = message.payloadText();
            if (text.startsWith("drop")) {
                return Verdict.consume(ReasonCode.QUOTA_EXCEEDED, "too many");
            }
            if (text.startsWith("shout")) {
                return Verdict.replace(message.toBuilder().payload(text.toUpperCase()).build());
            }
            if (text.startsWith("boom")) {
                throw new IllegalStateException("boom");
            }
            if (text.startsWith("never")) {
                return Verdict.later(new CompletableFuture<>());
            }
            if (text.startsWith("twice")) {
                return Verdict.later(CompletableFuture.completedFuture(Verdict.later(new CompletableFuture<>())));
            }
            if (text.startsWith("ask")) {
                return Verdict.later(host.http(HttpRequest.get("http://bot.example/" + text.substring(4)).build())
                        .thenApply(r -> r.status() == 200
                                ? Verdict.replace(message.toBuilder().payload(r.bodyText()).build())
                                : Verdict.consume()));
            }
            return Verdict.pass();
        }

        @Override
        public Verdict onDelivery(Message message, Session recipient) {
            return recipient.user().equals("mallory") ? Verdict.consume() : Verdict.pass();
        }

        @Override
        public Admission onLogin(Login login) {
            if ("secret".equals(new String(login.password()))) {
                return Admission.accept();
            }
            return Admission.later(CompletableFuture.supplyAsync(
                    () -> Admission.refuse(ReasonCode.BAD_USER_NAME_OR_PASSWORD, "wrong password for " + login.userName())));
        }

        @Override
        public Admission onSubscribe(Session session, Subscription subscription) {
            return subscription.topicFilter().startsWith("$SYS") ? Admission.refuse(ReasonCode.NOT_AUTHORIZED, "no") : Admission.accept();
        }

        @Override
        public Verdict onCall(Call call) {
            return host.isOnline(call.callee()) ? Verdict.pass() : Verdict.consume(ReasonCode.UNSPECIFIED_ERROR, "offline");
        }

        @Override
        public void onSessionOpen(Session session) {
            session.setState(this, new int[1]);
        }

        @Override
        public void onSessionFree(Session session) {
            session.setState(this, null);
        }

        @Override
        public void onWorkerStart(Worker worker) {
            worker.setState(this, new StringBuilder(host.currentWorker().name()));
        }

        @Override
        public void onStatus(MessageStatus status) {
            seen.add(status.state() + " " + status.messageId());
        }
    }

    private final Decider module = new Decider(host);
    private final ModuleProbe probe = ModuleProbe.of(module).with(host);
    private final FakeSession alice = FakeSession.of("alice");

    @Test
    void immediateVerdicts() {
        Message hello = TestMessages.text("alice", "chat/room", "hello");

        probe.message(hello).from(alice).assertPassed();
        assertThat(probe.message(hello).from(alice).messageAfter()).isSameAs(hello);
        Verdict consumed = probe.message(TestMessages.text("chat/room", "drop it")).from(alice)
                .assertConsumed(ReasonCode.QUOTA_EXCEEDED);
        assertThat(consumed.reason()).isEqualTo("too many");
        Message shouted = probe.message(TestMessages.text("chat/room", "shout hi")).from(alice).assertReplacedWithPayload("SHOUT HI");
        assertThat(shouted.topic()).isEqualTo("chat/room");
        assertThat(module.seen).containsExactly("alice: hello", "alice: hello", "alice: drop it", "alice: shout hi");
    }

    @Test
    void wrongExpectationsFailWithWhatWasDecided() {
        Message drop = TestMessages.text("chat/room", "drop");

        assertThatThrownBy(() -> probe.message(drop).from(alice).assertPassed()).isInstanceOf(AssertionError.class)
                .hasMessageContaining("to pass, but it decided consume(QUOTA_EXCEEDED: too many)");
        assertThatThrownBy(() -> probe.message(drop).from(alice).assertConsumed(ReasonCode.NOT_AUTHORIZED))
                .hasMessageContaining("to consume(NOT_AUTHORIZED)");
        assertThatThrownBy(() -> probe.message(TestMessages.text("t", "shout x")).from(alice).assertReplacedWithPayload("nope"))
                .hasMessageContaining("'nope'").hasMessageContaining("'SHOUT X'");
        assertThatThrownBy(() -> probe.message(drop).from(alice).assertReplaced()).hasMessageContaining("to replace");
    }

    @Test
    void replacedWithAnEqualMessage() {
        Message original = TestMessages.text("t", "shout a");

        probe.message(original).from(alice).assertReplacedWith(original.toBuilder().payload("SHOUT A").build());
        probe.message(original).from(alice).assertReplaced(m -> assertThat(m.payloadUtf8()).isTrue());
    }

    @Test
    void aLaterVerdictIsAwaitedAndCanBeAnsweredByTheTest() {
        VerdictResult result = probe.message(TestMessages.text("t", "ask weather")).from(alice);

        result.assertPending();
        assertThat(result.isAsync()).isTrue();
        HttpExchange exchange = host.awaitExchange(Duration.ofSeconds(5));
        assertThat(exchange.request().uri().getPath()).isEqualTo("/weather");
        exchange.respond(200, "sunny");

        assertThat(result.assertReplaced().payloadText()).isEqualTo("sunny");
        assertThat(result.awaitVerdict(Duration.ofSeconds(1)).kind()).isEqualTo(Verdict.Kind.REPLACE);
        assertThat(result.isPending()).isFalse();
    }

    @Test
    void aLaterVerdictFromAScriptedHttpAnswer() {
        host.onHttp("http://bot.example/", HttpScript.status(503));

        probe.message(TestMessages.text("t", "ask x")).from(alice).assertConsumed();
    }

    @Test
    void aLaterVerdictThatNeverComesTimesOut() {
        VerdictResult result = ModuleProbe.of(module).timeout(Duration.ofMillis(100))
                .message(TestMessages.text("t", "never")).from(alice);

        result.assertStillPendingAfter(Duration.ofMillis(50));
        assertThatThrownBy(result::assertPassed).isInstanceOf(AssertionError.class)
                .hasMessageContaining("did not complete within 100 ms");
    }

    @Test
    void aLaterVerdictMustNotBeAnotherLaterOne() {
        assertThatThrownBy(() -> probe.message(TestMessages.text("t", "twice")).from(alice).awaitVerdict())
                .hasMessageContaining("completed with another later decision");
    }

    @Test
    void aThrowingCallbackIsAFailureTheBrokerAppliesThePolicyTo() {
        VerdictResult result = probe.message(TestMessages.text("t", "boom")).from(alice);

        assertThat(result.assertFailed()).isInstanceOf(IllegalStateException.class).hasMessage("boom");
        assertThatThrownBy(result::assertPassed).hasMessageContaining("threw java.lang.IllegalStateException: boom");
    }

    @Test
    void aFailedLaterStageIsAFailureToo() {
        host.onAnyHttp(HttpScript.failure(new java.net.ConnectException("refused")));

        assertThat(probe.message(TestMessages.text("t", "ask x")).from(alice).assertFailed())
                .hasMessageContaining("refused");
        assertThatThrownBy(() -> probe.message(TestMessages.text("t", "hello")).from(alice).assertFailed())
                .hasMessageContaining("to fail, but it decided pass");
    }

    @Test
    void deliveryAndPublishShortcut() {
        Message m = TestMessages.text("alice", "t", "x");

        probe.message(m).to(FakeSession.of("bob")).assertPassed();
        probe.message(m).to(FakeSession.of("mallory")).assertConsumed();
        probe.publish(m).assertPassed();
        assertThat(module.seen).containsExactly("alice: x");
    }

    @Test
    void admissions() {
        probe.login(FakeLogin.of("alice", "secret")).assertAccepted();
        AdmissionResult wrong = probe.login(FakeLogin.of("alice", "guess"));
        assertThat(wrong.isAsync()).isTrue();
        Admission refused = wrong.assertRefused(ReasonCode.BAD_USER_NAME_OR_PASSWORD);
        assertThat(refused.reason()).isEqualTo("wrong password for alice");

        probe.subscribe(alice, "chat/#").assertAccepted();
        probe.subscribe(alice, Subscription.of("$SYS/#", 0)).assertRefused(ReasonCode.NOT_AUTHORIZED);
        probe.connect(FakeConnection.tcp()).assertAccepted();
        assertThatThrownBy(() -> probe.connect(FakeConnection.tcp()).assertRefused()).hasMessageContaining("to refuse");
    }

    @Test
    void calls() {
        host.online("bob");

        probe.call(FakeCall.setup("alice", "bob", "c1")).assertPassed();
        probe.call(FakeCall.setup("alice", "carol", "c2")).assertConsumed(ReasonCode.UNSPECIFIED_ERROR);
    }

    @Test
    void sessionAndWorkerStateAndTheCurrentWorker() {
        FakeWorker worker = new FakeWorker(2);

        probe.sessionOpen(alice);
        assertThat(alice.state(module, int[].class)).isNotNull();
        assertThat(alice.state(module, String.class)).as("another type").isNull();
        probe.sessionFree(alice);
        assertThat(alice.stateCount()).isZero();

        probe.workerStart(worker);
        assertThat(worker.state(module, StringBuilder.class)).hasToString("switchboard-worker-2");

        probe.on(worker).message(TestMessages.text("t", "hi")).from(alice).assertPassed();
        assertThat(module.workerSeen).isSameAs(worker);
        assertThat(host.currentWorker()).as("outside the call").isNull();
    }

    @Test
    void observationsRethrow() {
        MessageModule broken = new MessageModule() {
            @Override
            public void onStatus(MessageStatus status) {
                throw new IllegalStateException("bad status handling");
            }
        };
        Message m = TestMessages.text("t", "x");

        assertThatThrownBy(() -> ModuleProbe.of(broken).status(FakeStatus.of(MessageStatus.State.SENT, m)))
                .hasMessage("bad status handling");
        probe.status(FakeStatus.of(MessageStatus.State.DELIVERED, m));
        assertThat(module.seen).containsExactly("DELIVERED " + m.id());
    }

    @Test
    void handledEventsAreTheOverriddenCallbacks() {
        assertThat(probe.handledEvents()).containsExactlyInAnyOrder(ChainEvent.MESSAGE, ChainEvent.DELIVERY,
                ChainEvent.LOGIN, ChainEvent.SUBSCRIBE, ChainEvent.CALL, ChainEvent.SESSION_OPEN,
                ChainEvent.SESSION_FREE, ChainEvent.WORKER_START, ChainEvent.STATUS);
        assertThat(ModuleProbe.of(new MessageModule() {
        }).handledEvents()).isEmpty();
    }
}
