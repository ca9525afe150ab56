package io.switchboard.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import io.switchboard.api.Admission;
import io.switchboard.api.Login;
import io.switchboard.api.MessageModule;
import io.switchboard.api.ReasonCode;
import io.switchboard.api.Session;
import io.switchboard.api.broker.ClientConnection;
import io.switchboard.api.broker.ClientSession;
import io.switchboard.api.broker.LoginRequest;
import io.switchboard.api.broker.RefusedException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A session's user is who authentication established, never a name the client merely claimed. */
class SessionIdentityTest {

    private final CoreHarness harness = new CoreHarness(2);

    @AfterEach
    void close() {
        harness.close();
    }

    /** Establishes the password's text as the user: a stand-in for a module that checks passwords. */
    private static final MessageModule PASSWORD_IS_USER = new MessageModule() {
        @Override
        public Admission onLogin(Login login) {
            return login.password() == null ? Admission.accept("anonymous allowed")
                    : Admission.authenticated(new String(login.password()), "password checked");
        }
    };

    private void addAuthenticator(String name, MessageModule module) {
        harness.add(name, 100, module);
    }

    private ClientConnection connection() throws Exception {
        InetSocketAddress here = new InetSocketAddress("127.0.0.1", 1883);
        return harness.core.accept(here, here, "test").toCompletableFuture().get(5, TimeUnit.SECONDS);
    }

    private ClientSession login(ClientConnection connection, String clientId, String user, String password, boolean clean)
            throws Exception {
        LoginRequest request = new LoginRequest(connection, clientId, user, password == null ? null : password.getBytes(),
                "mqtt-5", clean);
        return done(harness.core.login(request, (m, d) -> d.delivered()));
    }

    private static <T> T done(CompletionStage<T> stage) throws Exception {
        return stage.toCompletableFuture().get(5, TimeUnit.SECONDS);
    }

    @Test
    void authenticateChecksAUserThroughTheLoginChainWithoutASession() throws Exception {
        addAuthenticator("auth", PASSWORD_IS_USER);
        ClientConnection http = connection();

        assertThat(done(harness.core.authenticate(new LoginRequest(http, "http:1", "admin", "bob".getBytes(), "http", true))))
                .as("the user the module established").isEqualTo("bob");
        assertThat(harness.core.stats().sessions()).as("no session opened").isZero();
        assertThatThrownBy(() -> done(harness.core.authenticate(new LoginRequest(http, "http:2", "admin", null, "http", true))))
                .as("accepted, but nobody vouched for a user").isInstanceOf(ExecutionException.class).cause()
                .isInstanceOf(RefusedException.class).hasMessageContaining("no module vouched for the user");
    }

    @Test
    void authenticateReportsARefusedLogin() throws Exception {
        addAuthenticator("auth", new MessageModule() {
            @Override
            public Admission onLogin(Login login) {
                return Admission.refuse(ReasonCode.BAD_USER_NAME_OR_PASSWORD, "wrong user name or password");
            }
        });
        assertThatThrownBy(() -> done(harness.core.authenticate(new LoginRequest(connection(), "http:1", "admin",
                "guess".getBytes(), "http", true)))).isInstanceOf(ExecutionException.class).cause()
                .isInstanceOf(RefusedException.class).hasMessageContaining("wrong user name or password");
    }

    @Test
    void aNetworkClientNoModuleVouchedForIsAnonymousWhateverItClaims() throws Exception {
        ClientSession claimed = login(connection(), "alice", "alice", null, true);
        assertThat(claimed.session().user()).isEqualTo(Session.ANONYMOUS);
        assertThat(harness.hostFor(harness.coreBundle).isOnline("alice")).isFalse();
    }

    @Test
    void anInProcessClientKeepsTheNameItGivesButNeverAModulesName() throws Exception {
        assertThat(done(harness.core.login(LoginRequest.internal("svc", "ops"), (m, d) -> d.delivered())).session().user())
                .isEqualTo("ops");
        assertThatThrownBy(() -> done(harness.core.login(LoginRequest.internal("svc2", "module:ratelimit"), (m, d) -> d.delivered())))
                .isInstanceOf(ExecutionException.class).cause().isInstanceOf(RefusedException.class);
    }

    @Test
    void theUserAModuleEstablishedIsTheSessionsUser() throws Exception {
        addAuthenticator("auth", PASSWORD_IS_USER);
        ClientSession session = login(connection(), "c1", "claims-to-be-admin", "bob", true);
        assertThat(session.session().user()).isEqualTo("bob");
        assertThat(login(connection(), "c2", "claims-to-be-admin", null, true).session().user()).isEqualTo(Session.ANONYMOUS);
    }

    @Test
    void modulesEstablishingDifferentUsersOrAReservedNameRefuseTheLogin() throws Exception {
        addAuthenticator("auth", PASSWORD_IS_USER);
        harness.add("cert", 50, new MessageModule() {
            @Override
            public Admission onLogin(Login login) {
                return Admission.authenticated("carol", "certificate");
            }
        });
        assertThat(login(connection(), "c1", null, "carol", true).session().user()).as("both agree").isEqualTo("carol");
        assertThatThrownBy(() -> login(connection(), "c2", null, "dave", true)).cause()
                .isInstanceOfSatisfying(RefusedException.class, e -> {
                    assertThat(e.reasonCode()).isEqualTo(ReasonCode.NOT_AUTHORIZED);
                    assertThat(e.getMessage()).contains("'auth' and 'cert' established different users");
                });
        assertThatThrownBy(() -> login(connection(), "c3", null, "module:x", true)).cause()
                .isInstanceOf(RefusedException.class);
        assertThatThrownBy(() -> login(connection(), "c4", null, Session.ANONYMOUS, true)).cause()
                .isInstanceOf(RefusedException.class);
    }

    @Test
    void anotherUsersLoginDoesNotResumeAPersistentSession() throws Exception {
        addAuthenticator("auth", PASSWORD_IS_USER);
        ClientSession alice = login(connection(), "device", null, "alice", false);
        alice.detach("offline");
        ClientSession again = login(connection(), "device", null, "alice", false);
        assertThat(again.sessionPresent()).as("the same user resumes").isTrue();
        again.detach("offline");

        ClientSession impostor = login(connection(), "device", "alice", null, false);
        assertThat(impostor.sessionPresent()).as("another user starts afresh").isFalse();
        assertThat(impostor.session().user()).isEqualTo(Session.ANONYMOUS);
        assertThat(login(connection(), "device", null, "alice", false).sessionPresent())
                .as("alice's session ended when the impostor took the client id").isFalse();
    }
}
