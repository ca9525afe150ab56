package io.switchboard.mqtt.internal.transport;

import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.switchboard.api.admin.BrokerAdmin;
import io.switchboard.mqtt.internal.ConnectionCount;
import io.switchboard.mqtt.internal.ListenerInfo;
import io.switchboard.mqtt.internal.ListenerTraffic;
import io.switchboard.mqtt.internal.MqttPipeline;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One MQTT listener: a server socket (TCP, or WebSocket over HTTP), with or without TLS, per factory
 * configuration {@code io.switchboard.mqtt.listener~<name>}. For every accepted connection it puts the
 * transport handlers in the pipeline (TLS; HTTP, the WebSocket handshake and the frame adapters) and
 * then lets {@link MqttPipeline} add the protocol.
 *
 * <ul>
 * <li>{@code @Activate} checks the configuration and binds; a bad configuration or a port in use fails
 * the activation with a message naming the listener (and the address), which the log and
 * {@code scr:info io.switchboard.mqtt.listener} show.</li>
 * <li>A configuration change rebinds: there is deliberately no {@code @Modified} method, so DS
 * deactivates the instance (closing the socket and its connections) and activates a new one with the new
 * configuration. With a modified method, Felix SCR 2.2 would never retry an instance whose activation
 * failed (it calls modified only on a live instance), so fixing a busy port or a missing key store in
 * the file would not bring the listener back until a restart.</li>
 * <li>{@code @Deactivate} closes the socket and every connection it accepted.</li>
 * </ul>
 */
@Component(
        name = MqttListener.PID,
        configurationPid = MqttListener.PID,
        configurationPolicy = ConfigurationPolicy.REQUIRE,
        immediate = true,
        service = {})
@Designate(ocd = ListenerConfig.class, factory = true)
public final class MqttListener {

    /** The factory PID: configurations are {@code io.switchboard.mqtt.listener~<name>}. */
    static final String PID = "io.switchboard.mqtt.listener";
    /** The framework property naming the broker's home directory (relative key store paths start there). */
    static final String HOME_PROPERTY = "switchboard.home";

    /** Outbound bytes a connection may buffer before it counts as not writable (Netty's default: 32/64 KiB). */
    static final WriteBufferWaterMark OUTBOUND_BUFFER = new WriteBufferWaterMark(512 * 1024, 1024 * 1024);

    /**
     * How connections size their read buffers, shared: Netty makes one per connection otherwise. It only holds the
     * sizing rules; each connection's state is in its own handle.
     */
    static final AdaptiveRecvByteBufAllocator READ_BUFFERS = new AdaptiveRecvByteBufAllocator();

    private static final Logger LOG = LoggerFactory.getLogger(MqttListener.class);
    /** How long a bind refused with "address in use" is retried (our own socket closing), and how often. */
    private static final long REBIND_MILLIS = 2000;
    private static final long REBIND_PAUSE_MILLIS = 50;
    /** How long closing a socket and its connections may take. */
    private static final long CLOSE_SECONDS = 5;
    /** The largest HTTP request accepted before the WebSocket upgrade (the handshake has no body). */
    private static final int MAX_HANDSHAKE_CONTENT = 8192;
    private static final long WEBSOCKET_HANDSHAKE_MILLIS = 10_000;

    @Reference
    MqttPipeline pipeline;
    @Reference
    EventLoops loops;
    @Reference
    BrokerAdmin admin;

    private volatile ListenerSettings settings;
    /** What the protocol is told about each connection (the same for all: a change makes a new instance). */
    private volatile ListenerInfo info;
    /** Counts the bytes of this listener's connections (the first handler of each). */
    private volatile WireBytes wireBytes;
    /** The socket; {@code null} once closed. */
    private volatile Binding binding;

    /** A bound server socket and the connections it accepted. */
    private record Binding(Channel server, ChannelGroup connections) {

        InetSocketAddress address() {
            return (InetSocketAddress) server.localAddress();
        }

        /** Closes the socket, then every connection; waits a few seconds at most. */
        void close() {
            server.close().awaitUninterruptibly(CLOSE_SECONDS, TimeUnit.SECONDS);
            connections.close().awaitUninterruptibly(CLOSE_SECONDS, TimeUnit.SECONDS);
        }
    }

