package io.switchboard.observability.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.lang.annotation.Annotation;
import java.lang.reflect.Proxy;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import java.util.function.LongSupplier;
import java.util.function.UnaryOperator;

import io.switchboard.api.ReasonCode;
import io.switchboard.api.broker.Broker;
import io.switchboard.api.broker.ClientConnection;
import io.switchboard.api.broker.ClientSession;
import io.switchboard.api.broker.LoginRequest;
import io.switchboard.api.broker.Receiver;
import io.switchboard.api.broker.RefusedException;
import io.switchboard.api.broker.RestoredSession;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.junit.jupiter.api.Test;

/**
 * The HTTP login: none on loopback or for open paths; elsewhere Basic credentials of an administrator, checked by the
 * broker's login chain once and then remembered; every refusal a 401 challenge that does not say which part was wrong.
 */
class AdminLoginTest {

    private static final String REMOTE = "192.0.2.7";
    private static final String PUBLIC = "192.0.2.2";

    /** A broker whose login chain accepts alice/s3cret and admin/pw, and counts its runs. */
    private final PasswordBroker broker = new PasswordBroker(Map.of("alice", "s3cret", "admin", "pw"));
    private final AtomicLong now = new AtomicLong();
    private final LongSupplier clock = now::get;

    @Test
    void loopbackAndOpenPathsNeedNoLogin() throws Exception {
        AdminLogin login = new AdminLogin(config(60, "admin"), broker, clock);
        assertThat(call(login, "127.0.0.1", "/metrics", null).passed).isTrue();
        assertThat(call(login, "::1", "/metrics", null).passed).isTrue();
        assertThat(call(login, PUBLIC, "/health/ready", null).passed).isTrue();
        assertThat(call(login, PUBLIC, "/health/live", null).passed).isTrue();
        assertThat(broker.checks).isZero();
    }

    @Test
    void elsewhereAnAdministratorsPasswordIsCheckedByTheLoginChainThenRemembered() throws Exception {
        AdminLogin login = new AdminLogin(config(60, "admin"), broker, clock);

        Outcome none = call(login, PUBLIC, "/metrics", null);
        assertThat(none.passed).isFalse();
        assertThat(none.status).isEqualTo(401);
        assertThat(none.headers.get("WWW-Authenticate")).startsWith("Basic realm=\"Switchboard administration\"");

        assertThat(call(login, PUBLIC, "/metrics", basic("admin", "wrong")).status).isEqualTo(401);
        assertThat(call(login, PUBLIC, "/metrics", basic("admin", "pw")).passed).isTrue();
        assertThat(call(login, PUBLIC, "/", basic("admin", "pw")).passed).isTrue();
        assertThat(broker.checks).as("the second request was remembered").isEqualTo(2);
        assertThat(broker.openConnections).as("each check's connection closed").isZero();
        assertThat(broker.protocols).as("modules see the protocol").containsOnly("http");
        assertThat(call(login, PUBLIC, "/metrics", basic("admin", "changed")).status).as("another password is checked again")
                .isEqualTo(401);
    }

    @Test
    void aValidUserWhoIsNotAnAdministratorIsRefusedWithoutAsking() throws Exception {
        AdminLogin login = new AdminLogin(config(60, "admin"), broker, clock);
        Outcome alice = call(login, PUBLIC, "/metrics", basic("alice", "s3cret"));
        assertThat(alice.status).isEqualTo(401);
        assertThat(alice.body).isEqualTo("wrong user name or password, or not an administrator\n");
        assertThat(broker.checks).isZero();
    }

    @Test
    void withoutRememberingEveryRequestIsChecked() throws Exception {
        AdminLogin login = new AdminLogin(config(0, "admin"), broker, clock);
        call(login, PUBLIC, "/metrics", basic("admin", "pw"));
        call(login, PUBLIC, "/metrics", basic("admin", "pw"));
        assertThat(broker.checks).isEqualTo(2);
    }

    @Test
    void malformedCredentialsAreChallenged() throws Exception {
        AdminLogin login = new AdminLogin(config(60, "admin"), broker, clock);
        assertThat(call(login, PUBLIC, "/metrics", "Basic not-base64!").status).isEqualTo(401);
        assertThat(call(login, PUBLIC, "/metrics", "Bearer abc").status).isEqualTo(401);
        assertThat(call(login, PUBLIC, "/metrics", "Basic " + b64("no-colon")).status).isEqualTo(401);
        assertThat(BasicCredentials.parse("basic " + b64("u:p:q")).password()).isEqualTo("p:q".getBytes(StandardCharsets.UTF_8));
        assertThat(BasicCredentials.parse("Basic " + b64("u:pw")).toString()).doesNotContain("pw");
    }

