package io.switchboard.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.switchboard.api.Admission;
import io.switchboard.api.FailurePolicy;
import io.switchboard.api.HostServices;
import io.switchboard.api.Login;
import io.switchboard.api.Message;
import io.switchboard.api.MessageModule;
import io.switchboard.api.MessageStatus;
import io.switchboard.api.ModuleProperties;
import io.switchboard.api.ReasonCode;
import io.switchboard.api.Session;
import io.switchboard.api.Subscription;
import io.switchboard.api.Verdict;
import io.switchboard.api.Worker;
import io.switchboard.api.admin.ChainEvent;
import io.switchboard.api.admin.ModuleCounters;
import io.switchboard.api.admin.ModuleInfo;
import io.switchboard.api.admin.TraceStep;
import io.switchboard.api.broker.LoginRequest;
import io.switchboard.api.broker.PublishResult;
import io.switchboard.api.broker.RefusedException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.osgi.framework.Bundle;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceReference;

class BrokerCoreTest {

    private final CoreHarness harness = new CoreHarness(2);

    @AfterEach
    void stop() {
        harness.close();
    }

    /** Appends its name to the payload: the payload shows the order modules saw the message. */
    private static MessageModule appender(String name) {
        return new MessageModule() {
            @Override
            public Verdict onMessage(Message message, Session sender) {
                return Verdict.replace(message.toBuilder().payload(message.payloadText() + ">" + name).build());
            }
        };
    }

    @Test
    void chainRunsHighestRankingFirstAndReordersLive() throws Exception {
        harness.add("low", 10, appender("low"));
        ServiceReference<MessageModule> mid = harness.add("mid", 20, appender("mid"));
        harness.add("high", 30, appender("high"));
        CoreHarness.Client sub = harness.client("sub").subscribe("t/#", 1);
        CoreHarness.Client pub = harness.client("pub");

        pub.publish("t/1", "x");
        assertThat(sub.next().payloadText()).isEqualTo("x>high>mid>low");
        assertThat(harness.core.chain(ChainEvent.MESSAGE)).extracting(ModuleInfo::name).containsExactly("high", "mid", "low");

        FakeOsgi.setProperty(mid, Constants.SERVICE_RANKING, 40);
        harness.core.whiteboard().modified(mid);

        pub.publish("t/1", "x");
        assertThat(sub.next().payloadText()).isEqualTo("x>mid>high>low");
    }

    @Test
    void aRankingThatIsNotAnIntegerKeepsTheLastGoodOneAndTheChainOrder() throws Exception {
        harness.add("low", 10, appender("low"));
        ServiceReference<MessageModule> mid = harness.add("mid", 20, appender("mid"));
        harness.add("high", 30, appender("high"));
        CoreHarness.Client sub = harness.client("sub").subscribe("t/#", 1);
        CoreHarness.Client pub = harness.client("pub");

        FakeOsgi.setProperty(mid, Constants.SERVICE_RANKING, "40"); // a plain .cfg file gives a String
        harness.core.whiteboard().modified(mid);
        pub.publish("t/1", "x");
        assertThat(sub.next().payloadText()).isEqualTo("x>mid>high>low");

        FakeOsgi.setProperty(mid, Constants.SERVICE_RANKING, "abc");
        harness.core.whiteboard().modified(mid);
        pub.publish("t/1", "x");
        assertThat(sub.next().payloadText()).isEqualTo("x>mid>high>low");
        ModuleInfo info = harness.core.chain(ChainEvent.MESSAGE).get(0);
        assertThat(info.ranking()).isEqualTo(40);
        assertThat(info.reason()).contains("service.ranking: 'abc' is not an integer (keeping the last good ranking 40)");
    }