    /**
     * Checks the configuration and binds.
     *
     * @throws IllegalArgumentException naming the listener and the attribute, on a bad configuration
     * @throws IllegalStateException naming the listener and the address, when the socket cannot be bound
     */
    @Activate
    void activate(BundleContext context, Map<String, Object> properties, ListenerConfig config) {
        String configuredHome = context.getProperty(HOME_PROPERTY);
        start(config, properties, Path.of(configuredHome == null ? "" : configuredHome).toAbsolutePath());
    }

    /** {@link #activate} without a framework: {@code home} is where relative key store paths start. */
    void start(ListenerConfig config, Map<String, ?> properties, Path home) {
        ListenerSettings parsed;
        SslContext ssl;
        try {
            parsed = ListenerSettings.parse(config, properties, pidName(properties), home);
            ssl = parsed.tls() == null ? null : TlsContexts.server(parsed.tls());
        } catch (IllegalArgumentException e) {
            // logged here too: SCR reports a failed activation on the console only, not in logs/switchboard.log
            LOG.error("{}: invalid configuration: {}", describe(config, properties), e.getMessage());
            throw new IllegalArgumentException(describe(config, properties) + ": invalid configuration: " + e.getMessage(), e);
        }
        MandatoryModules gate = new MandatoryModules(parsed.name(), parsed.mandatoryModules(), admin);
        settings = parsed;
        ListenerTraffic traffic = pipeline.counters().listener(parsed.name());
        info = new ListenerInfo(parsed.name(), parsed.transport(), ssl != null, parsed.maxPacketSize(), gate::missing,
                parsed.maxConnections(), new ConnectionCount(), traffic);
        wireBytes = new WireBytes(traffic);
        try {
            binding = bind(parsed, ssl);
        } catch (IllegalStateException e) {
            LOG.error("{}", e.getMessage());
            throw e;
        }
        pipeline.counters().bound(parsed.name(), parsed.transport(), ssl != null, info.connections());
        LOG.info("MQTT listener '{}' listening: {}, {}{}{}", parsed.name(), where(parsed, binding),
                parsed.tls() == null ? "no TLS" : parsed.tls(),
                parsed.mandatoryModules().isEmpty() ? "" : ", requires modules " + parsed.mandatoryModules(),
                parsed.maxConnections() == 0 ? "" : ", at most " + parsed.maxConnections() + " connections");
    }

    /** Closes the socket and every connection it accepted. */
    @Deactivate
    void deactivate() {
        Binding current = binding;
        binding = null;
        ListenerInfo closing = info;
        if (closing != null) {
            pipeline.counters().unbound(closing.name(), closing.connections());
        }
        if (current != null) {
            int connections = current.connections().size();
            current.close();
            LOG.info("MQTT listener '{}' closed ({}, {} connection{} closed)", settings.name(), where(settings, current),
                    connections, connections == 1 ? "" : "s");
        }
    }

    /** The bound address, or {@code null} when not bound. */
    InetSocketAddress address() {
        Binding current = binding;
        return current == null ? null : current.address();
    }

    /** The connections open now. */
    int connections() {
        Binding current = binding;
        return current == null ? 0 : current.connections().size();
    }

