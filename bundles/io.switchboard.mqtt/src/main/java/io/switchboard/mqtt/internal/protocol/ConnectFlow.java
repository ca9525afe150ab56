package io.switchboard.mqtt.internal.protocol;

import static io.switchboard.mqtt.internal.protocol.MqttConnectionHandler.LOG;

import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.mqtt.MqttConnectMessage;
import io.netty.handler.codec.mqtt.MqttConnectPayload;
import io.netty.handler.codec.mqtt.MqttConnectVariableHeader;
import io.netty.handler.codec.mqtt.MqttIdentifierRejectedException;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttUnacceptableProtocolVersionException;
import io.netty.handler.codec.mqtt.MqttVersion;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;
import io.switchboard.api.Message;
import io.switchboard.api.ReasonCode;
import io.switchboard.api.broker.LoginRequest;
import io.switchboard.api.broker.RefusedException;
import io.switchboard.mqtt.internal.ListenerInfo;

/**
 * From the first packet to CONNACK: checks the CONNECT (protocol level, flags, MQTT 5 properties, client
 * id, keep alive, will), remembers what it set up ({@link ClientParameters}), hands the login to the
 * protocol and answers it: a refusing CONNACK (3.1.1 return code or MQTT 5 reason code), or CONNACK
 * with session present and the MQTT 5 properties, then the resent in-flight messages and the packets the
 * client sent behind its CONNECT. Also the idle timer: the connect timeout, then the keep alive.
 */
final class ConnectFlow {

    /** Where the connection is on its way to CONNACK. */
    enum State { NEW, CONNECTING, CONNECTED }

    /** The channel attribute Netty's MQTT codec keeps the protocol version in (set by the decoder at CONNECT). */
    private static final AttributeKey<MqttVersion> CODEC_VERSION = AttributeKey.valueOf("NETTY_CODEC_MQTT_VERSION");
    /** Packets a client may pipeline behind its CONNECT before the CONNACK. */
    private static final int MAX_EARLY_PACKETS = 1000;

    private final MqttConnectionHandler connection;
    private final ListenerInfo listener;
    private final ProtocolSettings settings;
    /** Read if the CONNECT cannot be decoded; dropped at CONNACK. */
    private ProtocolSniffer sniffer;
    private final ClientParameters client;

    private State state = State.NEW;
    /** The CONNECT, until the connection is admitted. */
    private MqttConnectMessage pendingConnect;
    /** Packets received behind the CONNECT, dispatched after CONNACK; made for the first (most clients send none). */
    private ArrayDeque<MqttMessage> early;
    private boolean loginSubmitted;
    private MqttProperties connAckProperties;
    /** Taken by whichever thread ends the connection's session. */
    private final AtomicReference<Will> will = new AtomicReference<>();

    ConnectFlow(MqttConnectionHandler connection, ListenerInfo listener, ProtocolSniffer sniffer) {
        this.connection = connection;
        this.listener = listener;
        this.settings = connection.settings();
        this.sniffer = sniffer;
        this.client = connection.client();
    }

    State state() {
        return state;
    }

    boolean isConnected() {
        return state == State.CONNECTED;
    }

    /** Whether the login was handed to the protocol: the connection's end then goes through it too. */
    boolean loginSubmitted() {
        return loginSubmitted;
    }

    /** The will, taken (so it is published at most once), or {@code null}. */
    Will takeWill() {
        return will.getAndSet(null);
    }

    /** The will, left in place (to be kept with a persistent session), or {@code null}. */
    Will currentWill() {
        return will.get();
    }

    /** A normal DISCONNECT: the will is not published. */
    void discardWill() {
        will.set(null);
    }