    @Test
    void badTopicFiltersOrEnabledFlagKeepTheLastGoodOnes() throws Exception {
        // a bad filter dropped would widen the module to every topic; a bad flag must not switch it off or on
        ServiceReference<MessageModule> scoped = harness.add("scoped", 10, appender("scoped"),
                ModuleProperties.TOPICS, "chat/#");
        CoreHarness.Client sub = harness.client("sub").subscribe("#", 1);
        CoreHarness.Client pub = harness.client("pub");

        FakeOsgi.setProperty(scoped, ModuleProperties.TOPICS, "news/#/bad");
        FakeOsgi.setProperty(scoped, ModuleProperties.ENABLED, "yes");
        harness.core.whiteboard().modified(scoped);
        pub.publish("other", "x");
        assertThat(sub.next().payloadText()).as("outside the last good filter").isEqualTo("x");
        pub.publish("chat/1", "x");
        assertThat(sub.next().payloadText()).as("inside it, still enabled").isEqualTo("x>scoped");
        ModuleInfo info = harness.core.chain(ChainEvent.MESSAGE).get(0);
        assertThat(info.topics()).containsExactly("chat/#");
        assertThat(info.reason()).contains("switchboard.module.topics:").contains("keeping the last good filters [chat/#]")
                .contains("switchboard.module.enabled: 'yes' is not true or false (keeping true)");
    }

    @Test
    void emptyChainsRouteMessages() throws Exception {
        assertThat(harness.core.chain(ChainEvent.MESSAGE)).isEmpty();
        CoreHarness.Client sub = harness.client("sub").subscribe("#", 0);

        harness.client("pub").publish("a", "x");

        assertThat(sub.next().payloadText()).isEqualTo("x");
    }

    @Test
    void equalRankingsRunInServiceIdOrder() throws Exception {
        harness.add("first", 5, appender("first"));
        harness.add("second", 5, appender("second"));
        CoreHarness.Client sub = harness.client("sub").subscribe("#", 0);

        harness.client("pub").publish("a", "x");

        assertThat(sub.next().payloadText()).isEqualTo("x>first>second");
    }

    @Test
    void moduleOnlyJoinsTheChainsOfTheCallbacksItOverrides() {
        harness.add("observer", 1, new MessageModule() {
            @Override
            public void onStatus(MessageStatus status) {
            }
        });

        assertThat(harness.core.chain(ChainEvent.MESSAGE)).isEmpty();
        assertThat(harness.core.chain(ChainEvent.STATUS)).extracting(ModuleInfo::name).containsExactly("observer");
    }

    @Test
    void consumedMessageReachesNoSubscriberAndCarriesTheReason() throws Exception {
        List<MessageStatus> statuses = new CopyOnWriteArrayList<>();
        harness.add("gate", 10, new MessageModule() {
            @Override
            public Verdict onMessage(Message message, Session sender) {
                return message.payloadText().contains("bad") ? Verdict.consume(ReasonCode.PAYLOAD_FORMAT_INVALID, "bad word")
                        : Verdict.pass();
            }
        });
        harness.add("audit", 0, new MessageModule() {
            @Override
            public void onStatus(MessageStatus status) {
                statuses.add(status);
            }
        });
        CoreHarness.Client sub = harness.client("sub").subscribe("chat", 1);
        CoreHarness.Client pub = harness.client("pub");

        PublishResult refused = pub.publish("chat", "a bad thing");
        PublishResult accepted = pub.publish("chat", "fine");

        assertThat(refused.routed()).isFalse();
        assertThat(refused.reasonCode()).isEqualTo(ReasonCode.PAYLOAD_FORMAT_INVALID);
        assertThat(refused.reason()).contains("gate").contains("bad word");
        assertThat(accepted.routed()).isTrue();
        assertThat(accepted.recipients()).isEqualTo(1);
        assertThat(sub.next().payloadText()).isEqualTo("fine");
        assertThat(sub.received).isEmpty();
        await().until(() -> statuses.size() >= 3);
        assertThat(statuses).extracting(MessageStatus::state).containsExactlyInAnyOrder(MessageStatus.State.FAILED,
                MessageStatus.State.SENT, MessageStatus.State.DELIVERED);
        assertThat(statuses).filteredOn(s -> s.state() == MessageStatus.State.DELIVERED).first()
                .extracting(MessageStatus::recipient).isEqualTo("sub");
    }

