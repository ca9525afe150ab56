package io.switchboard.module.auth.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.event.Level;

import io.switchboard.api.Admission;
import io.switchboard.api.ReasonCode;
import io.switchboard.api.Session;
import io.switchboard.api.TlsInfo;
import io.switchboard.api.Verdict;
import io.switchboard.testkit.Configs;
import io.switchboard.testkit.FakeConnection;
import io.switchboard.testkit.FakeHost;
import io.switchboard.testkit.FakeLogin;
import io.switchboard.testkit.FakeSession;
import io.switchboard.testkit.ModuleProbe;
import io.switchboard.testkit.TestMessages;

class AuthModuleTest {

    @TempDir
    Path home;

    private final FakeHost host = new FakeHost();
    private AuthModule module;
    private ModuleProbe probe;

    private void start(Map<String, ?> config) throws Exception {
        module = new AuthModule();
        module.host = host;
        module.start(Configs.of(AuthConfig.class, config), home);
        probe = ModuleProbe.of(module).with(host);
    }

    @AfterEach
    void stop() {
        if (module != null) {
            module.deactivate();
        }
    }

    private static FakeConnection connection(long id, String localAddress) {
        return FakeConnection.builder().id(id).local(localAddress, 1883).remote("192.0.2.7", 50000).build();
    }

    /** Logs in on connection {@code id} and opens the session as the broker does: as the user the module established. */
    private FakeSession loggedIn(long id, String clientId, String user, String password) {
        return loggedIn(connection(id, "127.0.0.1"), clientId, user, password);
    }

    private FakeSession loggedIn(FakeConnection c, String clientId, String user, String password) {
        Admission accepted = probe.login(FakeLogin.builder().connection(c).clientId(clientId).userName(user).password(password)
                .build()).assertAccepted().awaitAdmission();
        FakeSession session = FakeSession.builder().clientId(clientId)
                .user(accepted.user() == null ? Session.ANONYMOUS : accepted.user()).connection(c).build();
        probe.sessionOpen(session);
        return session;
    }

    @Test
    void aPasswordFileDecidesWhoLogsIn() throws Exception {
        PasswordFile.setPassword(home.resolve("passwd"), "alice", "secret".getBytes(StandardCharsets.UTF_8), new SecureRandom());
        start(Map.of("password.file", "passwd"));
        FakeConnection c = connection(1, "127.0.0.1");
        probe.login(FakeLogin.builder().connection(c).clientId("c1").userName("alice").password("secret").build()).assertAccepted();
        probe.login(FakeLogin.builder().connection(c).clientId("c1").userName("alice").password("wrong").build())
                .assertRefused(ReasonCode.BAD_USER_NAME_OR_PASSWORD);
        probe.login(FakeLogin.builder().connection(c).clientId("c1").userName("mallory").password("secret").build())
                .assertRefused(ReasonCode.BAD_USER_NAME_OR_PASSWORD);
    }

    @Test
    void anonymousClientsOnlyOnLoopbackByDefault() throws Exception {
        start(Map.of());
        probe.login(FakeLogin.builder().connection(connection(1, "127.0.0.1")).clientId("c1").build()).assertAccepted();
        probe.login(FakeLogin.builder().connection(connection(2, "192.0.2.1")).clientId("c2").build())
                .assertRefused(ReasonCode.NOT_AUTHORIZED);
        // without a password file a user name proves nothing: still anonymous
        probe.login(FakeLogin.builder().connection(connection(3, "192.0.2.1")).clientId("c3").userName("admin").password("x").build())
                .assertRefused(ReasonCode.NOT_AUTHORIZED);
    }

    @Test
    void theAclSeesTheIdentityEstablishedNotTheNameClaimed() throws Exception {
        PasswordFile.setPassword(home.resolve("passwd"), "alice", "secret".getBytes(StandardCharsets.UTF_8), new SecureRandom());
        Files.writeString(home.resolve("acl"), "topic read public/#\nuser alice\ntopic readwrite alice/#\n");
        start(Map.of("password.file", "passwd", "acl.file", "acl"));
        FakeSession alice = loggedIn(1, "c1", "alice", "secret");
        assertThat(alice.user()).isEqualTo("alice");
        // an anonymous client whose client id is "alice", and one claiming the user name without a password
        FakeSession impostor = loggedIn(2, "alice", null, null);
        assertThat(impostor.user()).isEqualTo(Session.ANONYMOUS);
        probe.login(FakeLogin.builder().connection(connection(3, "127.0.0.1")).clientId("c3").userName("alice").build())
                .assertRefused(ReasonCode.BAD_USER_NAME_OR_PASSWORD);

        probe.message(TestMessages.text("alice", "alice/x", "hi")).from(alice).assertPassed();
        probe.message(TestMessages.text("alice", "alice/x", "hi")).from(impostor).assertConsumed(ReasonCode.NOT_AUTHORIZED);
        probe.subscribe(alice, "alice/#").assertAccepted();
        probe.subscribe(impostor, "alice/#").assertRefused(ReasonCode.NOT_AUTHORIZED);
        probe.subscribe(impostor, "public/#").assertAccepted();
        probe.message(TestMessages.text("x", "alice/x", "hi")).to(impostor).assertConsumed(ReasonCode.NOT_AUTHORIZED);
        probe.message(TestMessages.text("x", "public/a", "hi")).to(impostor).assertPassed();
    }

