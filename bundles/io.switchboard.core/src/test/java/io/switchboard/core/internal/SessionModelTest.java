package io.switchboard.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import io.switchboard.api.Admission;
import io.switchboard.api.Connection;
import io.switchboard.api.Login;
import io.switchboard.api.Message;
import io.switchboard.api.MessageModule;
import io.switchboard.api.Subscription;
import io.switchboard.api.broker.ClientConnection;
import io.switchboard.api.broker.ClientSession;
import io.switchboard.api.broker.Delivery;
import io.switchboard.api.broker.LoginRequest;
import io.switchboard.api.broker.Receiver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The core as the one owner of a client id's session: a front door's state of the session is its receiver,
 * found again when a login resumes it, and told of takeovers and ends in the order the core takes the client
 * id's logins, detaches and closes.
 */
class SessionModelTest {

    private final CoreHarness harness = new CoreHarness(2);
    /** What every front-door state and login callback saw, in order. */
    private final List<String> log = new CopyOnWriteArrayList<>();

    @AfterEach
    void close() {
        harness.close();
    }

    /** A front door's state of one session. */
    private class State implements Receiver {
        final String name;

        State(String name) {
            this.name = name;
        }

        @Override
        public void deliver(Message message, Delivery delivery) {
            log.add(name + " <- " + message.payloadText());
            delivery.delivered();
        }

        @Override
        public void detached(String reason) {
            log.add(name + " detached: " + reason);
        }

        @Override
        public void closing(String reason) {
            log.add(name + " closing: " + reason);
        }
    }

    private static LoginRequest persistent(ClientConnection connection, String clientId) {
        return new LoginRequest(connection, clientId, null, null, "mqtt-5", false);
    }

    /** Logs in keeping the resumed session's state, or with a new one named {@code name}. */
    private CompletableFuture<ClientSession> login(LoginRequest request, String name) {
        CompletableFuture<ClientSession> result = new CompletableFuture<>();
        harness.core.login(request, resumed -> {
            log.add(name + " finds " + (resumed == null ? "nothing" : ((State) resumed).name));
            return resumed != null ? resumed : new State(name);
        }, (session, failure) -> {
            log.add(name + (failure != null ? " refused" : session.sessionPresent() ? " resumed" : " opened"));
            if (failure != null) {
                result.completeExceptionally(failure);
            } else {
                result.complete(session);
            }
        });
        return result;
    }

    private static <T> T done(java.util.concurrent.CompletionStage<T> f) throws Exception {
        return f.toCompletableFuture().get(5, TimeUnit.SECONDS);
    }

    @Test
    void aConnectionsStepsRunOnTheCallingThreadWhenNoModuleHandlesThemAndOnAWorkerWhenOneDoes() throws Exception {
        InetSocketAddress here = new InetSocketAddress("127.0.0.1", 1883);
        await().atMost(Duration.ofSeconds(5)) // the workers take tasks from other threads once started
                .until(() -> harness.core.accept(here, here, "test").toCompletableFuture().isDone());
        ClientConnection connection = connection();
        // no module: the login and the detach at the close run on this thread, no hand-off to a worker
        String me = Thread.currentThread().getName();
        List<String> threads = new CopyOnWriteArrayList<>();
        harness.core.login(persistent(connection, "inline"), resumed -> {
            threads.add("login " + Thread.currentThread().getName());
            return new State("A") {
                @Override
                public void detached(String reason) {
                    threads.add("detach " + Thread.currentThread().getName());
                }
            };
        }, (session, failure) -> threads.add("logged in " + Thread.currentThread().getName()));
        connection.closed("gone", true);
        assertThat(threads).containsExactly("login " + me, "logged in " + me, "detach " + me);

        List<String> connects = new CopyOnWriteArrayList<>();
        harness.add("watcher", 10, new MessageModule() {
            @Override
            public Admission onConnect(Connection c) {
                connects.add(Thread.currentThread().getName());
                return Admission.accept();
            }
        });
        assertThat(connection()).isNotNull();
        assertThat(connects).as("a module's connect step runs on a worker").singleElement().asString()
                .startsWith("switchboard-worker-");
    }

    private ClientConnection connection() throws Exception {
        InetSocketAddress here = new InetSocketAddress("127.0.0.1", 1883);
        return harness.core.accept(here, here, "test").toCompletableFuture().get(5, TimeUnit.SECONDS);
    }