    @Test
    void asynchronousDecisionDelaysOnlyItsPublisherAndKeepsItsOrder() throws Exception {
        CompletableFuture<Verdict> gate = new CompletableFuture<>();
        harness.add("async", 10, new MessageModule() {
            @Override
            public Verdict onMessage(Message message, Session sender) {
                return message.topic().equals("slow/1") ? Verdict.later(gate) : Verdict.pass();
            }
        });
        CoreHarness.Client sub = harness.client("sub").subscribe("#", 1);
        CoreHarness.Client slow = harness.client("slow");
        CoreHarness.Client fast = harness.client("fast");

        CompletableFuture<PublishResult> first = slow.session.publish(Message.builder("slow/1").payload("1").build())
                .toCompletableFuture();
        CompletableFuture<PublishResult> second = slow.session.publish(Message.builder("slow/2").payload("2").build())
                .toCompletableFuture();
        fast.publish("fast/1", "f");

        assertThat(sub.next().topic()).isEqualTo("fast/1");
        assertThat(first).isNotDone();
        assertThat(second).isNotDone();

        gate.complete(Verdict.replace(Message.builder("slow/1").payload("1-changed").build()));

        assertThat(sub.next().payloadText()).isEqualTo("1-changed");
        assertThat(sub.next().topic()).isEqualTo("slow/2");
        assertThat(first.get(5, TimeUnit.SECONDS).routed()).isTrue();
    }

    @Test
    void throwingModulesFollowTheirPolicy() throws Exception {
        MessageModule thrower = new MessageModule() {
            @Override
            public Verdict onMessage(Message message, Session sender) {
                throw new IllegalStateException("boom");
            }
        };
        harness.add("open", 20, thrower, ModuleProperties.TOPICS, new String[] {"open/#"});
        harness.add("closed", 10, thrower, ModuleProperties.TOPICS, new String[] {"closed/#"},
                ModuleProperties.FAILURE_POLICY, FailurePolicy.FAIL_CLOSED.name());
        CoreHarness.Client sub = harness.client("sub").subscribe("#", 1);
        CoreHarness.Client pub = harness.client("pub");

        assertThat(pub.publish("open/1", "a").routed()).isTrue();
        PublishResult closed = pub.publish("closed/1", "b");

        assertThat(closed.routed()).isFalse();
        assertThat(closed.reason()).contains("closed").contains("boom");
        assertThat(sub.next().topic()).isEqualTo("open/1");
        // a failure counts once, as an error: not also as the pass or consume its policy decided
        assertThat(moduleNamed("open").counters()).extracting(ModuleCounters::calls, ModuleCounters::passes,
                ModuleCounters::consumes, ModuleCounters::errors).containsExactly(1L, 0L, 0L, 1L);
        assertThat(moduleNamed("closed").counters()).extracting(ModuleCounters::calls, ModuleCounters::passes,
                ModuleCounters::consumes, ModuleCounters::errors).containsExactly(1L, 0L, 0L, 1L);
    }

    @Test
    void hangingAsynchronousModuleIsCutOffAtItsBudget() throws Exception {
        MessageModule hanging = new MessageModule() {
            @Override
            public Verdict onMessage(Message message, Session sender) {
                return Verdict.later(new CompletableFuture<>());
            }
        };
        harness.add("hang-open", 20, hanging, ModuleProperties.TIMEOUT, 100L, ModuleProperties.TOPICS, "open/#");
        harness.add("hang-closed", 10, hanging, ModuleProperties.TIMEOUT, "100", ModuleProperties.TOPICS, "closed/#",
                ModuleProperties.FAILURE_POLICY, "fail-closed");
        CoreHarness.Client sub = harness.client("sub").subscribe("#", 1);
        CoreHarness.Client pub = harness.client("pub");

        assertThat(pub.publish("open/1", "a").routed()).isTrue();
        assertThat(pub.publish("closed/1", "b").routed()).isFalse();

        assertThat(sub.next().topic()).isEqualTo("open/1");
        assertThat(moduleNamed("hang-open").counters()).extracting(ModuleCounters::calls, ModuleCounters::passes,
                ModuleCounters::timeouts).containsExactly(1L, 0L, 1L);
        assertThat(moduleNamed("hang-closed").counters()).extracting(ModuleCounters::calls, ModuleCounters::consumes,
                ModuleCounters::timeouts).containsExactly(1L, 0L, 1L);
    }

    @Test
    void moduleWithTopicFiltersSeesOnlyMatchingMessages() throws Exception {
        List<String> seen = new CopyOnWriteArrayList<>();
        harness.add("sensors", 1, new MessageModule() {
            @Override
            public Verdict onMessage(Message message, Session sender) {
                seen.add(message.topic());
                return Verdict.pass();
            }
        }, ModuleProperties.TOPICS, new String[] {"sensors/#"});
        CoreHarness.Client pub = harness.client("pub");

        pub.publish("chat/room", "hi");
        pub.publish("sensors/t1", "21");

        assertThat(seen).containsExactly("sensors/t1");
    }