    /** A packet before CONNACK: the CONNECT, or one the client sent behind it (kept for after CONNACK). */
    void beforeConnAck(MqttMessage m) {
        MqttMessageType type = m.fixedHeader().messageType();
        ConnectionCloser closer = connection.closer();
        if (state == State.NEW) {
            if (type != MqttMessageType.CONNECT) {
                ReferenceCountUtil.release(m);
                closer.violation(Packets.PROTOCOL_ERROR, "the first packet must be CONNECT, was " + type);
                return;
            }
            state = State.CONNECTING;
            pendingConnect = (MqttConnectMessage) m;
            proceed();
        } else if (type == MqttMessageType.CONNECT) {
            ReferenceCountUtil.release(m);
            closer.violation(Packets.PROTOCOL_ERROR, "a second CONNECT");
        } else if (early != null && early.size() >= MAX_EARLY_PACKETS) {
            ReferenceCountUtil.release(m);
            closer.violation(Packets.PROTOCOL_ERROR, "more than " + MAX_EARLY_PACKETS + " packets before CONNACK");
        } else {
            if (early == null) {
                early = new ArrayDeque<>();
                // no more reads until CONNACK: what this read decodes besides waits here. Only now, as most clients
                // send nothing before their CONNACK: turning reading off and on costs two system calls per connection
                connection.ctx().channel().config().setAutoRead(false);
            }
            early.add(m);
        }
    }

    /** Handles the CONNECT once the connection (and its TLS session) is admitted. */
    void proceed() {
        if (connection.admission().admitted() && pendingConnect != null && !connection.closer().isClosing()) {
            MqttConnectMessage m = pendingConnect;
            pendingConnect = null;
            onConnect(m);
        }
    }

    /** The connection closed: the packets waiting for CONNACK are dropped. */
    void releaseEarly() {
        if (early == null) {
            return;
        }
        MqttMessage m;
        while ((m = early.poll()) != null) {
            ReferenceCountUtil.release(m);
        }
        pendingConnect = null;
    }

    /** The first packet did not decode: a CONNACK refusal where the client can read one, else closed. */
    void malformedFirstPacket(Throwable cause) {
        if (cause instanceof MqttUnacceptableProtocolVersionException) {
            refuseProtocolVersion();
        } else if (cause instanceof MqttIdentifierRejectedException) {
            refuseConnectCode(codecIsV5() ? Packets.CLIENT_IDENTIFIER_NOT_VALID : Packets.V3_IDENTIFIER_REJECTED,
                    "client identifier rejected: " + cause.getMessage(), codecIsV5());
        } else if (codecIsV5() && !(cause instanceof TooLongFrameException)) {
            refuseConnectCode(Packets.MALFORMED_PACKET, "malformed CONNECT: " + cause.getMessage(), true);
        } else {
            connection.closer().violation(Packets.MALFORMED_PACKET, "malformed first packet: " + Failures.describe(cause));
        }
    }

    private boolean codecIsV5() {
        return connection.ctx().channel().attr(CODEC_VERSION).get() == MqttVersion.MQTT_5;
    }

    private void refuseProtocolVersion() {
        int level = sniffer.level();
        String name = sniffer.name();
        if (level > 5 && "MQTT".equals(name)) {
            connection.ctx().channel().attr(CODEC_VERSION).set(MqttVersion.MQTT_5);
            refuseConnectCode(Packets.UNSUPPORTED_PROTOCOL_VERSION, "unsupported protocol level " + level, true);
        } else if (level >= 0 && ("MQTT".equals(name) || "MQIsdp".equals(name))) {
            connection.ctx().channel().attr(CODEC_VERSION).set(MqttVersion.MQTT_3_1_1);
            refuseConnectCode(Packets.V3_UNACCEPTABLE_PROTOCOL_VERSION, "unsupported protocol level " + level, false);
        } else {
            connection.closer().violation(Packets.MALFORMED_PACKET, "not MQTT: protocol name '" + name + "'");
        }
    }