    @Test
    void anAddressWithTooManyRefusedLoginsInARowIsTurnedAwayWithoutACheckUntilItsBlockEnds() throws Exception {
        AdminLogin login = new AdminLogin(config(0, "admin"), broker, clock); // remembers nothing: every login is checked
        assertThat(call(login, PUBLIC, "/metrics", basic("admin", "pw")).passed).isTrue();
        for (int i = 0; i < 4; i++) {
            assertThat(call(login, PUBLIC, "/metrics", basic("admin", "guess" + i)).status).isEqualTo(401);
        }
        assertThat(call(login, PUBLIC, "/metrics", basic("admin", "pw")).passed).as("4 in a row: not blocked yet").isTrue();
        for (int i = 0; i < 4; i++) {
            call(login, PUBLIC, "/metrics", basic("admin", "guess" + i));
        }
        assertThat(call(login, PUBLIC, "/metrics", basic("alice", "s3cret")).status).as("a non-administrator counts too")
                .isEqualTo(401);
        int checks = broker.checks;

        now.addAndGet(TimeUnit.SECONDS.toNanos(59));
        Outcome blocked = call(login, PUBLIC, "/metrics", basic("admin", "pw"));
        assertThat(blocked.passed).isFalse();
        assertThat(blocked.status).isEqualTo(429);
        assertThat(blocked.headers).containsEntry("Retry-After", "1");
        assertThat(blocked.body).isEqualTo("too many failed logins from this address: try again in 1 s\n");
        assertThat(broker.checks).as("no password checked while blocked").isEqualTo(checks);
        assertThat(call(login, "127.0.0.1", "/metrics", null).passed).as("loopback is another address").isTrue();
        assertThat(call(login, PUBLIC, "/health/ready", null).passed).as("open paths stay open").isTrue();

        now.addAndGet(TimeUnit.SECONDS.toNanos(1));
        assertThat(call(login, PUBLIC, "/metrics", basic("admin", "pw")).passed).as("the block ended").isTrue();
    }

    @Test
    void refusalsFarApartDoNotBlock() throws Exception {
        AdminLogin login = new AdminLogin(config(0, "admin"), broker, clock);
        for (int i = 0; i < 10; i++) {
            assertThat(call(login, PUBLIC, "/metrics", basic("admin", "guess")).status).isEqualTo(401);
            now.addAndGet(TimeUnit.SECONDS.toNanos(60));
        }
        assertThat(call(login, PUBLIC, "/metrics", basic("admin", "pw")).passed).isTrue();
    }

    @Test
    void anInvalidConfigurationServesOnlyLoopbackUntilItIsFixed() throws Exception {
        for (AdminLoginConfig invalid : List.of(config(-1, 5, 60, "admin"), config(60, -1, 60, "admin"),
                config(60, 5, 0, "admin"))) {
            AdminLogin login = new AdminLogin(invalid, broker, clock);
            assertThat(call(login, PUBLIC, "/metrics", basic("admin", "pw")).status).isEqualTo(503);
            assertThat(call(login, PUBLIC, "/health/ready", null).status).as("no open paths either").isEqualTo(503);
            assertThat(call(login, "127.0.0.1", "/metrics", null).passed).isTrue();

            login.modified(config(60, "admin"));
            assertThat(call(login, PUBLIC, "/metrics", basic("admin", "pw")).passed).as("fixed").isTrue();
        }
        assertThat(broker.checks).isEqualTo(3);
    }

    @Test
    void aChangedConfigurationAppliesToTheNextRequest() throws Exception {
        AdminLogin login = new AdminLogin(config(60, "admin"), broker, clock);
        assertThat(call(login, PUBLIC, "/metrics", basic("alice", "s3cret")).status).isEqualTo(401);
        login.modified(config(60, "admin", "alice"));
        assertThat(call(login, PUBLIC, "/metrics", basic("alice", "s3cret")).passed).isTrue();
    }

    // ---- fakes

    private static String basic(String user, String password) {
        return "Basic " + b64(user + ":" + password);
    }

    private static String b64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    private static AdminLoginConfig config(int rememberSeconds, String... admins) {
        return config(rememberSeconds, 5, 60, admins);
    }

    private static AdminLoginConfig config(int rememberSeconds, int maxFailures, int blockSeconds, String... admins) {
        return new AdminLoginConfig() {
            @Override
            public Class<? extends Annotation> annotationType() {
                return AdminLoginConfig.class;
            }

            @Override
            public String[] admin_users() {
                return admins;
            }

            @Override
            public String[] open_paths() {
                return new String[] {"/health/live, /health/ready"}; // as a .cfg file gives it: one string
            }

            @Override
            public int remember_seconds() {
                return rememberSeconds;
            }

            @Override
            public int max_failures() {
                return maxFailures;
            }

            @Override
            public int block_seconds() {
                return blockSeconds;
            }
        };
    }

    private static final class Outcome {
        boolean passed;
        int status = 200;
        final Map<String, String> headers = new HashMap<>();
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        String body;
    }