    @Test
    void sentMessagesSkipTheSenderAndLoopsAreBounded() throws Exception {
        Bundle botBundle = FakeOsgi.bundle("module.bot");
        HostServices host = harness.hostFor(botBundle);
        List<String> botSaw = new CopyOnWriteArrayList<>();
        AtomicInteger refusedSends = new AtomicInteger();
        AtomicInteger bangs = new AtomicInteger();
        harness.add(botBundle, "bot", 10, new MessageModule() {
            @Override
            public Verdict onMessage(Message message, Session sender) {
                botSaw.add(message.payloadText());
                if (message.topic().equals("ask")) {
                    host.send(Message.builder("answer").payload("pong").refId(message.id()).from("bot").build());
                    return Verdict.consume();
                }
                return Verdict.pass();
            }
        });
        // a module answering the SENT status of every answer with a new answer: loops without the hop bound
        Bundle echoBundle = FakeOsgi.bundle("module.echo");
        HostServices echoHost = harness.hostFor(echoBundle);
        harness.add(echoBundle, "echo", 5, new MessageModule() {
            @Override
            public void onStatus(MessageStatus status) {
                if (status.topic().equals("answer") && status.state() == MessageStatus.State.SENT) {
                    try {
                        echoHost.send(Message.builder("answer").payload("pong" + "!".repeat(bangs.incrementAndGet())).build());
                    } catch (IllegalStateException e) {
                        refusedSends.incrementAndGet();
                    }
                }
            }
        });
        CoreHarness.Client sub = harness.client("sub").subscribe("answer", 1);

        harness.client("asker").publish("ask", "ping");

        // "pong" is hop 1; the echoes are hops 2 to 8 (each from another module session, so in any
        // order relative to the others), the 9th is refused
        List<Message> answers = new java.util.ArrayList<>();
        for (int i = 0; i < 8; i++) {
            answers.add(sub.next());
        }
        await().until(() -> refusedSends.get() == 1);
        assertThat(answers).extracting(Message::payloadText).containsExactlyInAnyOrder("pong", "pong!", "pong!!",
                "pong!!!", "pong!!!!", "pong!!!!!", "pong!!!!!!", "pong!!!!!!!");
        assertThat(answers).filteredOn(m -> m.payloadText().equals("pong")).first().extracting(Message::from)
                .isEqualTo("bot");
        // every answer's SENT status makes one echo attempt and the refused one ended the chain: 8 attempts
        // mean 8 answers in all, each received above, so none can follow
        assertThat(bangs).hasValue(8);
        assertThat(sub.received).isEmpty();
        // the bot never sees its own "pong", but sees the echo module's messages
        assertThat(botSaw).startsWith("ping").doesNotContain("pong").contains("pong!");
    }