    private void onConnect(MqttConnectMessage m) {
        MqttConnectVariableHeader header = m.variableHeader();
        MqttConnectPayload payload = m.payload();
        int level = header.version();
        if (level != 4 && level != 5) {
            connection.ctx().channel().attr(CODEC_VERSION).set(MqttVersion.MQTT_3_1_1);
            refuseConnectCode(Packets.V3_UNACCEPTABLE_PROTOCOL_VERSION, "unsupported protocol level " + level, false);
            return;
        }
        boolean v5 = level == 5;
        client.v5 = v5;
        String missing = listener.missingModules() == null ? null : listener.missingModules().get();
        if (missing != null) {
            refuseConnect(ReasonCode.SERVER_UNAVAILABLE, missing);
            return;
        }
        if (connection.protocol().stopping()) {
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
            client.receiveMaximum = receiveMaximum == null ? 65535 : receiveMaximum;
            long maximumPacketSize = MessageProperties.unsigned(p, MqttProperties.MAXIMUM_PACKET_SIZE, -1);
            if (maximumPacketSize == 0) {
                refuseConnectCode(Packets.PROTOCOL_ERROR, "maximum packet size 0", true);
                return;
            }
            client.maximumPacketSize = maximumPacketSize < 0 ? ClientParameters.UNLIMITED : maximumPacketSize;
            Integer aliasMaximum = MessageProperties.integer(p, MqttProperties.TOPIC_ALIAS_MAXIMUM);
            client.topicAliasMaximum = aliasMaximum == null ? 0 : aliasMaximum;
            Integer requestResponse = MessageProperties.integer(p, MqttProperties.REQUEST_RESPONSE_INFORMATION);
            Integer requestProblem = MessageProperties.integer(p, MqttProperties.REQUEST_PROBLEM_INFORMATION);
            if (requestResponse != null && requestResponse > 1 || requestProblem != null && requestProblem > 1) {
                refuseConnectCode(Packets.PROTOCOL_ERROR, "request response/problem information must be 0 or 1", true);
                return;
            }
            responseInformation = requestResponse != null && requestResponse == 1;
            client.problemInformation = requestProblem == null || requestProblem == 1;
            client.messageIdProperty = MessageIdProperty.requestedIn(p, settings.messageIdProperty());
            if (p.getProperty(MqttProperties.AUTHENTICATION_METHOD) != null) {
                refuseConnectCode(Packets.BAD_AUTHENTICATION_METHOD, "enhanced authentication is not supported", true);
                return;
            }
        } else {
            requestedExpiry = cleanStart ? 0 : ProtocolSettings.NEVER;
        }
        client.sessionExpiry = settings.sessionExpiryFor(requestedExpiry);

        String id = payload.clientIdentifier();
        boolean assigned = false;
        if (id == null || id.isEmpty()) {
            if (!v5 && !cleanStart) {
                refuseConnectCode(Packets.V3_IDENTIFIER_REJECTED, "an empty client id needs clean session", false);
                return;
            }
            id = connection.protocol().assignClientId(settings);
            assigned = true;
        }
        client.clientId = id;

        // here, with the client id for the log line, before the login: a refused client never reaches the broker
        String full = connection.places().take(settings.limits().maxConnections());
        if (full != null) {
            refuseConnectCode(v5 ? Packets.QUOTA_EXCEEDED : Packets.V3_SERVER_UNAVAILABLE, full, v5);
            return;
        }

        int requestedKeepAlive = header.keepAliveTimeSeconds();
        if (!v5 && settings.exceedsMaxKeepAlive(requestedKeepAlive)) {
            // a 3.1.1 client cannot be told another keep alive (Mosquitto refuses it the same way)
            refuseConnectCode(Packets.V3_IDENTIFIER_REJECTED, "keep alive " + requestedKeepAlive
                    + " s is above the maximum of " + settings.maxKeepAlive() + " s (max.keep.alive)", false);
            return;
        }
        client.keepAlive = settings.keepAliveFor(requestedKeepAlive, v5);
        boolean serverKeepAlive = v5 && (settings.serverKeepAlive() > 0 || client.keepAlive != requestedKeepAlive);

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
            String beyond = settings.topicLimitExceeded(payload.willTopic());
            if (beyond != null) {
                // 3.1.1 has no code for a bad topic: 5, as for a will topic the broker does not accept otherwise
                refuseConnectCode(v5 ? Packets.TOPIC_NAME_INVALID : Packets.V3_NOT_AUTHORIZED, "will topic: " + beyond, v5);
                return;
            }
            try {
                will.set(will(payload, willQos, willRetain));
            } catch (IllegalArgumentException e) {
                refuseConnectCode(v5 ? Packets.TOPIC_NAME_INVALID : Packets.V3_NOT_AUTHORIZED, "will: " + e.getMessage(), v5);
                return;
            }
        }