    private static Outcome call(AdminLogin login, String localAddr, String uri, String authorization) throws Exception {
        Outcome outcome = new Outcome();
        HttpServletRequest request = (HttpServletRequest) Proxy.newProxyInstance(AdminLoginTest.class.getClassLoader(),
                new Class<?>[] {HttpServletRequest.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "getLocalAddr" -> localAddr;
                    case "getLocalPort" -> 8080;
                    case "getRemoteAddr" -> localAddr.equals(PUBLIC) ? REMOTE : localAddr;
                    case "getRemotePort" -> 40000;
                    case "getRequestURI" -> uri;
                    case "getHeader" -> "Authorization".equals(args[0]) ? authorization : null;
                    default -> throw new UnsupportedOperationException(method.getName());
                });
        ServletOutputStream stream = new ServletOutputStream() {
            @Override
            public void write(int b) {
                outcome.out.write(b);
            }

            @Override
            public boolean isReady() {
                return true;
            }

            @Override
            public void setWriteListener(WriteListener listener) {
                throw new UnsupportedOperationException();
            }
        };
        HttpServletResponse response = (HttpServletResponse) Proxy.newProxyInstance(AdminLoginTest.class.getClassLoader(),
                new Class<?>[] {HttpServletResponse.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "setStatus", "sendError" -> {
                        outcome.status = (Integer) args[0];
                        yield null;
                    }
                    case "setHeader" -> {
                        outcome.headers.put((String) args[0], (String) args[1]);
                        yield null;
                    }
                    case "setContentType" -> null;
                    case "getOutputStream" -> stream;
                    default -> throw new UnsupportedOperationException(method.getName());
                });
        login.doFilter(request, response, (rq, rs) -> outcome.passed = true);
        outcome.body = outcome.out.toString(StandardCharsets.UTF_8);
        return outcome;
    }

    /** Only what the login needs: accept and authenticate, against a table of passwords. */
    private static final class PasswordBroker implements Broker {
        private final Map<String, String> passwords;
        int checks;
        int openConnections;
        final List<String> protocols = new ArrayList<>();

        PasswordBroker(Map<String, String> passwords) {
            this.passwords = passwords;
        }

        @Override
        public CompletionStage<ClientConnection> accept(InetSocketAddress remote, InetSocketAddress local, String listener) {
            openConnections++;
            return CompletableFuture.completedFuture((ClientConnection) Proxy.newProxyInstance(getClass().getClassLoader(),
                    new Class<?>[] {ClientConnection.class}, (proxy, method, args) -> {
                        if (method.getName().equals("closed")) {
                            openConnections--;
                            return null;
                        }
                        throw new UnsupportedOperationException(method.getName());
                    }));
        }

        @Override
        public CompletionStage<String> authenticate(LoginRequest request) {
            checks++;
            protocols.add(request.protocol());
            String expected = passwords.get(request.userName());
            if (expected != null && expected.equals(new String(request.password(), StandardCharsets.UTF_8))) {
                return CompletableFuture.completedFuture(request.userName());
            }
            return CompletableFuture.failedFuture(new RefusedException(ReasonCode.BAD_USER_NAME_OR_PASSWORD,
                    "wrong user name or password"));
        }

        @Override
        public CompletionStage<ClientSession> login(LoginRequest request, Receiver receiver) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void login(LoginRequest request, UnaryOperator<Receiver> receiverFor, BiConsumer<ClientSession, Throwable> then) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void deliverForwarded(io.switchboard.api.Message message, String orderKey, java.util.Set<String> sharedHere) {
            throw new UnsupportedOperationException("the HTTP login takes no forwarded messages");
        }

        @Override
        public java.util.concurrent.CompletionStage<Integer> acceptForwarded(io.switchboard.api.Message message, String orderKey,
                java.util.Set<String> sharedHere) {
            throw new UnsupportedOperationException("the HTTP login takes no forwarded messages");
        }

        @Override
        public void releaseDeliveries(String clientId,
                java.util.function.BiPredicate<io.switchboard.api.Message, String> had) {
            // this fake never keeps deliveries (holdDeliveries is the API's no-op): nothing to release
        }

        @Override
        public java.util.concurrent.CompletionStage<Void> routedSoFar() {
            return java.util.concurrent.CompletableFuture.completedFuture(null); // it routes nothing
        }

        @Override
        public java.util.concurrent.CompletionStage<Integer> deliverShared(io.switchboard.api.Message message,
                String orderKey, java.util.Set<String> sharedHere) {
            return java.util.concurrent.CompletableFuture.completedFuture(0); // no shared subscriptions here: no session
        }

        @Override
        public java.util.concurrent.CompletionStage<Integer> deliverTo(String clientId, io.switchboard.api.Message message,
                String orderKey, java.util.Set<String> sharedHere) {
            throw new UnsupportedOperationException("the HTTP login takes no forwarded messages");
        }

        @Override
        public ClientSession restore(RestoredSession session, Receiver receiver) {
            throw new UnsupportedOperationException();
        }
    }

}
