package io.switchboard.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.switchboard.api.Session;
import io.switchboard.api.Subscription;
import io.switchboard.api.admin.SessionInfo;
import io.switchboard.api.broker.ClientConnection;
import io.switchboard.api.broker.ClientSession;
import io.switchboard.api.broker.LoginRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@code BrokerAdmin.sessions}: what the core knows of each client session, searchable and bounded. */
class SessionListingTest {

    private final CoreHarness harness = new CoreHarness(2);

    @AfterEach
    void close() {
        harness.close();
    }

    private ClientConnection connection() throws Exception {
        return harness.core.accept(new InetSocketAddress("127.0.0.1", 40001), new InetSocketAddress("127.0.0.1", 1883),
                "tcp").toCompletableFuture().get(5, TimeUnit.SECONDS);
    }

    private ClientSession login(ClientConnection connection, String clientId) throws Exception {
        return harness.core.login(new LoginRequest(connection, clientId, "ignored", null, "mqtt-5", false), (m, d) -> d.delivered())
                .toCompletableFuture().get(5, TimeUnit.SECONDS);
    }

    @Test
    void listsNetworkAndInProcessSessionsByClientIdWithTheirSubscriptions() throws Exception {
        ClientSession phone = login(connection(), "phone");
        phone.subscribe(Subscription.of("chat/#", 1)).toCompletableFuture().get(5, TimeUnit.SECONDS);
        phone.subscribe(Subscription.of("alerts", 0)).toCompletableFuture().get(5, TimeUnit.SECONDS);
        harness.client("bot").subscribe("cmd/+", 2);

        List<SessionInfo> all = harness.core.sessions(null, 100);

        assertThat(all).extracting(SessionInfo::clientId).containsExactly("bot", "phone");
        SessionInfo p = all.get(1);
        assertThat(p.user()).isEqualTo(Session.ANONYMOUS);
        assertThat(p.protocol()).isEqualTo("mqtt-5");
        assertThat(p.listener()).isEqualTo("tcp");
        assertThat(p.remoteAddress()).isEqualTo("127.0.0.1:40001");
        assertThat(p.online()).isTrue();
        assertThat(p.subscriptions()).extracting(Subscription::topicFilter, Subscription::qos)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("alerts", 0), org.assertj.core.groups.Tuple.tuple("chat/#", 1));
        SessionInfo b = all.get(0);
        assertThat(b.protocol()).isEqualTo("internal");
        assertThat(b.listener()).isNull();
        assertThat(b.remoteAddress()).isNull();
        assertThat(b.subscriptions()).extracting(Subscription::topicFilter).containsExactly("cmd/+");
    }

    @Test
    void searchesClientIdsUsersAndFiltersCaseInsensitivelyAndStopsAtTheLimit() throws Exception {
        harness.client("sensor-1").subscribe("Home/Kitchen/#", 0);
        harness.client("sensor-2");
        harness.client("sensor-3");

        assertThat(harness.core.sessions("kitchen", 10)).extracting(SessionInfo::clientId).containsExactly("sensor-1");
        assertThat(harness.core.sessions("SENSOR", 2)).extracting(SessionInfo::clientId)
                .containsExactly("sensor-1", "sensor-2");
        assertThat(harness.core.sessions("  ", 10)).hasSize(3);
        assertThat(harness.core.sessions("nobody", 10)).isEmpty();
        assertThatThrownBy(() -> harness.core.sessions(null, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aKeptSessionIsListedOfflineWithoutItsOldConnection() throws Exception {
        ClientConnection c = connection();
        ClientSession s = login(c, "laptop");
        s.subscribe(Subscription.of("news", 1)).toCompletableFuture().get(5, TimeUnit.SECONDS);

        c.closed("network gone", true);

        CoreHarness.await("the session goes offline", () -> !harness.core.sessions("laptop", 1).get(0).online());
        SessionInfo info = harness.core.sessions("laptop", 1).get(0);
        assertThat(info.listener()).isNull();
        assertThat(info.remoteAddress()).isNull();
        assertThat(info.subscriptions()).extracting(Subscription::topicFilter).containsExactly("news");
    }
}
