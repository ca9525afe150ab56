package io.switchboard.mqtt.internal.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.switchboard.api.admin.ListenerStats;
import io.switchboard.api.admin.TrafficStats;
import io.switchboard.mqtt.internal.ListenerInfo;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A TCP listener's life: bind, answer, rebind on a live change, refuse a busy port, close. */
class MqttListenerTest {

    static EventLoops loops;
    @TempDir
    Path home;

    @BeforeAll
    static void startLoops() {
        loops = new EventLoops();
        loops.activate(Configs.of(EventLoops.Config.class, Map.of("worker.threads", "2")));
    }

    @AfterAll
    static void stopLoops() {
        loops.deactivate();
    }

    private TestListener tcp(String name) {
        return new TestListener(name, loops, home);
    }

    @Test
    void bindsOnPortZeroAndHandsEachConnectionToTheProtocol() throws Exception {
        try (TestListener t = tcp("tcp").start(Map.of("port", "0", "host", "127.0.0.1"));
                Socket client = Net.connect(t.port())) {
            assertThat(t.port()).isPositive();
            assertThat(Net.exchange(client)).containsExactly(StubPipeline.ANSWER);

            ListenerInfo info = t.protocol.connections.poll(5, TimeUnit.SECONDS);
            assertThat(info.name()).as("the name defaults to the configuration's").isEqualTo("tcp");
            assertThat(info.transport()).isEqualTo("tcp");
            assertThat(info.tls()).isFalse();
            assertThat(info.maxPacketSize()).isEqualTo(ListenerSettings.DEFAULT_MAX_PACKET_SIZE);
            assertThat(info.missingModules().get()).as("no mandatory modules").isNull();
            assertThat(t.protocol.notBytes).isEmpty();
        }
    }

    @Test
    void countsTheBytesOfItsConnectionsAcrossARebindAndIsReportedWhileBound() throws Exception {
        try (TestListener t = tcp("tcp").start(Map.of("port", 0, "host", "127.0.0.1"))) {
            try (Socket client = Net.connect(t.port())) {
                assertThat(Net.exchange(client)).containsExactly(StubPipeline.ANSWER);
            }
            ListenerStats first = awaitBytes(t, Net.CONNECT.length);
            assertThat(first.name()).isEqualTo("tcp");
            assertThat(first.transport()).isEqualTo("tcp");
            assertThat(first.tls()).isFalse();
            // the stub answers each chunk it reads: one CONNACK per chunk the 15 bytes came in
            assertThat(first.bytesSent()).isPositive().matches(n -> n % StubPipeline.ANSWER.length == 0);
            assertThat(t.protocol.connections.poll(5, TimeUnit.SECONDS).traffic().name()).isEqualTo("tcp");

            t.reconfigure(Map.of("port", 0, "host", "127.0.0.1"));
            try (Socket client = Net.connect(t.port())) {
                Net.exchange(client);
            }
            assertThat(awaitBytes(t, 2L * Net.CONNECT.length).bytesSent()).as("the totals go on after a rebind")
                    .isGreaterThan(first.bytesSent());
            t.close();
            assertThat(t.protocol.traffic.stats(0, 0, 0).listeners()).as("a closed listener is not reported").isEmpty();
            t.listener = null;
        }
    }