    /**
     * Binds a server socket for {@code listener} on the shared event loops.
     *
     * @throws IllegalStateException naming the listener and the address when it cannot
     */
    private Binding bind(ListenerSettings listener, SslContext ssl) {
        InetSocketAddress address = new InetSocketAddress(listener.host(), listener.port());
        if (address.isUnresolved()) {
            throw new IllegalStateException("MQTT listener '" + listener.name() + "' cannot bind port " + listener.port()
                    + " on " + listener.host() + ": unknown host");
        }
        // stayClosed: a connection accepted while the listener closes is closed as it joins the group
        ChannelGroup connections = new DefaultChannelGroup("mqtt-" + listener.name(), GlobalEventExecutor.INSTANCE, true);
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(loops.boss(), loops.workers())
                .channel(loops.serverChannel())
                .option(ChannelOption.SO_BACKLOG, 1024)
                .option(ChannelOption.SO_REUSEADDR, true) // rebind a port at once after a live change
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.SO_KEEPALIVE, true)
                // a subscriber lagging for a moment (a pause, a burst) is buffered here before its session queue
                // (max.queued.messages) has to drop QoS 0; only a lagging connection uses this memory
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, OUTBOUND_BUFFER)
                .childOption(ChannelOption.RCVBUF_ALLOCATOR, READ_BUFFERS)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel channel) {
                        if (!pipeline.admitsConnectionFrom(channel.remoteAddress(), info)) {
                            // a reset instead of a normal close: no TIME_WAIT left behind per refused connection
                            channel.config().setOption(ChannelOption.SO_LINGER, 0);
                            channel.close();
                            return;
                        }
                        connections.add(channel);
                        setUp(channel, listener, ssl);
                    }
                });
        ChannelFuture bind = bootstrap.bind(address).awaitUninterruptibly();
        // A socket this listener closed a moment ago may still hold the port: the JDK closes a server socket
        // registered with a selector only when the event loop deregisters it. Retry briefly; a port another
        // process holds still fails, with the message below.
        long giveUp = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(REBIND_MILLIS);
        while (!bind.isSuccess() && bind.cause() instanceof BindException && System.nanoTime() < giveUp
                && !Thread.currentThread().isInterrupted()) {
            pause(REBIND_PAUSE_MILLIS);
            bind = bootstrap.bind(address).awaitUninterruptibly();
        }
        if (!bind.isSuccess()) {
            Throwable cause = bind.cause();
            throw new IllegalStateException("MQTT listener '" + listener.name() + "' cannot bind " + listener.describeTransport()
                    + " port " + listener.port() + " on " + listener.host() + ": " + cause.getMessage()
                    + (cause instanceof BindException ? " (another process or listener holds the port?)" : ""), cause);
        }
        return new Binding(bind.channel(), connections);
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The transport handlers of one connection, then the protocol's. */
    private void setUp(SocketChannel channel, ListenerSettings listener, SslContext ssl) {
        ChannelPipeline handlers = channel.pipeline();
        handlers.addLast(WireBytes.NAME, wireBytes);
        if (ssl != null) {
            handlers.addLast("tls", ssl.newHandler(channel.alloc()));
            handlers.addLast("tls-failures", new TlsFailures(listener.name()));
        }
        if (listener.transport().equals(ListenerSettings.WEBSOCKET)) {
            handlers.addLast("http", new HttpServerCodec());
            handlers.addLast("http-aggregator", new HttpObjectAggregator(MAX_HANDSHAKE_CONTENT));
            handlers.addLast("http-other-paths", new WebSocketFrames.OtherPaths(listener.path()));
            handlers.addLast("websocket", new WebSocketServerProtocolHandler(WebSocketServerProtocolConfig.newBuilder()
                    .websocketPath(listener.path())
                    .subprotocols(WebSocketFrames.SUBPROTOCOLS)
                    .checkStartsWith(true) // with a query string too; other paths stopped above
                    .handshakeTimeoutMillis(WEBSOCKET_HANDSHAKE_MILLIS)
                    .maxFramePayloadLength(listener.maxPacketSize())
                    .allowExtensions(false)
                    .build()));
            handlers.addLast("websocket-in", WebSocketFrames.Inbound.INSTANCE);
            handlers.addLast("websocket-out", WebSocketFrames.Outbound.INSTANCE);
        }
        pipeline.addProtocolHandlers(handlers, info);
    }

    /** {@code websocket on 0.0.0.0:9001/mqtt}: the configured host, the bound port. */
    private static String where(ListenerSettings listener, Binding binding) {
        String host = listener.host().contains(":") ? "[" + listener.host() + "]" : listener.host();
        return listener.transport() + " on " + host + ":" + binding.address().getPort()
                + (listener.path() == null ? "" : listener.path());
    }

    /** The {@code <name>} of the factory configuration {@code io.switchboard.mqtt.listener~<name>}, or {@code null}. */
    static String pidName(Map<String, ?> properties) {
        Object pid = properties.get(Constants.SERVICE_PID);
        if (pid instanceof String p && p.startsWith(PID) && p.length() > PID.length() + 1) {
            // Configuration Admin 1.6 names factory configurations <factoryPid>~<name>; older ones <factoryPid>.<uuid>
            return p.substring(PID.length() + 1);
        }
        return null;
    }

    private static String describe(ListenerConfig config, Map<String, ?> properties) {
        String name = config.name() == null || config.name().isBlank() ? pidName(properties) : config.name().trim();
        return "MQTT listener '" + (name == null ? properties.get(Constants.SERVICE_PID) : name) + "'";
    }
}