        connAckProperties = connAckProperties(assigned, requestedExpiry != client.sessionExpiry, serverKeepAlive,
                responseInformation);
        loginSubmitted = true;
        LoginRequest request = new LoginRequest(connection.admission().clientConnection(), client.clientId,
                payload.userName(), payload.passwordInBytes(), v5 ? "mqtt-5" : "mqtt-3.1.1", cleanStart);
        connection.protocol().sessions().login(connection, request, settings);
    }

    private Will will(MqttConnectPayload payload, int qos, boolean retain) {
        Message.Builder b = Message.builder(payload.willTopic()).qos(qos).retain(retain)
                .payload(payload.willMessageInBytes());
        long delay = 0;
        long expiry = 0;
        if (client.v5) {
            MqttProperties p = payload.willProperties();
            delay = MessageProperties.unsigned(p, MqttProperties.WILL_DELAY_INTERVAL, 0);
            expiry = MessageProperties.unsigned(p, MqttProperties.PUBLICATION_EXPIRY_INTERVAL, 0);
            MessageProperties.copyInto(b, p);
        }
        return new Will(b.build(), delay, expiry);
    }

    private MqttProperties connAckProperties(boolean assigned, boolean expiryChanged, boolean serverKeepAlive,
            boolean responseInformation) {
        if (!client.v5) {
            return MqttProperties.NO_PROPERTIES;
        }
        MqttProperties p = new MqttProperties();
        if (assigned) {
            p.add(new MqttProperties.StringProperty(MqttProperties.ASSIGNED_CLIENT_IDENTIFIER, client.clientId));
        }
        if (expiryChanged) {
            p.add(new MqttProperties.IntegerProperty(MqttProperties.SESSION_EXPIRY_INTERVAL, (int) client.sessionExpiry));
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
            p.add(new MqttProperties.IntegerProperty(MqttProperties.SERVER_KEEP_ALIVE, client.keepAlive));
        }
        if (responseInformation && !settings.responseInformationPrefix().isEmpty()) {
            p.add(new MqttProperties.StringProperty(MqttProperties.RESPONSE_INFORMATION,
                    settings.responseInformationPrefix() + client.clientId + "/"));
        }
        return p;
    }

    /** A login (in the login's turn, any thread) was refused. */
    void loginRefused(Throwable error) {
        connection.execute(() -> {
            Throwable cause = Failures.unwrap(error);
            if (cause instanceof RefusedException r) {
                refuseConnect(r.reasonCode(), r.getMessage());
            } else {
                LOG.warn("MQTT {}: login failed", connection.who(), cause);
                refuseConnect(ReasonCode.SERVER_UNAVAILABLE, "login failed: " + cause);
            }
        });
    }

    /**
     * The login succeeded (in the login's turn, any thread): once what the login changed in the store is written
     * (a persistent session's record with its expiry and will, or a replaced session's removal), CONNACK, resend,
     * send, go on reading. Until then the state is not {@link State#CONNECTED}, so no delivery goes out ahead of the
     * CONNACK. A store that cannot write refuses a persistent session (its CONNACK must not promise what a crash
     * would lose); a session that lives only with its connection is let in anyway.
     */
    void loggedIn(MqttSession s, boolean sessionPresent) {
        connection.protocol().written().whenComplete((v, storeError) -> connection.execute(() -> {
            if (connection.closer().isClosing()) {
                return; // the connection ended meanwhile; its close, in its turn after the login, lets go of the session
            }
            if (storeError != null && s.persistent()) {
                if (!sessionPresent) { // a session this login made ends with the refused connection, will unsent
                    client.sessionExpiry = 0;
                    discardWill();
                }
                refuseConnect(ReasonCode.SERVER_UNAVAILABLE, "the broker could not store the session: "
                        + Failures.describe(Failures.unwrap(storeError)));
                return;
            }
            ChannelHandlerContext ctx = connection.ctx();
            ctx.write(Packets.connAck(Packets.SUCCESS, sessionPresent, connAckProperties));
            state = State.CONNECTED;
            sniffer = null;
            connAckProperties = null;
            LOG.debug("MQTT {} connected ({}, session {}, keep alive {}s, session expiry {})", connection.who(),
                    client.v5 ? "5" : "3.1.1", sessionPresent ? "resumed" : "new", client.keepAlive, client.sessionExpiry);
            startKeepAlive();
            connection.deliveries().resendInflight(s);
            ctx.flush();
            connection.updateAutoRead();
            connection.deliveries().drain();
            ArrayDeque<MqttMessage> waiting = early;
            early = null;
            while (waiting != null && !waiting.isEmpty() && !connection.closer().isClosing()) {
                connection.dispatch(waiting.poll());
            }
            if (waiting != null) { // closing meanwhile: what is left is released
                early = waiting;
                releaseEarly();
            }
        }));
    }

    private void refuseConnect(ReasonCode code, String reason) {
        boolean v5 = client.v5;
        refuseConnectCode(v5 ? Packets.connAckCode(code) : Packets.connAckCodeV3(code), reason, v5);
    }

    private void malformedConnect(String reason) {
        if (client.v5) {
            refuseConnectCode(Packets.MALFORMED_PACKET, reason, true);
        } else {
            connection.closer().violation(Packets.MALFORMED_PACKET, "malformed CONNECT: " + reason);
        }
    }

    /** Sends a refusing CONNACK (a 3.1.1 return code or an MQTT 5 reason code) and closes. */
    private void refuseConnectCode(int code, String reason, boolean asV5) {
        LOG.info("MQTT {}: CONNECT refused with {} ({}); closing", connection.who(), Packets.hex(code), reason);
        connection.closer().closingBecause("CONNECT refused: " + reason);
        MqttProperties p = asV5 ? Packets.reasonString(client.fits(reason, 8)) : MqttProperties.NO_PROPERTIES;
        connection.ctx().writeAndFlush(Packets.connAck(code, false, p)).addListener(ChannelFutureListener.CLOSE);
    }

    /** Replaces the connect timeout by the keep alive: no packet for 1.5 times the keep alive closes. */
    private void startKeepAlive() {
        connection.readTimer().start(client.keepAlive * 1500L, TimeUnit.MILLISECONDS);
    }

    /** Nothing read for the connect timeout (before CONNACK) or 1.5 times the keep alive: closes. */
    void readerIdle() {
        if (state == State.CONNECTED && !connection.ctx().channel().config().isAutoRead()) {
            return; // not reading on purpose (the broker is behind): the client is not idle
        }
        ConnectionCloser closer = connection.closer();
        if (state == State.CONNECTED) {
            closer.violation(Packets.KEEP_ALIVE_TIMEOUT, "keep alive timeout (no packet for " + client.keepAlive * 1.5
                    + " s)");
        } else if (state == State.NEW) {
            LOG.info("MQTT {}: no CONNECT within {} s; closing", connection.who(), settings.connectTimeoutSeconds());
            closer.closeNow("no CONNECT within " + settings.connectTimeoutSeconds() + " s");
        } else {
            LOG.info("MQTT {}: CONNECT not decided within {} s; closing", connection.who(), settings.connectTimeoutSeconds());
            closer.closeNow("CONNECT not decided within " + settings.connectTimeoutSeconds() + " s");
        }
    }
}
