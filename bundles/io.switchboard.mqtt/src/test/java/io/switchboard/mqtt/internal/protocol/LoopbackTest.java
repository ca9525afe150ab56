package io.switchboard.mqtt.internal.protocol;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Consumer;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttVersion;
import io.switchboard.mqtt.internal.ConnectionCount;
import io.switchboard.mqtt.internal.ListenerInfo;
import io.switchboard.store.MemoryStateStore;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;

/**
 * Base of the protocol tests: a real loopback server (Netty NIO on port 0) whose connections get the
 * protocol's handlers through {@link MqttProtocol#addProtocolHandlers}, a {@link FakeBroker} behind it,
 * and {@link TestClient}s. The server starts at the first {@link #client()} with {@link #settings},
 * {@link #maxPacketSize} and {@link #transport} as the test set them.
 */
abstract class LoopbackTest {

    /** Shared by every test class of the JVM (Netty's threads are daemons). */
    private static final EventLoopGroup GROUP = new MultiThreadIoEventLoopGroup(4, NioIoHandler.newFactory());

    protected ProtocolSettings settings = ProtocolSettings.defaults();
    protected int maxPacketSize = 1 << 20;
    /** Adds transport handlers (e.g. TLS) before the protocol's. */
    protected Consumer<ChannelPipeline> transport = p -> { };
    protected boolean tls;
    protected volatile String missingModules;
    /** The listener's max.connections (0: no limit of its own). */
    protected int listenerMaxConnections;
    /** What the protocol is told about the listener, one for all connections (as a real listener does). */
    protected ListenerInfo listener;
    /** The protocol's timer (session expiry, will delays); a test may set a {@link ManualTimer} before {@link #client()}. */
    protected ScheduledExecutorService timer;
    /** Where persistent sessions are kept; a test "restarts" the protocol on the same store to see what it recovers. */
    protected MemoryStateStore stateStore = new MemoryStateStore();
    /** The server's side of each connection, in the order they were accepted. */
    protected final List<Channel> serverChannels = new CopyOnWriteArrayList<>();

    protected final FakeBroker broker = new FakeBroker();
    protected MqttProtocol protocol;
    private Channel server;
    private final List<TestClient> clients = new ArrayList<>();

    protected TestClient client() {
        TestClient c = TestClient.connect(GROUP, port());
        clients.add(c);
        return c;
    }

    /** The server's port; starts the server if needed. */
    protected int port() {
        if (server == null) {
            protocol = new MqttProtocol(broker, settings, new SessionJournal(stateStore),
                    timer != null ? timer : MqttProtocol.newTimer());
            ConnectionCount connections = new ConnectionCount();
            listener = new ListenerInfo("test", "tcp", tls, maxPacketSize, () -> missingModules, listenerMaxConnections,
                    connections, protocol.counters().bound("test", "tcp", tls, connections));
            server = new ServerBootstrap().group(GROUP).channel(NioServerSocketChannel.class)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            serverChannels.add(ch);
                            transport.accept(ch.pipeline());
                            if (!protocol.admitsConnectionFrom(ch.remoteAddress(), listener)) {
                                ch.close();
                                return;
                            }
                            protocol.addProtocolHandlers(ch.pipeline(), listener);
                        }
                    }).bind("127.0.0.1", 0).syncUninterruptibly().channel();
        }
        return ((java.net.InetSocketAddress) server.localAddress()).getPort();
    }

    /**
     * Connects an MQTT 5 client "pub" and publishes {@code topic} at QoS 1 with user properties given as
     * "name=value", in order; returns once it is acknowledged.
     */
    protected void publishWithUserPropertiesTo(String topic, String... pairs) {
        MqttProperties.UserProperties user = new MqttProperties.UserProperties();
        for (String pair : pairs) {
            int eq = pair.indexOf('=');
            user.add(pair.substring(0, eq), pair.substring(eq + 1));
        }
        MqttProperties p = new MqttProperties();
        p.add(user);
        TestClient pub = client();
        pub.connect(MqttVersion.MQTT_5, "pub", true);
        pub.publish(topic, 1, 1, "with properties", false, p);
        pub.expect(MqttMessageType.PUBACK);
    }

    protected static EventLoopGroup group() {
        return GROUP;
    }

    @AfterEach
    void stopServer() {
        for (TestClient c : clients) {
            c.close();
        }
        if (server != null) {
            server.close().syncUninterruptibly();
            protocol.stop();
        }
        broker.shutdown();
    }

    /** Retries {@code assertion} until it passes or {@link TestClient#WAIT_MS} passed. */
    protected static void eventually(Runnable assertion) {
        Awaitility.await().atMost(Duration.ofMillis(TestClient.WAIT_MS))
                .pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(20))
                .untilAsserted(assertion::run);
    }
}