    @Test
    void loginCanBeRefusedAndSessionEventsAndWorkersReachModules() throws Exception {
        List<String> events = new CopyOnWriteArrayList<>();
        AtomicInteger workerStarts = new AtomicInteger();
        harness.add("auth", 10, new MessageModule() {
            @Override
            public Admission onLogin(Login login) {
                return "mallory".equals(login.clientId()) ? Admission.refuse(ReasonCode.NOT_AUTHORIZED, "banned")
                        : Admission.accept();
            }

            @Override
            public void onSessionOpen(Session session) {
                session.setState(this, "state-of-" + session.clientId());
                events.add("open " + session.clientId());
            }

            @Override
            public void onLogout(Session session, String reason) {
                events.add("logout " + session.state(this, String.class) + " " + reason);
            }

            @Override
            public void onSessionFree(Session session) {
                events.add("free " + session.clientId());
            }

            @Override
            public void onWorkerStart(Worker worker) {
                workerStarts.incrementAndGet();
            }
        });

        assertThatThrownBy(() -> harness.core.login(LoginRequest.internal("mallory", null), (m, d) -> {
        }).toCompletableFuture().get(5, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(RefusedException.class).hasMessage("banned")
                .extracting(e -> ((RefusedException) e).reasonCode()).isEqualTo(ReasonCode.NOT_AUTHORIZED);

        CoreHarness.Client alice = harness.client("alice");
        alice.session.close("bye");

        await().until(() -> events.size() == 3);
        assertThat(events).containsExactly("open alice", "logout state-of-alice bye", "free alice");
        await().until(() -> workerStarts.get() == 2);
    }

    @Test
    void subscriptionCanBeRefusedAndRetainedMessagesReachNewSubscribers() throws Exception {
        harness.add("acl", 1, new MessageModule() {
            @Override
            public Admission onSubscribe(Session session, Subscription subscription) {
                return subscription.topicFilter().startsWith("secret") ? Admission.refuse(ReasonCode.NOT_AUTHORIZED, "no")
                        : Admission.accept();
            }
        });
        CoreHarness.Client pub = harness.client("pub");
        pub.session.publish(Message.builder("status/door").payload("open").retain(true).build()).toCompletableFuture()
                .get(5, TimeUnit.SECONDS);

        CoreHarness.Client sub = harness.client("sub");
        Admission refused = sub.session.subscribe(Subscription.of("secret/#", 0)).toCompletableFuture().get(5, TimeUnit.SECONDS);
        sub.subscribe("status/+", 1);

        assertThat(refused.isRefused()).isTrue();
        assertThat(refused.reasonCode()).isEqualTo(ReasonCode.NOT_AUTHORIZED);
        Message retained = sub.next();
        assertThat(retained.payloadText()).isEqualTo("open");
        assertThat(retained.retain()).isTrue();

        pub.session.publish(Message.builder("status/door").retain(true).build()).toCompletableFuture().get(5, TimeUnit.SECONDS);
        sub.next(); // the clearing message itself is routed live
        CoreHarness.Client late = harness.client("late").subscribe("status/#", 1);
        pub.publish("status/other", "x");
        assertThat(late.next().topic()).isEqualTo("status/other");
    }

    @Test
    void unsubscribeRightAfterSubscribeTakesEffectAfterIt() throws Exception {
        // [MQTT-4.6.0] a session's requests take effect in order, even when a module decides the subscribe later
        CompletableFuture<Admission> decision = new CompletableFuture<>();
        harness.add("deciding-later", 1, new MessageModule() {
            @Override
            public Admission onSubscribe(Session session, Subscription subscription) {
                return Admission.later(decision);
            }
        });
        CoreHarness.Client sub = harness.client("sub");

        CompletableFuture<Admission> subscribed = sub.session.subscribe(Subscription.of("t/#", 1)).toCompletableFuture();
        CompletableFuture<Boolean> unsubscribed = sub.session.unsubscribe("t/#").toCompletableFuture();
        assertThat(unsubscribed).as("waits for the earlier subscribe").isNotDone();
        decision.complete(Admission.accept());

        assertThat(subscribed.get(5, TimeUnit.SECONDS).isRefused()).isFalse();
        assertThat(unsubscribed.get(5, TimeUnit.SECONDS)).as("the subscription existed when it was removed").isTrue();
        assertThat(harness.core.stats().subscriptions()).isZero();
        assertThat(sub.session.unsubscribe("t/#").toCompletableFuture().get(5, TimeUnit.SECONDS)).isFalse();
    }

    @Test
    void traceShowsEachModulesDecisionWithoutRouting() throws Exception {
        harness.add("upper", 20, new MessageModule() {
            @Override
            public Verdict onMessage(Message message, Session sender) {
                return Verdict.replace(message.toBuilder().payload(message.payloadText().toUpperCase()).build());
            }
        });
        harness.add("gate", 10, new MessageModule() {
            @Override
            public Verdict onMessage(Message message, Session sender) {
                return Verdict.consume(ReasonCode.QUOTA_EXCEEDED, "limit");
            }
        });
        CoreHarness.Client sub = harness.client("sub").subscribe("#", 0);

        List<TraceStep> steps = harness.core.trace(Message.builder("t").payload("hi").build());

        assertThat(steps).extracting(TraceStep::module).containsExactly("upper", "gate");
        assertThat(steps.get(0).decision()).isEqualTo("replace");
        assertThat(steps.get(0).payloadAfter()).isEqualTo("HI");
        assertThat(steps.get(1).decision()).startsWith("consume").contains("limit");
        assertThat(sub.received.poll(100, TimeUnit.MILLISECONDS)).isNull();
        assertThat(moduleNamed("upper").counters().calls()).isZero();
    }

    @Test
    void disabledModuleLeavesTheChainUntilEnabled() throws Exception {
        harness.add("tag", 1, appender("tag"));
        CoreHarness.Client sub = harness.client("sub").subscribe("#", 0);
        CoreHarness.Client pub = harness.client("pub");

        harness.core.setEnabled("tag", false);
        pub.publish("a", "x");
        harness.core.setEnabled("tag", true);
        pub.publish("a", "x");

        assertThat(sub.next().payloadText()).isEqualTo("x");
        assertThat(sub.next().payloadText()).isEqualTo("x>tag");
        assertThatThrownBy(() -> harness.core.setEnabled("nope", false)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("nope").hasMessageContaining("tag");
    }

    @Test
    void removedModuleStopsSeeingMessagesAndNothingIsLost() throws Exception {
        ServiceReference<MessageModule> ref = harness.add("tag", 1, appender("tag"));
        CoreHarness.Client sub = harness.client("sub").subscribe("#", 1);
        CoreHarness.Client pub = harness.client("pub");
        int n = 500;
        for (int i = 0; i < n; i++) {
            pub.session.publish(Message.builder("seq").payload(Integer.toString(i)).build());
            if (i == n / 2) {
                harness.remove(ref);
            }
        }
        for (int i = 0; i < n; i++) {
            String payload = sub.next().payloadText();
            assertThat(payload.replace(">tag", "")).isEqualTo(Integer.toString(i));
        }
        assertThat(harness.core.stats().published()).isEqualTo(n);
    }

    @Test
    void badModulePropertiesFallBackToDefaultsAndNameTheProperty() {
        harness.add("odd", 1, appender("odd"), ModuleProperties.TIMEOUT, "soon", ModuleProperties.FAILURE_POLICY, "maybe",
                ModuleProperties.TOPICS, new String[] {"a/#/b", "ok/+"});

        ModuleInfo info = moduleNamed("odd");

        assertThat(info.timeoutMillis()).isEqualTo(ModuleProperties.DEFAULT_TIMEOUT_MILLIS);
        assertThat(info.failurePolicy()).isEqualTo("FAIL_OPEN");
        assertThat(info.topics()).containsExactly("ok/+");
        assertThat(info.reason()).contains(ModuleProperties.TIMEOUT).contains(ModuleProperties.FAILURE_POLICY)
                .contains(ModuleProperties.TOPICS);
    }

    @Test
    void problemReportedByAModuleShowsUntilCleared() {
        Bundle bundle = FakeOsgi.bundle("module.picky");
        MessageModule picky = appender("picky");
        harness.add(bundle, "picky", 1, picky);
        HostServices host = harness.hostFor(bundle);

        host.reportProblem(picky, "picky: configuration rejected: words: must not be empty");
        assertThat(moduleNamed("picky").reason()).contains("words: must not be empty");
        assertThat(moduleNamed("picky").state()).isEqualTo("ACTIVE");

        host.reportProblem(picky, null);
        assertThat(moduleNamed("picky").reason()).isNull();
    }

    @Test
    void persistentSessionKeepsSubscriptionsAcrossADetachAndResumes() throws Exception {
        List<Message> firstReceiver = new CopyOnWriteArrayList<>();
        List<Message> secondReceiver = new CopyOnWriteArrayList<>();
        LoginRequest persistent = new LoginRequest(null, "device", null, null, "mqtt-5", false);
        var first = harness.core.login(persistent, (m, d) -> {
            firstReceiver.add(m);
            d.delivered();
        }).toCompletableFuture().get(5, TimeUnit.SECONDS);
        assertThat(first.sessionPresent()).isFalse();
        first.subscribe(Subscription.of("cmd/#", 1)).toCompletableFuture().get(5, TimeUnit.SECONDS);
        HostServices host = harness.hostFor(FakeOsgi.bundle("module.presence"));

        first.detach("connection lost");
        await().until(() -> !host.isOnline("device"));
        CoreHarness.Client pub = harness.client("pub");
        assertThat(pub.publish("cmd/1", "while away").recipients()).isEqualTo(1);
        await().until(() -> firstReceiver.size() == 1);
        assertThat(firstReceiver.get(0).recipientOnline()).isFalse();

        var second = harness.core.login(persistent, (m, d) -> {
            secondReceiver.add(m);
            d.delivered();
        }).toCompletableFuture().get(5, TimeUnit.SECONDS);
        assertThat(second.sessionPresent()).isTrue();
        assertThat(host.isOnline("device")).isTrue();
        pub.publish("cmd/2", "back");
        await().until(() -> secondReceiver.size() == 1);
        assertThat(secondReceiver.get(0).payloadText()).isEqualTo("back");

        first.detach("the old connection's late close"); // stale handle: must not detach the new login
        pub.publish("cmd/2b", "still here");
        await().until(() -> secondReceiver.size() == 2);
        assertThat(host.isOnline("device")).isTrue();

        var clean = harness.core.login(LoginRequest.internal("device", null), (m, d) -> d.delivered())
                .toCompletableFuture().get(5, TimeUnit.SECONDS);
        assertThat(clean.sessionPresent()).isFalse();
        assertThat(pub.publish("cmd/3", "gone").recipients()).isZero();
    }

    @Test
    void deliveriesCarryTheIdentifiersOfTheSubscriptionsTheyCameThrough() throws Exception {
        CoreHarness.Client pub = harness.client("pub");
        pub.session.publish(Message.builder("a/kept").payload("retained").retain(true).build()).toCompletableFuture()
                .get(5, TimeUnit.SECONDS);
        java.util.concurrent.BlockingQueue<String> got = new java.util.concurrent.LinkedBlockingQueue<>();
        var sub = harness.core.login(LoginRequest.internal("sub", null), (m, d) -> {
            got.add(m.payloadText() + " " + d.subscriptionIds());
            d.delivered();
        }).toCompletableFuture().get(5, TimeUnit.SECONDS);

        sub.subscribe(new Subscription("a/+", 1, false, false, 0, 5)).toCompletableFuture().get(5, TimeUnit.SECONDS);
        assertThat(got.poll(5, TimeUnit.SECONDS)).as("a retained message, through the new subscription").isEqualTo("retained [5]");
        sub.subscribe(new Subscription("a/#", 0, false, false, 2, 9)).toCompletableFuture().get(5, TimeUnit.SECONDS);
        sub.subscribe(Subscription.of("b", 0)).toCompletableFuture().get(5, TimeUnit.SECONDS);
        pub.publish("a/x", "both");
        pub.publish("a", "one");
        pub.publish("b", "none");

        assertThat(got.poll(5, TimeUnit.SECONDS)).isEqualTo("both [5, 9]");
        assertThat(got.poll(5, TimeUnit.SECONDS)).isEqualTo("one [9]");
        assertThat(got.poll(5, TimeUnit.SECONDS)).isEqualTo("none []");
    }

    @Test
    void highestRankedMessageIdGeneratorWins() throws Exception {
        Bundle bundle = FakeOsgi.bundle("module.ids");
        java.util.Map<String, Object> low = java.util.Map.of(Constants.SERVICE_RANKING, 1);
        java.util.Map<String, Object> high = java.util.Map.of(Constants.SERVICE_RANKING, 10);
        @SuppressWarnings("unchecked")
        ServiceReference<io.switchboard.api.MessageIdGenerator> lowRef = (ServiceReference<io.switchboard.api.MessageIdGenerator>) (ServiceReference<?>) FakeOsgi.reference(bundle, low);
        @SuppressWarnings("unchecked")
        ServiceReference<io.switchboard.api.MessageIdGenerator> highRef = (ServiceReference<io.switchboard.api.MessageIdGenerator>) (ServiceReference<?>) FakeOsgi.reference(bundle, high);
        AtomicInteger lowIds = new AtomicInteger(1000);
        AtomicInteger highIds = new AtomicInteger(5000);
        harness.core.addIdGenerator(lowRef, lowIds::incrementAndGet);
        CoreHarness.Client pub = harness.client("pub");
        assertThat(pub.publish("a", "x").messageId()).isEqualTo(1001);

        harness.core.addIdGenerator(highRef, highIds::incrementAndGet);
        assertThat(pub.publish("a", "x").messageId()).isEqualTo(5001);
        assertThat(harness.core.messageIdGenerator()).contains("ranking 10");

        harness.core.removeIdGenerator(highRef);
        harness.core.removeIdGenerator(lowRef);
        assertThat(pub.publish("a", "x").messageId()).isGreaterThan(1L << 40);
        assertThat(harness.core.messageIdGenerator()).startsWith("built-in");
    }

    private ModuleInfo moduleNamed(String name) {
        return harness.core.modules().stream().filter(m -> m.name().equals(name)).findFirst().orElseThrow();
    }
}