    @Test
    void aResumedSessionKeepsItsStateWhichHearsOfTheTakeoverAndOfItsEnd() throws Exception {
        ClientSession first = done(login(persistent(null, "device"), "A"));
        done(first.subscribe(Subscription.of("t", 1)));

        ClientSession second = done(login(persistent(null, "device"), "B"));
        assertThat(second.sessionPresent()).isTrue();
        CoreHarness.Client pub = harness.client("pub");
        pub.publish("t", "to the kept state");
        CoreHarness.await("delivered", () -> log.contains("A <- to the kept state"));

        done(login(LoginRequest.internal("device", null), "C"));
        assertThat(log).containsExactly("A finds nothing", "A opened",
                "B finds A", "A detached: session taken over by a new connection of the same client id", "B resumed",
                "A <- to the kept state",
                "C finds nothing", "A closing: session taken over by a new connection of the same client id", "C opened");
        assertThat(pub.publish("t", "nobody").recipients()).isZero();
    }

    @Test
    void loginsOfOneClientIdTakeTurnsEvenWhenAModuleDecidesLate() throws Exception {
        CompletableFuture<Admission> slow = new CompletableFuture<>();
        harness.add("auth", 10, new MessageModule() {
            @Override
            public Admission onLogin(Login login) {
                return login.password() != null ? Admission.later(slow) : Admission.accept();
            }
        });
        // the same user twice (only that user's later login resumes the session), the first one slow
        CompletableFuture<ClientSession> first = login(new LoginRequest(null, "twice", "twice", new byte[] {1}, "mqtt-5", false), "A");
        CompletableFuture<ClientSession> second = login(persistent(null, "twice"), "B");
        CompletableFuture<ClientSession> other = login(persistent(null, "elsewhere"), "X");

        done(other);
        assertThat(first).isNotDone();
        assertThat(second).as("behind the first login of its client id").isNotDone();
        slow.complete(Admission.accept());

        assertThat(done(second).sessionPresent()).as("it resumes the session the first opened").isTrue();
        assertThat(log).filteredOn(line -> !line.startsWith("X")).containsExactly("A finds nothing", "A opened",
                "B finds A", "A detached: session taken over by a new connection of the same client id", "B resumed");
    }

    @Test
    void aStaleHandleCannotCloseTheSessionAReturningClientResumed() throws Exception {
        ClientSession first = done(login(persistent(null, "back"), "A"));
        done(first.subscribe(Subscription.of("t", 1)));
        first.detach("connection lost");
        ClientSession second = done(login(persistent(null, "back"), "B"));

        first.close("the first connection's expiry timer");
        CoreHarness.Client pub = harness.client("pub");
        assertThat(pub.publish("t", "still subscribed").recipients()).isOne();

        second.close("session expired");
        CoreHarness.await("closed", () -> log.contains("A closing: session expired"));
        assertThat(pub.publish("t", "gone").recipients()).isZero();
        assertThat(log).doesNotContain("A closing: the first connection's expiry timer");
    }

    @Test
    void aClosedConnectionDetachesOrClosesItsSessionInItsTurnUnlessTakenOver() throws Exception {
        ClientConnection one = connection();
        done(login(persistent(one, "kept"), "A"));
        one.closed("connection lost", true);
        CoreHarness.await("detached", () -> log.contains("A detached: connection lost"));
        assertThat(harness.core.stats().sessions()).isOne();

        ClientConnection two = connection();
        ClientConnection three = connection();
        done(login(persistent(two, "kept"), "B"));
        done(login(persistent(three, "kept"), "C"));
        two.closed("the taken over connection's late close", false);
        three.closed("client disconnected", false);
        CoreHarness.await("closed", () -> log.contains("A closing: client disconnected"));
        assertThat(log).doesNotContain("A closing: the taken over connection's late close");
        CoreHarness.await("gone", () -> harness.core.stats().sessions() == 0);
    }

    @Test
    void aConnectionClosingWhileItsLoginIsUnderWayLeavesNoSessionAttachedToIt() throws Exception {
        CompletableFuture<Admission> slow = new CompletableFuture<>();
        harness.add("auth", 10, new MessageModule() {
            @Override
            public Admission onLogin(Login login) {
                return Admission.later(slow);
            }
        });
        ClientConnection connection = connection();
        CompletableFuture<ClientSession> login = login(persistent(connection, "early"), "A");
        connection.closed("connection lost", false);
        slow.complete(Admission.accept());

        done(login);
        CoreHarness.await("closed after the login", () -> log.contains("A closing: connection lost"));
        CoreHarness.await("gone", () -> harness.core.stats().sessions() == 0);
    }
}