    private static ListenerStats awaitBytes(TestListener t, long received) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (true) {
            TrafficStats stats = t.protocol.traffic.stats(0, 0, 0);
            assertThat(stats.listeners()).hasSize(1);
            ListenerStats l = stats.listeners().get(0);
            if (l.bytesReceived() == received || System.nanoTime() > deadline) {
                assertThat(l.bytesReceived()).isEqualTo(received);
                return l;
            }
            Thread.sleep(10);
        }
    }

    @Test
    void configuredNameWinsOverTheConfigurationName() throws Exception {
        try (TestListener t = tcp("x").start(Map.of("port", 0, "host", "127.0.0.1", "name", "plain"));
                Socket client = Net.connect(t.port())) {
            Net.exchange(client);
            assertThat(t.protocol.connections.poll(5, TimeUnit.SECONDS).name()).isEqualTo("plain");
        }
    }

    @Test
    void aNewPortRebindsAndClosesTheOldConnections() throws Exception {
        try (TestListener t = tcp("tcp").start(Map.of("port", 0, "host", "127.0.0.1"));
                Socket old = Net.connect(t.port())) {
            int oldPort = t.port();
            assertThat(Net.exchange(old)).containsExactly(StubPipeline.ANSWER);
            int newPort = Net.freePort();

            t.reconfigure(Map.of("port", newPort, "host", "127.0.0.1", "max.packet.size", 4096));

            assertThat(t.port()).isEqualTo(newPort);
            assertThat(Net.closedByPeer(old)).as("a connection of the old socket is closed").isTrue();
            assertThat(Net.stopsAccepting(oldPort)).as("the old port is free").isTrue();
            t.protocol.connections.clear();
            try (Socket client = Net.connect(newPort)) {
                assertThat(Net.exchange(client)).containsExactly(StubPipeline.ANSWER);
                assertThat(t.protocol.connections.poll(5, TimeUnit.SECONDS).maxPacketSize()).isEqualTo(4096);
            }
        }
    }

    @Test
    void theSamePortCanBeBoundAgainAtOnce() throws Exception {
        try (TestListener t = tcp("tcp").start(Map.of("port", 0, "host", "127.0.0.1"))) {
            int port = t.port();
            try (Socket client = Net.connect(port)) {
                Net.exchange(client); // a connection in the way (TIME_WAIT on the server side after the close)
            }

            t.reconfigure(Map.of("port", port, "host", "127.0.0.1", "name", "renamed"));

            assertThat(t.port()).isEqualTo(port);
            t.protocol.connections.clear();
            try (Socket client = Net.connect(port)) {
                assertThat(Net.exchange(client)).containsExactly(StubPipeline.ANSWER);
                assertThat(t.protocol.connections.poll(5, TimeUnit.SECONDS).name()).isEqualTo("renamed");
            }
        }
    }

    @Test
    void aFailedActivationLeavesNothingBoundAndAFixedConfigurationBindsAgain() throws Exception {
        try (TestListener t = tcp("tcp").start(Map.of("port", 0, "host", "127.0.0.1"));
                ServerSocket busy = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int port = t.port();

            assertThatThrownBy(() -> t.reconfigure(Map.of("port", busy.getLocalPort(), "host", "127.0.0.1")))
                    .hasMessageContaining("MQTT listener 'tcp' cannot bind tcp port " + busy.getLocalPort());
            assertThat(Net.stopsAccepting(port)).as("the old socket closed with the old instance").isTrue();
            assertThatThrownBy(() -> t.reconfigure(Map.of("port", port, "host", "127.0.0.1", "transport", "udp")))
                    .hasMessageContaining("transport: must be tcp or websocket, was 'udp'");

            t.reconfigure(Map.of("port", port, "host", "127.0.0.1"));

            try (Socket client = Net.connect(port)) {
                assertThat(Net.exchange(client)).containsExactly(StubPipeline.ANSWER);
            }
        }
    }

    @Test
    void aBusyPortFailsActivationNamingTheListenerAndThePort() throws Exception {
        try (ServerSocket busy = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            TestListener t = tcp("second");
            assertThatThrownBy(() -> t.start(Map.of("port", busy.getLocalPort(), "host", "127.0.0.1")))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("MQTT listener 'second'")
                    .hasMessageContaining("port " + busy.getLocalPort())
                    .hasMessageContaining("127.0.0.1");
        }
    }

    @Test
    void aBadConfigurationFailsActivationNamingTheListenerAndTheAttribute() {
        assertThatThrownBy(() -> tcp("ws").start(Map.of("port", 0, "transport", "websocket", "path", "mqtt")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("MQTT listener 'ws': invalid configuration: path: must start with /");
        assertThatThrownBy(() -> tcp("noport").start(Map.of("host", "127.0.0.1")))
                .hasMessage("MQTT listener 'noport': invalid configuration: port: required");
    }

    @Test
    void deactivationClosesTheSocketAndItsConnections() throws Exception {
        TestListener t = tcp("tcp").start(Map.of("port", 0, "host", "127.0.0.1"));
        int port = t.port();
        try (Socket client = Net.connect(port)) {
            Net.exchange(client);
            assertThat(t.listener.connections()).isEqualTo(1);

            t.close();

            assertThat(Net.closedByPeer(client)).isTrue();
            assertThat(Net.stopsAccepting(port)).isTrue();
            assertThat(t.listener.address()).isNull();
        }
    }

    @Test
    void listenersShareTheEventLoops() throws Exception {
        try (TestListener a = tcp("a").start(Map.of("port", 0, "host", "127.0.0.1"));
                TestListener b = tcp("b").start(Map.of("port", 0, "host", "127.0.0.1"));
                Socket toA = Net.connect(a.port());
                Socket toB = Net.connect(b.port())) {
            assertThat(Net.exchange(toA)).containsExactly(StubPipeline.ANSWER);
            assertThat(Net.exchange(toB)).containsExactly(StubPipeline.ANSWER);
            assertThat(a.listener.loops).isSameAs(b.listener.loops);
        }
    }

    @Test
    void aConnectionTheProtocolRefusesIsClosedBeforeAnyHandlerSeesIt() throws Exception {
        try (TestListener t = tcp("tcp").start(Map.of("port", 0, "host", "127.0.0.1"));
                Socket refused = connectRefused(t)) {
            assertThat(Net.closedByPeer(refused)).as("closed at accept").isTrue();
            assertThat(t.protocol.asked.poll(5, TimeUnit.SECONDS).getAddress().isLoopbackAddress()).isTrue();
            assertThat(t.protocol.connections).as("no protocol handlers added").isEmpty();
            assertThat(t.listener.connections()).as("not among the listener's connections").isZero();

            t.protocol.admit = true;
            try (Socket admitted = Net.connect(t.port())) {
                assertThat(Net.exchange(admitted)).containsExactly(StubPipeline.ANSWER);
            }
        }
    }

    private static Socket connectRefused(TestListener t) throws Exception {
        t.protocol.admit = false;
        return Net.connect(t.port());
    }

    @Test
    void theListenersMaximumOfConnectionsReachesTheProtocolWithOneCountForAllConnections() throws Exception {
        try (TestListener t = tcp("tcp").start(Map.of("port", 0, "host", "127.0.0.1", "max.connections", 3));
                Socket a = Net.connect(t.port()); Socket b = Net.connect(t.port())) {
            Net.exchange(a);
            Net.exchange(b);
            ListenerInfo first = t.protocol.connections.poll(5, TimeUnit.SECONDS);
            ListenerInfo second = t.protocol.connections.poll(5, TimeUnit.SECONDS);
            assertThat(first.maxConnections()).isEqualTo(3);
            assertThat(second.connections()).as("the listener's count, shared").isSameAs(first.connections());
        }
    }
}