    @Test
    void anEditAppliesLiveAndABadLineKeepsTheLastGoodRules() throws Exception {
        Path acl = home.resolve("acl");
        Files.writeString(acl, "topic readwrite a/#\n");
        start(Map.of("acl.file", "acl", "reload.interval.ms", 100));
        FakeSession s = loggedIn(1, "c1", null, null);
        probe.message(TestMessages.text("c1", "a/1", "x")).from(s).assertPassed();

        Files.writeString(acl, "topic readwrite b/#\n");
        host.awaitLog(Level.INFO, "changed and is applied", Duration.ofSeconds(5));
        probe.message(TestMessages.text("c1", "a/1", "x")).from(s).assertConsumed(ReasonCode.NOT_AUTHORIZED);
        probe.message(TestMessages.text("c1", "b/1", "x")).from(s).assertPassed();

        Files.writeString(acl, "topic readwrite c/#\nnonsense here\n");
        host.awaitLog(Level.ERROR, acl + ":2: unknown keyword 'nonsense'", Duration.ofSeconds(5));
        assertThat(host.problem(module)).contains(acl + ":2");
        probe.message(TestMessages.text("c1", "b/1", "x")).from(s).assertPassed();
        probe.message(TestMessages.text("c1", "c/1", "x")).from(s).assertConsumed(ReasonCode.NOT_AUTHORIZED);
    }

    /** A self-signed client certificate, subject O=Example, CN=sensor-17. */
    private static final String CERTIFICATE = """
            -----BEGIN CERTIFICATE-----
            MIIBozCCAUmgAwIBAgIUE2mnb69pSFmj+mwW8mKKpPmO1WMwCgYIKoZIzj0EAwIw
            JjEQMA4GA1UECgwHRXhhbXBsZTESMBAGA1UEAwwJc2Vuc29yLTE3MCAXDTI2MTIw
            MzA3MjYxM1oYDzIxMjYxMTA5MDcyNjEzWjAmMRAwDgYDVQQKDAdFeGFtcGxlMRIw
            EAYDVQQDDAlzZW5zb3ItMTcwWTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAAS/JGhh
            f3C9Lf4PANRqA/lZno6+QH2OboIvjSrsEinj7/E6Myi6qRhMVZckMxe5hz1C0/Up
            M0VxhH/gFcmVj17eo1MwUTAdBgNVHQ4EFgQU8al6yWKTQQHjXzQF3PE9d6ZOrkMw
            HwYDVR0jBBgwFoAU8al6yWKTQQHjXzQF3PE9d6ZOrkMwDwYDVR0TAQH/BAUwAwEB
            /zAKBggqhkjOPQQDAgNIADBFAiEAs+YdlDdJPLpF7cFR4fTAfCRLzmi7uO/0BC9J
            6yVmflACIFIQPHsK7cpUF/EQLbQ0HpybVSdqq/Ljp6vkZQMuve4i
            -----END CERTIFICATE-----
            """;

    private static FakeConnection tlsConnection(long id) throws Exception {
        X509Certificate certificate = (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(CERTIFICATE.getBytes(StandardCharsets.US_ASCII)));
        return FakeConnection.builder().id(id).local("192.0.2.1", 8883).remote("192.0.2.7", 50000)
                .tls(new TlsInfo("TLSv1.3", "TLS_AES_128_GCM_SHA256", null, List.of(certificate))).build();
    }

    @Test
    void aClientCertificateCanBeTheIdentity() throws Exception {
        Files.writeString(home.resolve("acl"), "user sensor-17\ntopic write sensors/17/#\n");
        start(Map.of("acl.file", "acl", "allow.anonymous", "false", "use.identity.as.username", "cn"));
        FakeConnection c = tlsConnection(1);
        probe.login(FakeLogin.builder().connection(c).clientId("s17").userName("claims-to-be-admin").build())
                .assertAuthenticated("sensor-17");
        FakeSession session = loggedIn(c, "s17", "claims-to-be-admin", null);
        probe.message(TestMessages.text("s17", "sensors/17/t", "21.5")).from(session).assertPassed();
        probe.message(TestMessages.text("s17", "sensors/18/t", "21.5")).from(session).assertConsumed(ReasonCode.NOT_AUTHORIZED);
        // without a certificate the same client is anonymous, refused here
        probe.login(FakeLogin.builder().connection(connection(2, "192.0.2.1")).clientId("s17").build())
                .assertRefused(ReasonCode.NOT_AUTHORIZED);
        assertThat(Certificates.userName(tlsConnection(3).tls().orElseThrow().peerCertificates().get(0), false))
                .isEqualTo("CN=sensor-17,O=Example");
    }

