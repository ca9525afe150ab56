package io.switchboard.mqtt.internal.protocol;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.mqtt.MqttConnectMessage;
import io.netty.handler.codec.mqtt.MqttConnectPayload;
import io.netty.handler.codec.mqtt.MqttConnectVariableHeader;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttIdentifierRejectedException;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageIdVariableHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttPubReplyMessageVariableHeader;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttPublishVariableHeader;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttReasonCodeAndPropertiesVariableHeader;
import io.netty.handler.codec.mqtt.MqttSubscribeMessage;
import io.netty.handler.codec.mqtt.MqttSubscriptionOption;
import io.netty.handler.codec.mqtt.MqttTopicSubscription;
import io.netty.handler.codec.mqtt.MqttUnacceptableProtocolVersionException;
import io.netty.handler.codec.mqtt.MqttUnsubscribeMessage;
import io.netty.handler.codec.mqtt.MqttVersion;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.switchboard.api.Admission;
import io.switchboard.api.Message;
import io.switchboard.api.ReasonCode;
import io.switchboard.api.Subscription;
import io.switchboard.api.TlsInfo;
import io.switchboard.api.broker.ClientConnection;
import io.switchboard.api.broker.ClientSession;
import io.switchboard.api.broker.LoginRequest;
import io.switchboard.api.broker.PublishResult;
import io.switchboard.api.broker.RefusedException;
import io.switchboard.mqtt.internal.ListenerInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One MQTT connection, from accept to close: admission (connect chain, TLS chain), CONNECT/CONNACK,
 * the QoS 0/1/2 flows in both directions, SUBSCRIBE/UNSUBSCRIBE, keep alive, DISCONNECT, and the MQTT
 * 5 features (reason codes and strings, properties, topic aliases, receive maximum, maximum packet
 * size, request/response information).
 *
 * <p>Threading: every field is confined to the channel's event loop, except {@link #session},
 * {@link #clientSession} (written once by the login step) and the will (taken by whichever thread ends
 * the connection's session). Broker stages complete on broker threads; their results hop back with
 * {@link #execute} before touching anything here. Nothing here blocks.
 *
 * <p>Bad input (a malformed packet, a protocol violation) closes this connection only, MQTT 5 clients
 * first getting a DISCONNECT with the reason code; the log line names the client id (or the remote
 * address before CONNECT) and the cause.
 */
final class MqttConnectionHandler extends ChannelDuplexHandler implements MqttSession.Outlet {

    private static final Logger LOG = LoggerFactory.getLogger(MqttConnectionHandler.class);
    /** The channel attribute Netty's MQTT codec keeps the protocol version in (set by the decoder at CONNECT). */
    private static final AttributeKey<MqttVersion> CODEC_VERSION = AttributeKey.valueOf("NETTY_CODEC_MQTT_VERSION");
    /** Packets a client may pipeline behind its CONNECT before the CONNACK. */
    private static final int MAX_EARLY_PACKETS = 1000;
    /** How long a connection closing after a DISCONNECT reads and drops the client's data before it closes. */
    static final long CLOSE_DRAIN_MILLIS = 2000;
    /**
     * Publishes and subscribes of one connection the broker has not decided yet, above which the
     * connection is not read: a QoS 0 flood cannot pile up work in the broker.
     */
    static final int MAX_PENDING_REQUESTS = 1000;
    /** MQTT 3.1.1 publishes held beyond the in-flight window before the client is closed as abusive. */
    static final int MAX_HELD_PUBLISHES = 1000;
    /** No limit on the packets sent to a client (MQTT's own limit is 268435460 bytes). */
    private static final long UNLIMITED = Long.MAX_VALUE;

    private enum State { NEW, CONNECTING, CONNECTED }

    /** A response written in the order its request arrived (PUBACK/PUBREC order, MQTT 4.6). */
    private static final class Response {
        /** The packet id of the PUBLISH acknowledged, or -1. */
        int packetId = -1;
        MqttMessage packet;
        Runnable afterWrite;
        /** Written last (by a broker thread for a decided publish): the fields above are then complete. */
        volatile boolean ready;
    }

    private final MqttProtocol protocol;
    private final ListenerInfo listener;
    private final ProtocolSettings settings;
    private final ProtocolSniffer sniffer;

    private ChannelHandlerContext ctx;
    private State state = State.NEW;
    private boolean started;
    /** Set once the protocol closes the connection on purpose; further input is ignored. */
    private boolean closing;
    private boolean inactive;
    private String closeReason;
    private InetSocketAddress remote;

    private ClientConnection connection;
    private TlsInfo tlsInfo;
    private boolean tlsSubmitted;
    private boolean tlsAdmitted;
    private MqttConnectMessage pendingConnect;
    private final ArrayDeque<MqttMessage> early = new ArrayDeque<>();

    // from CONNECT
    private boolean v5;
    private String clientId;
    private long sessionExpiry;
    private int keepAlive;
    private int clientReceiveMaximum = 65535;
    private long clientMaximumPacketSize = UNLIMITED;
    private int clientTopicAliasMaximum;
    private boolean problemInformation = true;
    private MessageIdProperty messageIdProperty = MessageIdProperty.NOT_REQUESTED;
    private boolean loginSubmitted;
    private MqttProperties connAckProperties;
    private final AtomicReference<Will> will = new AtomicReference<>();

    /** Set by the login step before {@link #loggedIn}; read by later steps of the same client id. */
    volatile MqttSession session;
    volatile ClientSession clientSession;

    // inbound flows
    private final Map<Integer, String> inboundAliases = new HashMap<>();
    /** Packet ids of QoS 1/2 publishes received on this connection and not yet fully acknowledged. */
    private final Set<Integer> inboundUnacked = new HashSet<>();
    /**
     * MQTT 3.1.1 has no Receive Maximum: publishes beyond {@code max.inflight} unfinished QoS 1/2 flows
     * wait here, in order, and are handled as flows finish. Reading goes on meanwhile, so the PUBRELs
     * that finish flows still arrive; a client holding more than {@link #MAX_HELD_PUBLISHES} is closed.
     */
    private final ArrayDeque<MqttPublishMessage> heldPublishes = new ArrayDeque<>();
    private final ArrayDeque<Response> responses = new ArrayDeque<>();
    private final AtomicBoolean responsesScheduled = new AtomicBoolean();
    /** Publishes and subscribes handed to the broker and not decided yet; ended from the broker's threads too. */
    private final AtomicInteger pendingRequests = new AtomicInteger();

    // outbound flows
    private final Map<String, Integer> outboundAliases = new HashMap<>();
    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    /** SUBACKs not written yet: deliveries wait, so retained messages follow their SUBACK (as Mosquitto does). */
    private int pendingSubAcks;

    MqttConnectionHandler(MqttProtocol protocol, ListenerInfo listener, ProtocolSettings settings, ProtocolSniffer sniffer) {
        this.protocol = protocol;
        this.listener = listener;
        this.settings = settings;
        this.sniffer = sniffer;
    }

    // ---- lifecycle and admission

    @Override
    public void handlerAdded(ChannelHandlerContext context) {
        this.ctx = context;
        if (context.channel().isActive()) {
            start();
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext context) {
        start();
        context.fireChannelActive();
    }

    /** Runs the connect chain, and the TLS chain once the handshake is done. */
    private void start() {
        if (started) {
            return;
        }
        started = true;
        remote = inet(ctx.channel().remoteAddress());
        protocol.opened(this);
        try {
            protocol.broker().accept(remote, inet(ctx.channel().localAddress()), listener.name())
                    .whenComplete((c, error) -> execute(() -> accepted(c, error)));
        } catch (RuntimeException e) {
            accepted(null, e);
        }
        if (!listener.tls()) {
            tlsAdmitted = true;
            return;
        }
        SslHandler ssl = ctx.pipeline().get(SslHandler.class);
        if (ssl == null) {
            LOG.warn("MQTT listener '{}' says TLS but the connection from {} has no SslHandler; no TLS details reported",
                    listener.name(), remote);
            tlsAdmitted = true;
            return;
        }
        ssl.handshakeFuture().addListener((Future<io.netty.channel.Channel> f) -> handshakeDone(ssl, f));
    }

    private void accepted(ClientConnection c, Throwable error) {
        if (error != null) {
            refusedBeforeConnect("connection", error);
            return;
        }
        connection = c;
        if (inactive) {
            c.closed(closeReason());
            return;
        }
        submitTls();
        proceed();
    }

    private void handshakeDone(SslHandler ssl, Future<?> handshake) {
        if (!handshake.isSuccess() || inactive) {
            return; // the SslHandler closes the connection
        }
        tlsInfo = tlsInfo(ssl.engine().getSession());
        submitTls();
    }

    private void submitTls() {
        if (connection == null || tlsInfo == null || tlsSubmitted || inactive) {
            return;
        }
        tlsSubmitted = true;
        try {
            connection.tlsEstablished(tlsInfo).whenComplete((v, error) -> execute(() -> tlsDone(error)));
        } catch (RuntimeException e) {
            tlsDone(e);
        }
    }

    private void tlsDone(Throwable error) {
        if (error != null) {
            refusedBeforeConnect("TLS session", error);
            return;
        }
        tlsAdmitted = true;
        proceed();
    }

    private void refusedBeforeConnect(String what, Throwable error) {
        Throwable cause = unwrap(error);
        String reason = cause instanceof RefusedException r ? r.reasonCode() + ": " + r.getMessage() : cause.toString();
        LOG.info("MQTT {} on listener '{}': {} refused ({}); closing", who(), listener.name(), what, reason);
        closeNow(what + " refused: " + reason);
    }

    /** Handles the CONNECT once the connection (and its TLS session) is admitted. */
    private void proceed() {
        if (connection != null && tlsAdmitted && pendingConnect != null && !closing) {
            MqttConnectMessage m = pendingConnect;
            pendingConnect = null;
            onConnect(m);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext context) {
        inactive = true;
        closing = true;
        heldPublishes.forEach(MqttPublishMessage::release);
        heldPublishes.clear();
        drainEarly();
        protocol.closed(this);
        String reason = closeReason();
        if (loginSubmitted) {
            LOG.debug("MQTT {} disconnected: {}", who(), reason);
            protocol.connectionEnded(this, clientId, reason, sessionExpiry, connection);
        } else if (connection != null) {
            connection.closed(reason);
        }
        context.fireChannelInactive();
    }

    private String closeReason() {
        return closeReason != null ? closeReason : "connection lost";
    }

    /** The protocol is shutting down: MQTT 5 clients get DISCONNECT 0x8B, then the connection closes. */
    void shutdown() {
        execute(() -> closeWith(Packets.SERVER_SHUTTING_DOWN, "server shutting down", true));
    }

    /**
     * Someone else closes the channel (the listener going away): MQTT 5 clients are told the server is
     * shutting down first.
     */
    @Override
    public void close(ChannelHandlerContext context, ChannelPromise promise) {
        if (!closing && state == State.CONNECTED && v5 && context.channel().isActive()) {
            closing = true;
            closeReason = "server shutting down";
            context.writeAndFlush(Packets.disconnect(Packets.SERVER_SHUTTING_DOWN, MqttProperties.NO_PROPERTIES));
        }
        closing = true;
        context.close(promise);
    }

    @Override
    public Will takeOver() {
        Will taken = will.getAndSet(null);
        execute(() -> closeWith(Packets.SESSION_TAKEN_OVER, "session taken over by a new connection", true));
        return taken;
    }

    /** The connection's channel. */
    io.netty.channel.Channel channel() {
        return ctx.channel();
    }

    /** The will, taken (so it is published at most once), or {@code null}. */
    Will takeWill() {
        return will.getAndSet(null);
    }

    // ---- inbound packets

    @Override
    public void channelRead(ChannelHandlerContext context, Object msg) {
        if (!(msg instanceof MqttMessage m)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (closing) {
            ReferenceCountUtil.release(m);
            return;
        }
        if (m.decoderResult().isFailure()) {
            try {
                malformed(m);
            } finally {
                ReferenceCountUtil.release(m);
            }
            return;
        }
        MqttMessageType type = m.fixedHeader().messageType();
        switch (state) {
            case NEW -> {
                if (type != MqttMessageType.CONNECT) {
                    ReferenceCountUtil.release(m);
                    violation(Packets.PROTOCOL_ERROR, "the first packet must be CONNECT, was " + type);
                    return;
                }
                state = State.CONNECTING;
                pendingConnect = (MqttConnectMessage) m;
                // no reads until CONNACK: packets already decoded wait in 'early'
                context.channel().config().setAutoRead(false);
                proceed();
            }
            case CONNECTING -> {
                if (type == MqttMessageType.CONNECT) {
                    ReferenceCountUtil.release(m);
                    violation(Packets.PROTOCOL_ERROR, "a second CONNECT");
                } else if (early.size() >= MAX_EARLY_PACKETS) {
                    ReferenceCountUtil.release(m);
                    violation(Packets.PROTOCOL_ERROR, "more than " + MAX_EARLY_PACKETS + " packets before CONNACK");
                } else {
                    early.add(m);
                }
            }
            case CONNECTED -> dispatch(m);
        }
    }

    private void dispatch(MqttMessage m) {
        switch (m.fixedHeader().messageType()) {
            case PUBLISH -> onPublish((MqttPublishMessage) m);
            case PUBACK -> onPubAck(packetId(m), replyCode(m));
            case PUBREC -> onPubRec(packetId(m), replyCode(m));
            case PUBREL -> onPubRel(packetId(m));
            case PUBCOMP -> onPubComp(packetId(m));
            case SUBSCRIBE -> onSubscribe((MqttSubscribeMessage) m);
            case UNSUBSCRIBE -> onUnsubscribe((MqttUnsubscribeMessage) m);
            case PINGREQ -> ctx.writeAndFlush(MqttMessage.PINGRESP);
            case DISCONNECT -> onDisconnect(m);
            case CONNECT -> violation(Packets.PROTOCOL_ERROR, "a second CONNECT");
            case AUTH -> violation(Packets.PROTOCOL_ERROR, "AUTH without an authentication method at CONNECT");
            default -> {
                ReferenceCountUtil.release(m);
                violation(Packets.PROTOCOL_ERROR, m.fixedHeader().messageType() + " is not sent by clients");
            }
        }
    }

    private void malformed(MqttMessage m) {
        Throwable cause = m.decoderResult().cause();
        if (state == State.NEW) {
            if (cause instanceof MqttUnacceptableProtocolVersionException) {
                refuseProtocolVersion();
            } else if (cause instanceof MqttIdentifierRejectedException) {
                refuseConnectCode(codecIsV5() ? Packets.CLIENT_IDENTIFIER_NOT_VALID : Packets.V3_IDENTIFIER_REJECTED,
                        "client identifier rejected: " + cause.getMessage(), codecIsV5());
            } else if (codecIsV5() && !(cause instanceof TooLongFrameException)) {
                refuseConnectCode(Packets.MALFORMED_PACKET, "malformed CONNECT: " + cause.getMessage(), true);
            } else {
                violation(Packets.MALFORMED_PACKET, "malformed first packet: " + describe(cause));
            }
            return;
        }
        int code = cause instanceof TooLongFrameException ? Packets.PACKET_TOO_LARGE : Packets.MALFORMED_PACKET;
        violation(code, (code == Packets.PACKET_TOO_LARGE ? "packet too large (listener maximum "
                + listener.maxPacketSize() + " bytes): " : "malformed packet: ") + describe(cause));
    }

    private static String describe(Throwable cause) {
        return cause == null ? "?" : cause.getMessage() != null ? cause.getMessage() : cause.toString();
    }

    private boolean codecIsV5() {
        return ctx.channel().attr(CODEC_VERSION).get() == MqttVersion.MQTT_5;
    }

    private void refuseProtocolVersion() {
        int level = sniffer.level();
        String name = sniffer.name();
        if (level > 5 && "MQTT".equals(name)) {
            ctx.channel().attr(CODEC_VERSION).set(MqttVersion.MQTT_5);
            refuseConnectCode(Packets.UNSUPPORTED_PROTOCOL_VERSION, "unsupported protocol level " + level, true);
        } else if (level >= 0 && ("MQTT".equals(name) || "MQIsdp".equals(name))) {
            ctx.channel().attr(CODEC_VERSION).set(MqttVersion.MQTT_3_1_1);
            refuseConnectCode(Packets.V3_UNACCEPTABLE_PROTOCOL_VERSION, "unsupported protocol level " + level, false);
        } else {
            violation(Packets.MALFORMED_PACKET, "not MQTT: protocol name '" + name + "'");
        }
    }

    // ---- CONNECT

    private void onConnect(MqttConnectMessage m) {
        MqttConnectVariableHeader header = m.variableHeader();
        MqttConnectPayload payload = m.payload();
        int level = header.version();
        if (level != 4 && level != 5) {
            ctx.channel().attr(CODEC_VERSION).set(MqttVersion.MQTT_3_1_1);
            refuseConnectCode(Packets.V3_UNACCEPTABLE_PROTOCOL_VERSION, "unsupported protocol level " + level, false);
            return;
        }
        v5 = level == 5;
        String missing = listener.missingModules() == null ? null : listener.missingModules().get();
        if (missing != null) {
            refuseConnect(ReasonCode.SERVER_UNAVAILABLE, missing);
            return;
        }
        if (protocol.stopping()) {
            refuseConnect(ReasonCode.SERVER_UNAVAILABLE, "server shutting down");
            return;
        }
        if (!header.isWillFlag() && (header.willQos() != 0 || header.isWillRetain())) {
            malformedConnect("will QoS or will retain set without a will");
            return;
        }
        if (header.willQos() > 2) {
            malformedConnect("will QoS 3");
            return;
        }
        if (!v5 && header.hasPassword() && !header.hasUserName()) {
            malformedConnect("password without user name");
            return;
        }
        boolean cleanStart = header.isCleanSession();
        boolean responseInformation = false;
        long requestedExpiry;
        if (v5) {
            MqttProperties p = header.properties();
            requestedExpiry = MessageProperties.unsigned(p, MqttProperties.SESSION_EXPIRY_INTERVAL, 0);
            Integer receiveMaximum = MessageProperties.integer(p, MqttProperties.RECEIVE_MAXIMUM);
            if (receiveMaximum != null && receiveMaximum == 0) {
                refuseConnectCode(Packets.PROTOCOL_ERROR, "receive maximum 0", true);
                return;
            }
            clientReceiveMaximum = receiveMaximum == null ? 65535 : receiveMaximum;
            long maximumPacketSize = MessageProperties.unsigned(p, MqttProperties.MAXIMUM_PACKET_SIZE, -1);
            if (maximumPacketSize == 0) {
                refuseConnectCode(Packets.PROTOCOL_ERROR, "maximum packet size 0", true);
                return;
            }
            clientMaximumPacketSize = maximumPacketSize < 0 ? UNLIMITED : maximumPacketSize;
            Integer aliasMaximum = MessageProperties.integer(p, MqttProperties.TOPIC_ALIAS_MAXIMUM);
            clientTopicAliasMaximum = aliasMaximum == null ? 0 : aliasMaximum;
            Integer requestResponse = MessageProperties.integer(p, MqttProperties.REQUEST_RESPONSE_INFORMATION);
            Integer requestProblem = MessageProperties.integer(p, MqttProperties.REQUEST_PROBLEM_INFORMATION);
            if (requestResponse != null && requestResponse > 1 || requestProblem != null && requestProblem > 1) {
                refuseConnectCode(Packets.PROTOCOL_ERROR, "request response/problem information must be 0 or 1", true);
                return;
            }
            responseInformation = requestResponse != null && requestResponse == 1;
            problemInformation = requestProblem == null || requestProblem == 1;
            messageIdProperty = MessageIdProperty.requestedIn(p, settings.messageIdProperty());
            if (p.getProperty(MqttProperties.AUTHENTICATION_METHOD) != null) {
                refuseConnectCode(Packets.BAD_AUTHENTICATION_METHOD, "enhanced authentication is not supported", true);
                return;
            }
        } else {
            requestedExpiry = cleanStart ? 0 : ProtocolSettings.NEVER;
        }
        sessionExpiry = Math.min(requestedExpiry, settings.maxSessionExpiry());

        String id = payload.clientIdentifier();
        boolean assigned = false;
        if (id == null || id.isEmpty()) {
            if (!v5 && !cleanStart) {
                refuseConnectCode(Packets.V3_IDENTIFIER_REJECTED, "an empty client id needs clean session", false);
                return;
            }
            id = protocol.assignClientId(settings);
            assigned = true;
        }
        clientId = id;

        int requestedKeepAlive = header.keepAliveTimeSeconds();
        if (!v5 && settings.exceedsMaxKeepAlive(requestedKeepAlive)) {
            // a 3.1.1 client cannot be told another keep alive (Mosquitto refuses it the same way)
            refuseConnectCode(Packets.V3_IDENTIFIER_REJECTED, "keep alive " + requestedKeepAlive
                    + " s is above the maximum of " + settings.maxKeepAlive() + " s (max.keep.alive)", false);
            return;
        }
        keepAlive = settings.keepAliveFor(requestedKeepAlive, v5);
        boolean serverKeepAlive = v5 && (settings.serverKeepAlive() > 0 || keepAlive != requestedKeepAlive);

        if (header.isWillFlag()) {
            int willQos = header.willQos();
            boolean willRetain = header.isWillRetain();
            if (willQos > settings.maximumQos()) {
                if (v5) {
                    refuseConnectCode(Packets.QOS_NOT_SUPPORTED, "will QoS " + willQos + " above the maximum QoS "
                            + settings.maximumQos(), true);
                    return;
                }
                willQos = settings.maximumQos();
            }
            if (willRetain && !settings.retainAvailable()) {
                if (v5) {
                    refuseConnectCode(Packets.RETAIN_NOT_SUPPORTED, "retained will while retain is not available", true);
                    return;
                }
                willRetain = false;
            }
            try {
                will.set(will(payload, willQos, willRetain));
            } catch (IllegalArgumentException e) {
                refuseConnectCode(v5 ? Packets.TOPIC_NAME_INVALID : Packets.V3_NOT_AUTHORIZED, "will: " + e.getMessage(), v5);
                return;
            }
        }

        connAckProperties = connAckProperties(assigned, requestedExpiry != sessionExpiry, serverKeepAlive,
                responseInformation);
        loginSubmitted = true;
        LoginRequest request = new LoginRequest(connection, clientId, payload.userName(), payload.passwordInBytes(),
                v5 ? "mqtt-5" : "mqtt-3.1.1", cleanStart);
        protocol.login(this, request, settings);
    }

    private Will will(MqttConnectPayload payload, int qos, boolean retain) {
        Message.Builder b = Message.builder(payload.willTopic()).qos(qos).retain(retain)
                .payload(payload.willMessageInBytes());
        long delay = 0;
        long expiry = 0;
        if (v5) {
            MqttProperties p = payload.willProperties();
            delay = MessageProperties.unsigned(p, MqttProperties.WILL_DELAY_INTERVAL, 0);
            expiry = MessageProperties.unsigned(p, MqttProperties.PUBLICATION_EXPIRY_INTERVAL, 0);
            MessageProperties.copyInto(b, p);
        }
        return new Will(b.build(), delay, expiry);
    }

    private MqttProperties connAckProperties(boolean assigned, boolean expiryChanged, boolean serverKeepAlive,
            boolean responseInformation) {
        if (!v5) {
            return MqttProperties.NO_PROPERTIES;
        }
        MqttProperties p = new MqttProperties();
        if (assigned) {
            p.add(new MqttProperties.StringProperty(MqttProperties.ASSIGNED_CLIENT_IDENTIFIER, clientId));
        }
        if (expiryChanged) {
            p.add(new MqttProperties.IntegerProperty(MqttProperties.SESSION_EXPIRY_INTERVAL, (int) sessionExpiry));
        }
        if (settings.maxInflight() < 65535) {
            p.add(new MqttProperties.IntegerProperty(MqttProperties.RECEIVE_MAXIMUM, settings.maxInflight()));
        }
        if (settings.maximumQos() < 2) {
            p.add(new MqttProperties.IntegerProperty(MqttProperties.MAXIMUM_QOS, settings.maximumQos()));
        }
        if (!settings.retainAvailable()) {
            p.add(new MqttProperties.IntegerProperty(MqttProperties.RETAIN_AVAILABLE, 0));
        }
        if (listener.maxPacketSize() > 0) {
            p.add(new MqttProperties.IntegerProperty(MqttProperties.MAXIMUM_PACKET_SIZE, listener.maxPacketSize()));
        }
        if (settings.topicAliasMaximum() > 0) {
            p.add(new MqttProperties.IntegerProperty(MqttProperties.TOPIC_ALIAS_MAXIMUM, settings.topicAliasMaximum()));
        }
        if (serverKeepAlive) {
            p.add(new MqttProperties.IntegerProperty(MqttProperties.SERVER_KEEP_ALIVE, keepAlive));
        }
        if (responseInformation && !settings.responseInformationPrefix().isEmpty()) {
            p.add(new MqttProperties.StringProperty(MqttProperties.RESPONSE_INFORMATION,
                    settings.responseInformationPrefix() + clientId + "/"));
        }
        return p;
    }

    /** A login (from the protocol's step, any thread) was refused. */
    void loginRefused(Throwable error) {
        execute(() -> {
            Throwable cause = unwrap(error);
            if (cause instanceof RefusedException r) {
                refuseConnect(r.reasonCode(), r.getMessage());
            } else {
                LOG.warn("MQTT {}: login failed", who(), cause);
                refuseConnect(ReasonCode.SERVER_UNAVAILABLE, "login failed: " + cause);
            }
        });
    }

    /** The login succeeded (from the protocol's step, any thread): CONNACK, resend, send, go on reading. */
    void loggedIn(ClientSession handle, MqttSession s, boolean sessionPresent) {
        execute(() -> {
            if (closing) {
                return; // the connection ended meanwhile; its step detaches or closes the session
            }
            ctx.write(Packets.connAck(Packets.SUCCESS, sessionPresent, connAckProperties));
            state = State.CONNECTED;
            LOG.debug("MQTT {} connected ({}, session {}, keep alive {}s, session expiry {})", who(), v5 ? "5" : "3.1.1",
                    sessionPresent ? "resumed" : "new", keepAlive, sessionExpiry);
            keepAlive();
            for (MqttSession.Outgoing o : s.inflight()) {
                // MQTT 4.4: unacknowledged PUBLISH (DUP) and PUBREL packets are resent with their packet ids
                if (o.released) {
                    ctx.write(Packets.pubReply(MqttMessageType.PUBREL, o.packetId, Packets.SUCCESS, null));
                } else {
                    send(s, o, true);
                }
            }
            ctx.flush();
            updateAutoRead();
            drain();
            while (!early.isEmpty() && !closing) {
                dispatch(early.poll());
            }
        });
    }

    private void refuseConnect(ReasonCode code, String reason) {
        refuseConnectCode(v5 ? Packets.connAckCode(code) : Packets.connAckCodeV3(code), reason, v5);
    }

    private void malformedConnect(String reason) {
        if (v5) {
            refuseConnectCode(Packets.MALFORMED_PACKET, reason, true);
        } else {
            violation(Packets.MALFORMED_PACKET, "malformed CONNECT: " + reason);
        }
    }

    /** Sends a refusing CONNACK (a 3.1.1 return code or an MQTT 5 reason code) and closes. */
    private void refuseConnectCode(int code, String reason, boolean asV5) {
        LOG.info("MQTT {}: CONNECT refused with {} ({}); closing", who(), hex(code), reason);
        closing = true;
        closeReason = "CONNECT refused: " + reason;
        MqttProperties p = asV5 ? Packets.reasonString(fits(reason, 8)) : MqttProperties.NO_PROPERTIES;
        ctx.writeAndFlush(Packets.connAck(code, false, p)).addListener(ChannelFutureListener.CLOSE);
    }

    /** Replaces the connect timeout by the keep alive: no packet for 1.5 times the keep alive closes. */
    private void keepAlive() {
        ChannelHandler idle = ctx.pipeline().get(MqttProtocol.IDLE);
        if (keepAlive == 0) {
            if (idle != null) {
                ctx.pipeline().remove(idle);
            }
            return;
        }
        IdleStateHandler handler = new IdleStateHandler(keepAlive * 1500L, 0, 0, TimeUnit.MILLISECONDS);
        if (idle != null) {
            ctx.pipeline().replace(idle, MqttProtocol.IDLE, handler);
        } else {
            ctx.pipeline().addBefore(ctx.name(), MqttProtocol.IDLE, handler);
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext context, Object evt) {
        if (evt instanceof IdleStateEvent e && e.state() == IdleState.READER_IDLE) {
            if (state == State.CONNECTED && !context.channel().config().isAutoRead()) {
                return; // not reading on purpose (the broker is behind): the client is not idle
            }
            if (state == State.CONNECTED) {
                violation(Packets.KEEP_ALIVE_TIMEOUT, "keep alive timeout (no packet for " + keepAlive * 1.5 + " s)");
            } else if (state == State.NEW) {
                LOG.info("MQTT {}: no CONNECT within {} s; closing", who(), settings.connectTimeoutSeconds());
                closeNow("no CONNECT within " + settings.connectTimeoutSeconds() + " s");
            } else {
                LOG.info("MQTT {}: CONNECT not decided within {} s; closing", who(), settings.connectTimeoutSeconds());
                closeNow("CONNECT not decided within " + settings.connectTimeoutSeconds() + " s");
            }
            return;
        }
        context.fireUserEventTriggered(evt);
    }

    // ---- DISCONNECT

    private void onDisconnect(MqttMessage m) {
        int code = 0;
        if (v5 && m.variableHeader() instanceof MqttReasonCodeAndPropertiesVariableHeader h) {
            code = h.reasonCode() & 0xFF;
            long expiry = MessageProperties.unsigned(h.properties(), MqttProperties.SESSION_EXPIRY_INTERVAL, -1);
            if (expiry >= 0) {
                if (sessionExpiry == 0 && expiry != 0) {
                    // MQTT 5 3.14.2.2.2: not a valid DISCONNECT, so the will is published
                    violation(Packets.PROTOCOL_ERROR, "DISCONNECT sets a session expiry after 0 at CONNECT");
                    return;
                }
                sessionExpiry = Math.min(expiry, settings.maxSessionExpiry());
            }
        }
        if (code != Packets.DISCONNECT_WITH_WILL) {
            will.set(null);
        }
        closeNow(code == 0 ? "client disconnected" : "client disconnected with reason code " + hex(code));
    }

    // ---- PUBLISH from the client

    private void onPublish(MqttPublishMessage p) {
        if (!v5 && (!heldPublishes.isEmpty()
                || p.fixedHeader().qosLevel().value() > 0 && inboundUnacked.size() >= settings.maxInflight())) {
            if (heldPublishes.size() >= MAX_HELD_PUBLISHES) {
                p.release();
                violation(Packets.RECEIVE_MAXIMUM_EXCEEDED, "more than " + MAX_HELD_PUBLISHES
                        + " publishes beyond the in-flight window of " + settings.maxInflight());
                return;
            }
            heldPublishes.add(p);
            return;
        }
        try {
            publish(p);
        } finally {
            p.release();
        }
    }

    /** Handles held publishes while the in-flight window has room (3.1.1). */
    private void releaseHeldPublishes() {
        while (!heldPublishes.isEmpty() && !closing && inboundUnacked.size() < settings.maxInflight()) {
            MqttPublishMessage p = heldPublishes.poll();
            try {
                publish(p);
            } finally {
                p.release();
            }
        }
    }

    private void publish(MqttPublishMessage p) {
        MqttFixedHeader fixed = p.fixedHeader();
        int qos = fixed.qosLevel().value();
        boolean retain = fixed.isRetain();
        MqttPublishVariableHeader header = p.variableHeader();
        int packetId = header.packetId();
        MqttProperties props = header.properties();
        if (qos == 0 && fixed.isDup()) {
            violation(Packets.MALFORMED_PACKET, "QoS 0 PUBLISH with DUP set (MQTT-3.3.1-2)");
            return;
        }
        if (qos > settings.maximumQos()) {
            violation(Packets.QOS_NOT_SUPPORTED, "QoS " + qos + " publish above the maximum QoS " + settings.maximumQos());
            return;
        }
        if (retain && !settings.retainAvailable()) {
            violation(Packets.RETAIN_NOT_SUPPORTED, "retained publish while retain is not available");
            return;
        }
        String topic = header.topicName();
        if (v5) {
            Integer alias = MessageProperties.integer(props, MqttProperties.TOPIC_ALIAS);
            if (alias != null) {
                if (alias == 0 || alias > settings.topicAliasMaximum()) {
                    violation(Packets.TOPIC_ALIAS_INVALID, "topic alias " + alias + " (maximum "
                            + settings.topicAliasMaximum() + ")");
                    return;
                }
                if (topic.isEmpty()) {
                    topic = inboundAliases.get(alias);
                    if (topic == null) {
                        violation(Packets.PROTOCOL_ERROR, "topic alias " + alias + " used before it was set");
                        return;
                    }
                } else {
                    inboundAliases.put(alias, topic);
                }
            }
            if (!props.getProperties(MqttProperties.SUBSCRIPTION_IDENTIFIER).isEmpty()) {
                violation(Packets.PROTOCOL_ERROR, "a PUBLISH from a client carries a subscription identifier");
                return;
            }
            String responseTopic = MessageProperties.string(props, MqttProperties.RESPONSE_TOPIC);
            if (responseTopic != null && (responseTopic.isEmpty() || responseTopic.indexOf('+') >= 0
                    || responseTopic.indexOf('#') >= 0)) {
                violation(Packets.PROTOCOL_ERROR, "response topic '" + responseTopic + "' is not a topic name");
                return;
            }
        }
        if (topic.isEmpty()) {
            violation(Packets.PROTOCOL_ERROR, "PUBLISH without a topic name");
            return;
        }
        if (qos == 2 && session.hasQos2(packetId)) {
            // a resend whose PUBREC was lost: acknowledge again, publish nothing (exactly once)
            if (!awaitingBroker(packetId)) {
                respond(Packets.pubReply(MqttMessageType.PUBREC, packetId, Packets.SUCCESS, null), null);
            }
            return;
        }
        if (qos > 0) {
            if (inboundUnacked.size() >= settings.maxInflight() && v5) {
                violation(Packets.RECEIVE_MAXIMUM_EXCEEDED, "more than " + settings.maxInflight()
                        + " unacknowledged QoS 1/2 publishes (receive maximum)");
                return;
            }
            inboundUnacked.add(packetId);
            if (qos == 2) {
                session.receiveQos2(packetId);
            }
            updateAutoRead();
        }
        byte[] payload = ByteBufUtil.getBytes(p.content());
        boolean utf8 = v5 && MessageProperties.payloadIsUtf8(props);
        if (utf8 && !isUtf8(payload)) {
            refusePublish(qos, packetId, Packets.PAYLOAD_FORMAT_INVALID, "the payload is not UTF-8 as its format "
                    + "indicator says");
            return;
        }
        if (ReadReceipts.isReceipt(topic)) {
            readReceipt(topic, qos, packetId);
            return;
        }
        Message message;
        try {
            Message.Builder b = Message.builder(topic).qos(qos).retain(retain).payload(payload);
            if (v5) {
                long expiry = MessageProperties.unsigned(props, MqttProperties.PUBLICATION_EXPIRY_INTERVAL, 0);
                if (expiry > 0) {
                    b.expiresAt(System.currentTimeMillis() + expiry * 1000);
                }
                MessageProperties.copyInto(b, props);
            }
            message = b.build();
        } catch (IllegalArgumentException e) {
            refusePublish(qos, packetId, Packets.TOPIC_NAME_INVALID, e.getMessage());
            return;
        }
        CompletionStage<PublishResult> published;
        try {
            published = clientSession.publish(message);
        } catch (RuntimeException e) {
            published = CompletableFuture.failedFuture(e);
        }
        requestStarted();
        if (qos == 0) {
            published.whenComplete((result, error) -> {
                if (error != null) {
                    LOG.debug("MQTT {}: QoS 0 publish to '{}' failed: {}", who(), message.topic(), error.toString());
                }
                requestDone();
            });
            return;
        }
        Response response = new Response();
        response.packetId = packetId;
        responses.add(response);
        published.whenComplete((result, error) -> {
            requestDone();
            publishOutcome(response, qos, packetId, result, error);
            scheduleResponses();
        });
    }

    /** The PUBACK/PUBREC for a publish the broker decided on; on the broker's thread, so it only fills {@code response}. */
    private void publishOutcome(Response response, int qos, int packetId, PublishResult result, Throwable error) {
        int code = Packets.SUCCESS;
        String reason = null;
        if (error != null) {
            code = Packets.UNSPECIFIED_ERROR;
            reason = "publish failed: " + describe(unwrap(error));
            LOG.debug("MQTT {}: {}", who(), reason);
        } else if (!result.routed() && result.reasonCode() != null) {
            code = Packets.pubAckCode(result.reasonCode());
            reason = result.reason();
        } else if (result.routed() && result.recipients() == 0) {
            code = Packets.NO_MATCHING_SUBSCRIBERS;
        }
        if (!v5) {
            code = Packets.SUCCESS; // 3.1.1 acknowledgements carry no outcome
        }
        fillAck(response, qos, packetId, code, reason);
    }

    private void fillAck(Response response, int qos, int packetId, int code, String reason) {
        MqttMessageType type = qos == 1 ? MqttMessageType.PUBACK : MqttMessageType.PUBREC;
        response.packet = Packets.pubReply(type, packetId, code, problemProperties(reason));
        boolean done = qos == 1 || code >= 0x80;
        response.afterWrite = () -> {
            if (done) {
                // QoS 1 ends here; a refused QoS 2 flow too (the client sends no PUBREL)
                if (qos == 2) {
                    MqttSession s = session;
                    s.releaseQos2(packetId);
                }
                inboundUnacked.remove(packetId);
                updateAutoRead();
                releaseHeldPublishes();
            }
        };
        response.ready = true;
    }

    /** A publish refused by the protocol itself: MQTT 5 gets the code, 3.1.1 a plain ack, QoS 0 nothing. */
    private void refusePublish(int qos, int packetId, int code, String reason) {
        LOG.info("MQTT {}: publish refused with {}: {}", who(), hex(code), reason);
        if (qos == 0) {
            return;
        }
        Response response = new Response();
        responses.add(response);
        fillAck(response, qos, packetId, v5 ? code : Packets.SUCCESS, reason);
        flushResponses();
    }

    private void readReceipt(String topic, int qos, int packetId) {
        long messageId = ReadReceipts.messageId(topic);
        if (messageId < 0) {
            refusePublish(qos, packetId, Packets.TOPIC_NAME_INVALID, "read receipt '" + topic
                    + "' does not name a message id ($read/<id>)");
            return;
        }
        clientSession.read(messageId);
        if (qos > 0) {
            Response response = new Response();
            responses.add(response);
            fillAck(response, qos, packetId, Packets.SUCCESS, null);
            flushResponses();
        }
    }

    private void onPubRel(int packetId) {
        boolean known = session.releaseQos2(packetId);
        boolean finished = inboundUnacked.remove(packetId);
        if (finished) {
            updateAutoRead();
        }
        ctx.writeAndFlush(Packets.pubReply(MqttMessageType.PUBCOMP, packetId,
                known || !v5 ? Packets.SUCCESS : Packets.PACKET_IDENTIFIER_NOT_FOUND, null));
        if (finished) {
            releaseHeldPublishes();
        }
    }

    /** Whether the acknowledgement of the publish {@code packetId} still waits for the broker. */
    private boolean awaitingBroker(int packetId) {
        for (Response r : responses) {
            if (!r.ready && r.packetId == packetId) {
                return true;
            }
        }
        return false;
    }

    /** Queues a response ready now, behind the responses still waiting for the broker. */
    private void respond(MqttMessage packet, Runnable afterWrite) {
        Response r = new Response();
        r.packet = packet;
        r.afterWrite = afterWrite;
        r.ready = true;
        responses.add(r);
        flushResponses();
    }

    /**
     * Has the ready responses written on the event loop; from any thread. Publishes decided in a burst
     * share one task and one flush instead of a task each.
     */
    private void scheduleResponses() {
        executeOnce(responsesScheduled, this::flushResponses);
    }

    /** Writes the ready responses at the head of the queue, in order. Call on the event loop. */
    private void flushResponses() {
        boolean wrote = false;
        Response head;
        while ((head = responses.peek()) != null && head.ready) {
            responses.poll();
            if (!closing) {
                ctx.write(head.packet);
                wrote = true;
            } else {
                ReferenceCountUtil.release(head.packet);
            }
            if (head.afterWrite != null) {
                head.afterWrite.run();
            }
        }
        if (wrote) {
            ctx.flush();
        }
    }

    // ---- SUBSCRIBE / UNSUBSCRIBE

    private void onSubscribe(MqttSubscribeMessage m) {
        int packetId = m.variableHeader().messageId();
        int subscriptionId = 0;
        if (v5) {
            List<? extends MqttProperties.MqttProperty> ids = m.idAndPropertiesVariableHeader().properties()
                    .getProperties(MqttProperties.SUBSCRIPTION_IDENTIFIER);
            if (!ids.isEmpty()) {
                subscriptionId = (Integer) ids.get(0).value();
                if (ids.size() > 1 || subscriptionId <= 0 || subscriptionId > 268_435_455) {
                    violation(Packets.PROTOCOL_ERROR, "invalid subscription identifier");
                    return;
                }
            }
        }
        List<MqttTopicSubscription> requested = m.payload().topicSubscriptions();
        if (requested.isEmpty()) {
            violation(Packets.PROTOCOL_ERROR, "SUBSCRIBE without topic filters");
            return;
        }
        MqttSession s = session;
        List<CompletableFuture<Integer>> codes = new ArrayList<>(requested.size());
        List<String> reasons = new ArrayList<>();
        for (MqttTopicSubscription t : requested) {
            String filter = t.topicFilter();
            MqttSubscriptionOption option = t.option();
            String invalid = TopicFilters.invalid(filter);
            if (invalid != null) {
                reasons.add("'" + filter + "': " + invalid);
                codes.add(CompletableFuture.completedFuture(v5 ? Packets.TOPIC_FILTER_INVALID : Packets.UNSPECIFIED_ERROR));
                continue;
            }
            if (v5 && option.isNoLocal() && TopicFilters.isShared(filter)) {
                violation(Packets.PROTOCOL_ERROR, "no local on the shared subscription '" + filter + "'");
                return;
            }
            int qos = Math.min(option.qos().value(), settings.maximumQos());
            Subscription subscription = new Subscription(filter, qos, v5 && option.isNoLocal(),
                    v5 && option.isRetainAsPublished(), v5 ? option.retainHandling().value() : 0);
            // before subscribing: retained messages sent at once carry the identifier too
            s.subscriptionId(filter, subscriptionId);
            CompletionStage<Admission> admitted;
            try {
                admitted = clientSession.subscribe(subscription);
            } catch (RuntimeException e) {
                admitted = CompletableFuture.failedFuture(e);
            }
            codes.add(admitted.handle((admission, error) -> {
                if (error != null || admission.isRefused()) {
                    s.subscriptionId(filter, 0);
                    Throwable cause = error == null ? null : unwrap(error);
                    synchronized (reasons) {
                        reasons.add("'" + filter + "': " + (cause != null ? describe(cause)
                                : admission.reason() != null ? admission.reason() : String.valueOf(admission.reasonCode())));
                    }
                    if (!v5) {
                        return Packets.UNSPECIFIED_ERROR;
                    }
                    if (cause instanceof IllegalArgumentException) {
                        return Packets.TOPIC_FILTER_INVALID;
                    }
                    return error != null ? Packets.UNSPECIFIED_ERROR : Packets.subAckCode(admission.reasonCode());
                }
                return qos;
            }).toCompletableFuture());
        }
        Response response = new Response();
        responses.add(response);
        pendingSubAcks++;
        response.afterWrite = () -> {
            pendingSubAcks--;
            drain();
        };
        requestStarted();
        CompletableFuture.allOf(codes.toArray(CompletableFuture[]::new)).whenComplete((v, e) -> execute(() -> {
            requestDone();
            List<Integer> granted = new ArrayList<>(codes.size());
            for (CompletableFuture<Integer> c : codes) {
                granted.add(c.getNow(Packets.UNSPECIFIED_ERROR));
            }
            String reason;
            synchronized (reasons) {
                reason = reasons.isEmpty() ? null : String.join("; ", reasons);
            }
            if (reason != null) {
                LOG.debug("MQTT {}: subscriptions refused: {}", who(), reason);
            }
            response.packet = Packets.subAck(packetId, granted, problemProperties(reason));
            response.ready = true;
            flushResponses();
        }));
    }

    private void onUnsubscribe(MqttUnsubscribeMessage m) {
        int packetId = m.variableHeader().messageId();
        List<String> filters = m.payload().topics();
        if (filters.isEmpty()) {
            violation(Packets.PROTOCOL_ERROR, "UNSUBSCRIBE without topic filters");
            return;
        }
        List<CompletableFuture<Integer>> codes = new ArrayList<>(filters.size());
        for (String filter : filters) {
            if (TopicFilters.invalid(filter) != null) {
                codes.add(CompletableFuture.completedFuture(Packets.TOPIC_FILTER_INVALID));
                continue;
            }
            // cleared now, not when the removal completes: a SUBSCRIBE right after sets the filter's new id
            session.subscriptionId(filter, 0);
            CompletionStage<Boolean> removed;
            try {
                removed = clientSession.unsubscribe(filter);
            } catch (RuntimeException e) {
                removed = CompletableFuture.failedFuture(e);
            }
            codes.add(removed.handle((existed, error) -> error != null ? Packets.UNSPECIFIED_ERROR
                    : existed ? Packets.SUCCESS : Packets.NO_SUBSCRIPTION_EXISTED).toCompletableFuture());
        }
        // the UNSUBACK keeps its place among the responses and is sent once every removal took effect
        Response response = new Response();
        responses.add(response);
        requestStarted();
        CompletableFuture.allOf(codes.toArray(CompletableFuture[]::new)).whenComplete((v, e) -> execute(() -> {
            requestDone();
            short[] reasonCodes = new short[codes.size()];
            for (int i = 0; i < reasonCodes.length; i++) {
                reasonCodes[i] = (short) (int) codes.get(i).getNow(Packets.UNSPECIFIED_ERROR);
            }
            response.packet = Packets.unsubAck(packetId, v5 ? reasonCodes : null, MqttProperties.NO_PROPERTIES);
            response.ready = true;
            flushResponses();
        }));
    }

    // ---- messages to the client

    @Override
    public boolean isWritable() {
        return ctx.channel().isWritable();
    }

    @Override
    public void wake() {
        executeOnce(drainScheduled, this::drain);
    }

    /** Sends queued messages while the in-flight window and the channel's buffer allow. */
    private void drain() {
        MqttSession s = session;
        if (state != State.CONNECTED || closing || s == null || pendingSubAcks > 0) {
            return;
        }
        int window = Math.min(clientReceiveMaximum, settings.maxInflight());
        long now = System.currentTimeMillis();
        boolean wrote = false;
        while (ctx.channel().isWritable()) {
            MqttSession.Outgoing o = s.next(this, window, now);
            if (o == null) {
                break;
            }
            wrote |= send(s, o, false);
        }
        if (wrote) {
            ctx.flush();
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext context) {
        if (context.channel().isWritable()) {
            drain();
        }
        context.fireChannelWritabilityChanged();
    }

    /** Writes one PUBLISH (not flushed); false if it was dropped for the client's maximum packet size. */
    private boolean send(MqttSession s, MqttSession.Outgoing o, boolean dup) {
        Message m = o.message;
        String topic = m.topic();
        Integer alias = null;
        boolean newAlias = false;
        if (clientTopicAliasMaximum > 0) {
            alias = outboundAliases.get(topic);
            if (alias == null && outboundAliases.size() < clientTopicAliasMaximum) {
                alias = outboundAliases.size() + 1;
                newAlias = true;
            }
        }
        String wireTopic = alias != null && !newAlias ? "" : topic;
        List<Integer> subscriptionIds = v5 ? s.subscriptionIdsFor(topic) : List.of();
        boolean withId = messageIdProperty.carriedBy(m);
        MqttProperties props = v5 ? MessageProperties.forDelivery(m, messageIdProperty.userPropertiesOf(m, withId),
                subscriptionIds, alias) : MqttProperties.NO_PROPERTIES;
        long size = PacketSizes.publish(wireTopic, m.qos(), props, v5, m.payloadSize());
        if (size > clientMaximumPacketSize && withId) {
            // the id is an extra the client asked for: the message without it rather than no message
            props = MessageProperties.forDelivery(m, messageIdProperty.userPropertiesOf(m, false), subscriptionIds, alias);
            size = PacketSizes.publish(wireTopic, m.qos(), props, v5, m.payloadSize());
        }
        if (size > clientMaximumPacketSize) {
            // MQTT 5 3.1.2.11.4: never send more than the client accepts; the message is dropped
            if (o.packetId != 0) {
                s.abandon(o.packetId);
            }
            LOG.debug("MQTT {}: message {} to '{}' dropped: {} bytes, the client accepts {}", who(), m.id(), topic, size,
                    clientMaximumPacketSize);
            o.delivery.failed("larger than the client's maximum packet size (" + size + " > " + clientMaximumPacketSize
                    + " bytes)");
            return false;
        }
        if (newAlias) {
            outboundAliases.put(topic, alias);
        }
        MqttPublishMessage publish = new MqttPublishMessage(
                new MqttFixedHeader(MqttMessageType.PUBLISH, dup, MqttQoS.valueOf(m.qos()), m.retain(), 0),
                new MqttPublishVariableHeader(wireTopic, o.packetId, props), Unpooled.wrappedBuffer(m.payload()));
        if (m.qos() == 0) {
            ctx.write(publish).addListener(f -> {
                if (f.isSuccess()) {
                    o.delivery.delivered();
                } else {
                    o.delivery.failed("not written to the client: " + f.cause());
                }
            });
        } else {
            ctx.write(publish);
        }
        return true;
    }

    private void onPubAck(int packetId, int code) {
        MqttSession.Outgoing o = session.acknowledged(packetId);
        if (o == null) {
            LOG.debug("MQTT {}: PUBACK for packet id {} not in flight", who(), packetId);
            return;
        }
        if (v5 && code >= 0x80) {
            o.delivery.failed("refused by the client with reason code " + hex(code));
        } else {
            o.delivery.delivered();
        }
        drain();
    }

    private void onPubRec(int packetId, int code) {
        MqttSession s = session;
        if (v5 && code >= 0x80) {
            MqttSession.Outgoing o = s.abandon(packetId);
            if (o != null) {
                o.delivery.failed("refused by the client with reason code " + hex(code));
                drain();
            }
            return;
        }
        MqttSession.Outgoing o = s.received(packetId);
        int reply = o != null || !v5 ? Packets.SUCCESS : Packets.PACKET_IDENTIFIER_NOT_FOUND;
        ctx.writeAndFlush(Packets.pubReply(MqttMessageType.PUBREL, packetId, reply, null));
    }

    private void onPubComp(int packetId) {
        MqttSession.Outgoing o = session.completed(packetId);
        if (o == null) {
            LOG.debug("MQTT {}: PUBCOMP for packet id {} not in flight", who(), packetId);
            return;
        }
        o.delivery.delivered();
        drain();
    }

    // ---- closing

    /**
     * A protocol violation or bad input: logs it, tells an MQTT 5 client (DISCONNECT with the reason
     * code) and closes.
     */
    private void violation(int code, String reason) {
        if (closing) {
            return;
        }
        LOG.info("MQTT {}: {}; closing", who(), reason);
        closeWith(code, reason, true);
    }

    /** Closes, sending an MQTT 5 client a DISCONNECT with {@code code} first (when connected). */
    private void closeWith(int code, String reason, boolean logged) {
        if (closing) {
            return;
        }
        if (!logged) {
            LOG.info("MQTT {}: {}; closing", who(), reason);
        }
        closing = true;
        closeReason = reason;
        if (state == State.CONNECTED && v5 && ctx.channel().isActive()) {
            ctx.writeAndFlush(Packets.disconnect(code, problemOrNone(reason))).addListener(written -> {
                if (written.isSuccess()) {
                    closeAfterDrain();
                } else {
                    ctx.close();
                }
            });
        } else {
            ctx.close();
        }
    }

    /**
     * Closes without destroying the DISCONNECT just written: closing with the client's data unread would
     * answer it with a TCP reset, which can discard the DISCONNECT before the client reads it (a client
     * still writing saw a broken pipe instead of its reason code). So the output is shut down (the client
     * reads the DISCONNECT, then the end of the stream), the client's data is read and dropped until it
     * closes too, and the connection is closed after {@link #CLOSE_DRAIN_MILLIS} at the latest.
     */
    private void closeAfterDrain() {
        if (!(ctx.channel() instanceof DuplexChannel channel) || !channel.isActive()) {
            ctx.close();
            return;
        }
        channel.config().setAutoRead(true);
        ctx.executor().schedule(() -> {
            ctx.close();
        }, CLOSE_DRAIN_MILLIS, TimeUnit.MILLISECONDS);
        channel.shutdownOutput();
    }

    private void closeNow(String reason) {
        closing = true;
        if (closeReason == null) {
            closeReason = reason;
        }
        ctx.close();
    }

    private void drainEarly() {
        MqttMessage m;
        while ((m = early.poll()) != null) {
            ReferenceCountUtil.release(m);
        }
        if (pendingConnect != null) {
            pendingConnect = null;
        }
        for (Response r : responses) {
            if (r.packet != null) {
                ReferenceCountUtil.release(r.packet);
            }
        }
        responses.clear();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext context, Throwable cause) {
        if (cause instanceof IOException) {
            LOG.debug("MQTT {}: {}", who(), cause.toString());
            closeNow("connection error: " + cause.getMessage());
        } else {
            LOG.info("MQTT {}: {}; closing", who(), cause.toString(), cause);
            closeNow("error: " + cause);
        }
    }

    // ---- helpers

    private void requestStarted() {
        if (pendingRequests.incrementAndGet() == MAX_PENDING_REQUESTS) {
            updateAutoRead();
        }
    }

    /** Ends a request; any thread (a QoS 0 publish ends on a broker worker without a task for the event loop). */
    private void requestDone() {
        if (pendingRequests.getAndDecrement() == MAX_PENDING_REQUESTS) {
            execute(this::updateAutoRead);
        }
    }

    /**
     * Reads only when connected, while the broker has fewer than {@link #MAX_PENDING_REQUESTS} requests of
     * this connection to decide and, for 3.1.1 clients, fewer than {@code max.inflight} unacknowledged
     * publishes (MQTT 5 clients know the Receive Maximum and are disconnected when they exceed it).
     */
    private void updateAutoRead() {
        // a closing connection reads on: its data is dropped (see closeAfterDrain)
        boolean read = closing || state == State.CONNECTED && pendingRequests.get() < MAX_PENDING_REQUESTS;
        if (ctx.channel().config().isAutoRead() != read) {
            ctx.channel().config().setAutoRead(read);
        }
    }

    /**
     * Runs {@code action} on the event loop unless a run is already waiting there ({@code scheduled}): calls
     * from a burst share one task. The flag is cleared before the action, so a later call schedules again.
     */
    private void executeOnce(AtomicBoolean scheduled, Runnable action) {
        if (scheduled.compareAndSet(false, true)) {
            execute(() -> {
                scheduled.set(false);
                action.run();
            });
        }
    }

    /** Runs {@code task} on this connection's event loop. */
    private void execute(Runnable task) {
        try {
            ctx.executor().execute(task);
        } catch (RejectedExecutionException e) {
            LOG.debug("MQTT {}: event loop gone, dropped a task", who());
        }
    }

    /** Reason String properties, unless the client asked for no problem information or it would not fit. */
    private MqttProperties problemProperties(String reason) {
        if (!v5 || !problemInformation) {
            return MqttProperties.NO_PROPERTIES;
        }
        return Packets.reasonString(fits(reason, 16));
    }

    /** Reason String properties for CONNACK/DISCONNECT (sent even without problem information). */
    private MqttProperties problemOrNone(String reason) {
        return Packets.reasonString(fits(reason, 16));
    }

    /** {@code reason}, or {@code null} if a packet with it would exceed the client's maximum packet size. */
    private String fits(String reason, int overhead) {
        if (reason == null) {
            return null;
        }
        return overhead + 3L + ByteBufUtil.utf8Bytes(reason) <= clientMaximumPacketSize ? reason : null;
    }

    private String who() {
        String address = remote == null ? "?" : remote.getAddress() == null ? remote.getHostString()
                : remote.getAddress().getHostAddress() + ":" + remote.getPort();
        return clientId != null ? "client '" + clientId + "' (" + address + ")" : "connection " + address;
    }

    private static String hex(int code) {
        return String.format("0x%02X", code);
    }

    private static InetSocketAddress inet(SocketAddress address) {
        if (address instanceof InetSocketAddress inet) {
            return inet;
        }
        return InetSocketAddress.createUnresolved(String.valueOf(address), 0);
    }

    private static Throwable unwrap(Throwable t) {
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    private static int packetId(MqttMessage m) {
        return ((MqttMessageIdVariableHeader) m.variableHeader()).messageId();
    }

    private static int replyCode(MqttMessage m) {
        return m.variableHeader() instanceof MqttPubReplyMessageVariableHeader r ? r.reasonCode() & 0xFF : 0;
    }

    private static boolean isUtf8(byte[] bytes) {
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    private static TlsInfo tlsInfo(SSLSession s) {
        String serverName = null;
        if (s instanceof ExtendedSSLSession extended) {
            try {
                for (SNIServerName name : extended.getRequestedServerNames()) {
                    if (name instanceof SNIHostName host) {
                        serverName = host.getAsciiName();
                    }
                }
            } catch (UnsupportedOperationException e) {
                // no SNI information from this provider
            }
        }
        List<X509Certificate> peer = new ArrayList<>();
        try {
            for (Certificate c : s.getPeerCertificates()) {
                if (c instanceof X509Certificate x) {
                    peer.add(x);
                }
            }
        } catch (SSLPeerUnverifiedException e) {
            // no client certificate
        }
        return new TlsInfo(s.getProtocol(), s.getCipherSuite(), serverName, peer);
    }
}
