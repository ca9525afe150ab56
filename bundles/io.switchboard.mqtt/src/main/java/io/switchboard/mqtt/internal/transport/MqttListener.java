package io.switchboard.mqtt.internal.transport;

import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.switchboard.api.admin.BrokerAdmin;
import io.switchboard.mqtt.internal.ListenerInfo;
import io.switchboard.mqtt.internal.MqttPipeline;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
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
 * the activation with a message naming the listener (and the address), which {@code scr:info} shows.</li>
 * <li>{@code @Modified} applies a change live: a new transport, address, path or TLS setting rebinds (the
 * old socket and its connections are closed; on another port the new socket is bound first), other
 * changes apply to new connections. A change that cannot be applied (bad value, port in use, unreadable
 * key store) is logged and the listener keeps running as it was; throwing would make DS deactivate it.</li>
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

    private static final Logger LOG = LoggerFactory.getLogger(MqttListener.class);
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

    private Path home;
    /** The settings in force: the name, packet size and modules apply to each new connection. */
    private volatile ListenerSettings settings;
    private volatile MandatoryModules gate;
    /** The socket in use; {@code null} only after a failed rebind that could not restore the previous one. */
    private volatile Binding binding;
    /** What each connection's {@link ListenerInfo} asks at CONNECT: the gate in force then. */
    private final Supplier<String> missingModules = () -> gate.missing();

    /** A bound server socket, the connections it accepted, and the settings it was bound with. */
    private record Binding(ListenerSettings settings, SslContext ssl, Channel server, ChannelGroup connections) {

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
        this.home = home;
        ListenerSettings parsed;
        SslContext ssl;
        try {
            parsed = ListenerSettings.parse(config, properties, pidName(properties), home);
            ssl = tls(parsed);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(describe(config, properties) + ": invalid configuration: " + e.getMessage(), e);
        }
        apply(parsed);
        binding = bind(parsed, ssl);
        LOG.info("{}", bound(binding, parsed));
    }

    /** A new configuration, applied live; one that cannot be applied is logged and the listener stays as it was. */
    @Modified
    void modified(Map<String, Object> properties, ListenerConfig config) {
        ListenerSettings next;
        SslContext ssl;
        try {
            next = ListenerSettings.parse(config, properties, pidName(properties), home);
            ssl = tls(next);
        } catch (IllegalArgumentException e) {
            LOG.error("MQTT listener '{}': configuration rejected, keeping the last good one: {}", settings.name(),
                    e.getMessage());
            return;
        }
        Binding old = binding;
        if (old != null && !old.settings().needsRebind(next)) {
            apply(next);
            LOG.info("MQTT listener '{}': configuration applied to new connections (max packet size {}, mandatory "
                    + "modules {}), still {}", next.name(), next.maxPacketSize(), next.mandatoryModules(), where(old));
            return;
        }
        rebind(old, next, ssl);
    }

    /** Closes the socket and every connection it accepted. */
    @Deactivate
    void deactivate() {
        Binding current = binding;
        binding = null;
        if (current != null) {
            int connections = current.connections().size();
            current.close();
            LOG.info("MQTT listener '{}' closed ({}, {} connection{} closed)", settings.name(), where(current), connections,
                    connections == 1 ? "" : "s");
        }
    }

    /** The bound address, or {@code null} when not bound. */
    InetSocketAddress address() {
        Binding current = binding;
        return current == null ? null : current.address();
    }

    /** The settings in force. */
    ListenerSettings settings() {
        return settings;
    }

    /** The connections open now. */
    int connections() {
        Binding current = binding;
        return current == null ? 0 : current.connections().size();
    }

    /**
     * A new socket for {@code next}. On another port the new socket is bound before the old one closes,
     * so a failure leaves the old one serving; on the same port the old one must go first, and comes back
     * if the new one cannot bind.
     */
    private void rebind(Binding old, ListenerSettings next, SslContext ssl) {
        boolean samePort = old != null && next.port() != 0 && next.port() == old.address().getPort();
        if (samePort) {
            old.close();
        }
        Binding fresh;
        try {
            fresh = bind(next, ssl);
        } catch (IllegalStateException e) {
            if (samePort) {
                try {
                    binding = bind(old.settings(), old.ssl());
                } catch (IllegalStateException again) {
                    binding = null;
                    LOG.error("{}; the previous socket cannot be bound again either, the listener is down until its "
                            + "configuration changes: {}", e.getMessage(), again.getMessage());
                    return;
                }
            }
            LOG.error("{}; keeping the last good configuration ({})", e.getMessage(), where(binding));
            return;
        }
        binding = fresh;
        apply(next);
        if (old != null && !samePort) {
            old.close();
        }
        LOG.info("{}", bound(fresh, next));
    }

    private void apply(ListenerSettings next) {
        gate = new MandatoryModules(next.name(), next.mandatoryModules(), admin);
        settings = next;
    }

    private static SslContext tls(ListenerSettings settings) {
        return settings.tls() == null ? null : TlsContexts.server(settings.tls());
    }

    /**
     * Binds a server socket for {@code bound} on the shared event loops.
     *
     * @throws IllegalStateException naming the listener and the address when it cannot
     */
    private Binding bind(ListenerSettings bound, SslContext ssl) {
        InetSocketAddress address = new InetSocketAddress(bound.host(), bound.port());
        if (address.isUnresolved()) {
            throw new IllegalStateException("MQTT listener '" + bound.name() + "' cannot bind " + bound.host() + ":"
                    + bound.port() + ": unknown host " + bound.host());
        }
        ChannelGroup connections = new DefaultChannelGroup("mqtt-" + bound.name(), GlobalEventExecutor.INSTANCE);
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(loops.boss(), loops.workers())
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.SO_KEEPALIVE, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel channel) {
                        connections.add(channel);
                        setUp(channel.pipeline(), channel, bound, ssl);
                    }
                });
        ChannelFuture bind = bootstrap.bind(address).awaitUninterruptibly();
        if (!bind.isSuccess()) {
            Throwable cause = bind.cause();
            throw new IllegalStateException("MQTT listener '" + bound.name() + "' cannot bind " + bound.describeTransport()
                    + " port " + bound.port() + " on " + bound.host() + ": " + cause.getMessage()
                    + (cause instanceof BindException ? " (another process or listener holds the port?)" : ""), cause);
        }
        return new Binding(bound, ssl, bind.channel(), connections);
    }

    /** The transport handlers of one connection, then the protocol's. */
    private void setUp(ChannelPipeline channelPipeline, SocketChannel channel, ListenerSettings bound, SslContext ssl) {
        ListenerSettings current = settings;
        if (ssl != null) {
            channelPipeline.addLast("tls", ssl.newHandler(channel.alloc()));
            channelPipeline.addLast("tls-failures", new TlsFailures(current.name()));
        }
        if (bound.transport().equals(ListenerSettings.WEBSOCKET)) {
            channelPipeline.addLast("http", new HttpServerCodec());
            channelPipeline.addLast("http-aggregator", new HttpObjectAggregator(MAX_HANDSHAKE_CONTENT));
            channelPipeline.addLast("websocket", new WebSocketServerProtocolHandler(WebSocketServerProtocolConfig.newBuilder()
                    .websocketPath(bound.path())
                    .subprotocols(WebSocketFrames.SUBPROTOCOLS)
                    .checkStartsWith(false)
                    .handshakeTimeoutMillis(WEBSOCKET_HANDSHAKE_MILLIS)
                    .maxFramePayloadLength(current.maxPacketSize())
                    .allowExtensions(false)
                    .build()));
            channelPipeline.addLast("http-not-found", new WebSocketFrames.NotFound(bound.path()));
            channelPipeline.addLast("websocket-in", WebSocketFrames.Inbound.INSTANCE);
            channelPipeline.addLast("websocket-out", WebSocketFrames.Outbound.INSTANCE);
        }
        pipeline.addProtocolHandlers(channelPipeline,
                new ListenerInfo(current.name(), bound.transport(), ssl != null, current.maxPacketSize(), missingModules));
    }

    private static String bound(Binding binding, ListenerSettings settings) {
        return "MQTT listener '" + settings.name() + "' listening: " + where(binding) + ", "
                + (binding.settings().tls() == null ? "no TLS" : binding.settings().tls())
                + (settings.mandatoryModules().isEmpty() ? "" : ", requires modules " + settings.mandatoryModules());
    }

    /** {@code websocket on 0.0.0.0:9001/mqtt}. */
    private static String where(Binding binding) {
        if (binding == null) {
            return "not bound";
        }
        InetSocketAddress address = binding.address();
        ListenerSettings bound = binding.settings();
        return bound.transport() + " on " + address.getAddress().getHostAddress() + ":" + address.getPort()
                + (bound.path() == null ? "" : bound.path());
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