    @Test
    void reservedNamesAndBrokerTopicsAreRefused() throws Exception {
        start(Map.of());
        probe.login(FakeLogin.builder().connection(connection(1, "127.0.0.1")).clientId("c1").userName("module:ratelimit").build())
                .assertRefused(ReasonCode.NOT_AUTHORIZED);
        probe.login(FakeLogin.builder().connection(connection(2, "127.0.0.1")).clientId("module:audit").build())
                .assertRefused(ReasonCode.NOT_AUTHORIZED);
        FakeSession client = loggedIn(3, "c3", null, null);
        probe.message(TestMessages.text("c3", "$SYS/broker/uptime", "0")).from(client).assertConsumed(ReasonCode.NOT_AUTHORIZED);
        probe.message(TestMessages.text("c3", "plain/topic", "0")).from(client).assertPassed();
        // other '$' topics are the clients' to agree on ([MQTT-4.7.2]: '#' just does not match them)
        probe.message(TestMessages.text("c3", "$app/x", "0")).from(client).assertPassed();
        // the broker's own clients (no connection) may
        probe.message(TestMessages.text("module:x", "$SYS/broker/uptime", "0")).from(FakeSession.builder().user("module:x").clientId("module:x").connection(null).build()).assertPassed();
    }

    @Test
    void decisionsNameTheRuleOrSettingBehindThem() throws Exception {
        PasswordFile.setPassword(home.resolve("passwd"), "alice", "secret".getBytes(StandardCharsets.UTF_8), new SecureRandom());
        Files.writeString(home.resolve("acl"), "topic read public/#\nuser alice\ntopic readwrite alice/#\ntopic deny alice/private/#\n");
        start(Map.of("password.file", "passwd", "acl.file", "acl"));
        assertThat(probe.login(FakeLogin.builder().connection(connection(1, "127.0.0.1")).clientId("c1").build())
                .assertAccepted().awaitAdmission().reason()).isEqualTo("anonymous allowed on loopback (allow.anonymous = loopback)");
        assertThat(probe.login(FakeLogin.builder().connection(connection(2, "127.0.0.1")).clientId("c2").userName("alice")
                .password("secret").build()).assertAuthenticated("alice").awaitAdmission().reason())
                .isEqualTo("password checked against passwd");
        FakeSession alice = loggedIn(3, "c3", "alice", "secret");

        Verdict allowed = probe.message(TestMessages.text("alice", "alice/x", "hi")).from(alice).assertPassed().awaitVerdict();
        assertThat(allowed.reason()).isEqualTo("acl:3 topic readwrite alice/#");
        assertThat(probe.message(TestMessages.text("alice", "alice/y", "hi")).from(alice).assertPassed().awaitVerdict())
                .as("one verdict per rule, built when the file was read").isSameAs(allowed);
        assertThat(probe.message(TestMessages.text("alice", "alice/private/x", "hi")).from(alice)
                .assertConsumed(ReasonCode.NOT_AUTHORIZED).reason()).endsWith(": acl:4 topic deny alice/private/#");
        assertThat(probe.subscribe(alice, "alice/#").assertAccepted().awaitAdmission().reason()).isEqualTo("acl:3 topic readwrite alice/#");
        assertThat(probe.message(TestMessages.text("x", "public/a", "hi")).to(alice).assertConsumed(ReasonCode.NOT_AUTHORIZED)
                .reason()).as("alice's rules only: public/# is the anonymous clients'").endsWith(": no ACL rule grants it");
    }

    @Test
    void aTraceIsJudgedAsTheUserItNamesWhileInProcessClientsAreNotRestricted() throws Exception {
        Files.writeString(home.resolve("acl"), "user ops\ntopic write ops/#\n");
        start(Map.of("acl.file", "acl"));
        FakeSession trace = FakeSession.builder().clientId("trace").user("ops").protocol(AuthModule.TRACE_PROTOCOL).connection(null).build();
        assertThat(probe.message(TestMessages.text("ops", "ops/x", "hi")).from(trace).assertPassed().awaitVerdict().reason()).isEqualTo("acl:2 topic write ops/#");
        probe.message(TestMessages.text("ops", "other", "hi")).from(trace).assertConsumed(ReasonCode.NOT_AUTHORIZED);
        FakeSession service = FakeSession.builder().clientId("svc").user("svc").protocol("internal").connection(null).build();
        probe.message(TestMessages.text("svc", "other", "hi")).from(service).assertPassed();
    }
}
