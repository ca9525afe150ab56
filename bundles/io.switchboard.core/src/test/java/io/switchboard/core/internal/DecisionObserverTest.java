package io.switchboard.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import io.switchboard.api.Admission;
import io.switchboard.api.Decision;
import io.switchboard.api.Login;
import io.switchboard.api.Message;
import io.switchboard.api.MessageModule;
import io.switchboard.api.ReasonCode;
import io.switchboard.api.Session;
import io.switchboard.api.Subscription;
import io.switchboard.api.Verdict;
import io.switchboard.api.broker.ClientConnection;
import io.switchboard.api.broker.ClientSession;
import io.switchboard.api.broker.LoginRequest;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Modules observing decisions hear which module allowed or refused a login, a subscription or a message, and why. */
class DecisionObserverTest {

    private final CoreHarness harness = new CoreHarness(2);
    private final List<Decision> heard = new CopyOnWriteArrayList<>();

    @AfterEach
    void close() {
        harness.close();
    }

    /** Names a rule for what it allows, refuses 'secret/...' and a message to 'blocked'. */
    private static final MessageModule RULES = new MessageModule() {
        @Override
        public Admission onLogin(Login login) {
            return Admission.authenticated(login.userName(), "password file line 3");
        }

        @Override
        public Admission onSubscribe(Session session, Subscription subscription) {
            return subscription.topicFilter().startsWith("secret/")
                    ? Admission.refuse(ReasonCode.NOT_AUTHORIZED, "acl:4 topic deny secret/#")
                    : Admission.accept("acl:2 topic read #");
        }

        @Override
        public Verdict onMessage(Message message, Session sender) {
            return message.topic().equals("blocked") ? Verdict.consume(ReasonCode.NOT_AUTHORIZED, "acl:5 topic deny blocked")
                    : Verdict.pass("acl:2 topic write #");
        }
    };

    private ClientSession login() throws Exception {
        InetSocketAddress here = new InetSocketAddress("127.0.0.1", 1883);
        ClientConnection connection = harness.core.accept(here, here, "test").toCompletableFuture().get(5, TimeUnit.SECONDS);
        return harness.core.login(new LoginRequest(connection, "c1", "alice", "pw".getBytes(), "mqtt-5", true),
                (m, d) -> d.delivered()).toCompletableFuture().get(5, TimeUnit.SECONDS);
    }

    @Test
    void loginsAndSubscriptionsWithTheirReasonsAndRefusedMessagesReachTheObservers() throws Exception {
        harness.add("rules", 100, RULES);
        harness.add("observer", 50, new MessageModule() {
            @Override
            public void onDecision(Decision decision) {
                heard.add(decision);
            }
        });
        ClientSession session = login();
        session.subscribe(Subscription.of("news/#", 1)).toCompletableFuture().get(5, TimeUnit.SECONDS);
        session.subscribe(Subscription.of("secret/x", 1)).toCompletableFuture().get(5, TimeUnit.SECONDS);
        session.publish(Message.builder("open").payload("a").build()).toCompletableFuture().get(5, TimeUnit.SECONDS);
        session.publish(Message.builder("blocked").payload("b").build()).toCompletableFuture().get(5, TimeUnit.SECONDS);

        Awaitility.await().atMost(5, TimeUnit.SECONDS).until(() -> heard.size() >= 4);
        assertThat(heard).extracting(d -> d.subject() + " " + d.module() + " " + d.accepted() + " " + d.reason() + " "
                + d.user() + " " + d.topic()).containsExactlyInAnyOrder(
                        "LOGIN rules true password file line 3 alice null",
                        "SUBSCRIBE rules true acl:2 topic read # alice news/#",
                        "SUBSCRIBE rules false acl:4 topic deny secret/# alice secret/x",
                        "MESSAGE rules false acl:5 topic deny blocked alice blocked");
        assertThat(heard).allSatisfy(d -> assertThat(d.clientId()).isEqualTo("c1"));
    }
}
