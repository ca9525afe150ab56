package io.switchboard.mqtt.internal.protocol;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageIdVariableHeader;
import io.netty.handler.codec.mqtt.MqttPubReplyMessageVariableHeader;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttSubscribeMessage;
import io.netty.handler.codec.mqtt.MqttUnsubscribeMessage;
import io.netty.util.ReferenceCountUtil;
import io.switchboard.api.broker.ClientSession;
import io.switchboard.mqtt.internal.ListenerInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One MQTT connection, from accept to close: the Netty handler that receives the connection's events
 * and packets and hands each to the flow it belongs to, and what those flows share (the channel, the
 * session, what the CONNECT set up, the read throttle, hopping onto the event loop). The flows:
 * <ul>
 * <li>{@link ConnectionAdmission}: the broker's connect and TLS chains, before the CONNECT is handled;</li>
 * <li>{@link ConnectionPlaces}: its place among the listener's and the broker's connections;</li>
 * <li>{@link ConnectFlow}: CONNECT to CONNACK, the login, the connect timeout and keep alive;</li>
 * <li>{@link InboundPublishFlow}: PUBLISH from the client, PUBREL, the in-flight window, topic aliases, read receipts;</li>
 * <li>{@link SubscribeFlow}: SUBSCRIBE and UNSUBSCRIBE;</li>
 * <li>{@link OutboundPublishFlow}: messages to the client, their acknowledgements (PUBACK, PUBREC, PUBCOMP);</li>
 * <li>{@link OrderedResponses}: the answers to the client's requests, in the order the requests came;</li>
 * <li>{@link ConnectionCloser}: violations, DISCONNECT, and closing.</li>
 * </ul>
 *
 * <p>Threading: everything is confined to the channel's event loop, except {@link #session},
 * {@link #clientSession} (written once in the login's turn), the will (taken by whichever thread ends the
 * connection's hold on its session) and the count of pending requests. Broker stages complete on broker threads;
 * their results hop back with {@link #execute} before touching the connection. Nothing here blocks.
 *
 * <p>Bad input (a malformed packet, a protocol violation) closes this connection only, MQTT 5 clients
 * first getting a DISCONNECT with the reason code; the log line names the client id (or the remote
 * address before CONNECT) and the cause.
 */
final class MqttConnectionHandler extends ChannelDuplexHandler implements MqttSession.Outlet {

    /** Every flow of a connection logs here: one logger name for operators to tune (the README names it). */
    static final Logger LOG = LoggerFactory.getLogger(MqttConnectionHandler.class);
    /**
     * Publishes and subscribes of one connection the broker has not decided yet, above which the
     * connection is not read: a QoS 0 flood cannot pile up work in the broker.
     */
    static final int MAX_PENDING_REQUESTS = 1000;

    private final MqttProtocol protocol;
    private final ListenerInfo listener;
    private final ProtocolSettings settings;
    private final ClientParameters client = new ClientParameters();
    /** Its places among the listener's and the broker's connections (max.connections), from CONNECT to close. */
    private final ConnectionPlaces places;
    // the flows, made in the constructor (they read the fields above)
    private final ConnectionCloser closer;
    private final OrderedResponses responses;
    private final ConnectionAdmission admission;
    private final ConnectFlow connect;
    private final OutboundPublishFlow deliveries;
    private final InboundPublishFlow publishes;
    private final SubscribeFlow subscriptions;
    /** The connect timeout, then the keep alive. */
    private final ReadTimer readTimer;

    private ChannelHandlerContext ctx;
    private boolean started;
    private InetSocketAddress remote;
    /** Publishes and subscribes handed to the broker and not decided yet; ended from the broker's threads too. */
    private final AtomicInteger pendingRequests = new AtomicInteger();

    /** Set in the login's turn before {@link #loggedIn}. */
    volatile MqttSession session;
    volatile ClientSession clientSession;

    MqttConnectionHandler(MqttProtocol protocol, ListenerInfo listener, ProtocolSettings settings, ProtocolSniffer sniffer) {
        this.protocol = protocol;
        this.listener = listener;
        this.settings = settings;
        this.places = new ConnectionPlaces(listener, protocol.mqttConnections());
        this.closer = new ConnectionCloser(this);
        this.responses = new OrderedResponses(this);
        this.admission = new ConnectionAdmission(this, listener);
        this.connect = new ConnectFlow(this, listener, sniffer);
        this.deliveries = new OutboundPublishFlow(this);
        this.publishes = new InboundPublishFlow(this);
        this.subscriptions = new SubscribeFlow(this);
        this.readTimer = new ReadTimer(this);
    }

    // ---- lifecycle

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

    private void start() {
        if (started) {
            return;
        }
        started = true;
        readTimer.start(settings.connectTimeoutSeconds(), TimeUnit.SECONDS);
        remote = inet(ctx.channel().remoteAddress());
        protocol.opened(this);
        admission.start(remote, inet(ctx.channel().localAddress()));
    }

    @Override
    public void channelInactive(ChannelHandlerContext context) {
        readTimer.stop();
        closer.closed();
        places.giveBack();
        publishes.releaseHeld();
        connect.releaseEarly();
        responses.releaseAll();
        protocol.closed(this);
        String reason = closer.closeReason();
        if (connect.loginSubmitted()) {
            LOG.debug("MQTT {} disconnected: {}", who(), reason);
            protocol.sessions().connectionEnded(reason, client.sessionExpiry, admission.clientConnection());
        } else if (admission.clientConnection() != null) {
            admission.clientConnection().closed(reason);
        }
        context.fireChannelInactive();
    }

    /** The protocol is shutting down: MQTT 5 clients get DISCONNECT 0x8B, then the connection closes. */
    void shutdown() {
        execute(() -> closer.closeWith(Packets.SERVER_SHUTTING_DOWN, "server shutting down", true));
    }

    @Override
    public void close(ChannelHandlerContext context, ChannelPromise promise) {
        closer.closedByOthers(context);
        context.close(promise);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext context, Throwable cause) {
        if (cause instanceof IOException) {
            LOG.debug("MQTT {}: {}", who(), cause.toString());
            closer.closeNow("connection error: " + cause.getMessage());
        } else {
            LOG.info("MQTT {}: {}; closing", who(), cause.toString(), cause);
            closer.closeNow("error: " + cause);
        }
    }

    // ---- what the protocol calls

    /** A login (in the login's turn, any thread) was refused. */
    void loginRefused(Throwable error) {
        connect.loginRefused(error);
    }

    /** The login succeeded (in the login's turn, any thread): CONNACK, resend, send, go on reading. */
    void loggedIn(MqttSession s, boolean sessionPresent) {
        connect.loggedIn(s, sessionPresent);
    }

    @Override
    public Will leave() {
        Will taken = connect.takeWill();
        // a no-op when the connection is closing already (its own end)
        execute(() -> closer.closeWith(Packets.SESSION_TAKEN_OVER, "session taken over by a new connection", true));
        return taken;
    }

    @Override
    public long sessionExpiry() {
        return client.sessionExpiry;
    }

    /** The will, left in place, or {@code null}. */
    Will currentWill() {
        return connect.currentWill();
    }

    /** The will, taken (so it is published at most once), or {@code null}. */
    Will takeWill() {
        return connect.takeWill();
    }

    /** The connection's channel. */
    Channel channel() {
        return ctx.channel();
    }

    @Override
    public boolean isWritable() {
        return ctx.channel().isWritable();
    }

    @Override
    public void wake() {
        deliveries.wake();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext context) {
        if (context.channel().isWritable()) {
            deliveries.drain();
        }
        context.fireChannelWritabilityChanged();
    }

    // ---- inbound packets

    @Override
    public void channelRead(ChannelHandlerContext context, Object msg) {
        readTimer.read();
        if (!(msg instanceof MqttMessage m)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (closer.isClosing()) {
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
        if (connect.isConnected()) {
            dispatch(m);
        } else {
            connect.beforeConnAck(m);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext context) {
        readTimer.readComplete();
        context.fireChannelReadComplete();
    }

    /** Hands a packet of a connected client to its flow. */
    void dispatch(MqttMessage m) {
        switch (m.fixedHeader().messageType()) {
            case PUBLISH -> publishes.onPublish((MqttPublishMessage) m);
            case PUBACK -> deliveries.onPubAck(packetId(m), replyCode(m));
            case PUBREC -> deliveries.onPubRec(packetId(m), replyCode(m));
            case PUBREL -> publishes.onPubRel(packetId(m));
            case PUBCOMP -> deliveries.onPubComp(packetId(m));
            case SUBSCRIBE -> subscriptions.onSubscribe((MqttSubscribeMessage) m);
            case UNSUBSCRIBE -> subscriptions.onUnsubscribe((MqttUnsubscribeMessage) m);
            case PINGREQ -> ctx.writeAndFlush(MqttMessage.PINGRESP);
            case DISCONNECT -> closer.onDisconnect(m);
            case CONNECT -> closer.violation(Packets.PROTOCOL_ERROR, "a second CONNECT");
            case AUTH -> closer.violation(Packets.PROTOCOL_ERROR, "AUTH without an authentication method at CONNECT");
            default -> {
                ReferenceCountUtil.release(m);
                closer.violation(Packets.PROTOCOL_ERROR, m.fixedHeader().messageType() + " is not sent by clients");
            }
        }
    }

    private void malformed(MqttMessage m) {
        Throwable cause = m.decoderResult().cause();
        if (connect.state() == ConnectFlow.State.NEW) {
            connect.malformedFirstPacket(cause);
            return;
        }
        int code = cause instanceof TooLongFrameException ? Packets.PACKET_TOO_LARGE : Packets.MALFORMED_PACKET;
        closer.violation(code, (code == Packets.PACKET_TOO_LARGE ? "packet too large (listener maximum "
                + listener.maxPacketSize() + " bytes): " : "malformed packet: ") + Failures.describe(cause));
    }

    // ---- what the flows share

    ChannelHandlerContext ctx() {
        return ctx;
    }

    MqttProtocol protocol() {
        return protocol;
    }

    ProtocolSettings settings() {
        return settings;
    }

    ClientParameters client() {
        return client;
    }

    ConnectionCloser closer() {
        return closer;
    }

    OrderedResponses responses() {
        return responses;
    }

    ConnectionPlaces places() {
        return places;
    }

    ConnectionAdmission admission() {
        return admission;
    }

    ConnectFlow connect() {
        return connect;
    }

    ReadTimer readTimer() {
        return readTimer;
    }

    OutboundPublishFlow deliveries() {
        return deliveries;
    }

    /** A publish or subscribe was handed to the broker. */
    void requestStarted() {
        if (pendingRequests.incrementAndGet() == MAX_PENDING_REQUESTS) {
            updateAutoRead();
        }
    }

    /** Ends a request; any thread (a QoS 0 publish ends on a broker worker without a task for the event loop). */
    void requestDone() {
        if (pendingRequests.getAndDecrement() == MAX_PENDING_REQUESTS) {
            execute(this::updateAutoRead);
        }
    }

    /**
     * Once connected (before, {@link ConnectFlow} stops reading when a packet follows the CONNECT), reads while the
     * broker has fewer than {@link #MAX_PENDING_REQUESTS} requests of
     * this connection to decide and, for 3.1.1 clients, fewer than {@code max.inflight} unacknowledged
     * publishes (MQTT 5 clients know the Receive Maximum and are disconnected when they exceed it).
     */
    void updateAutoRead() {
        // a closing connection reads on: its data is dropped (see ConnectionCloser)
        boolean read = closer.isClosing() || connect.isConnected() && pendingRequests.get() < MAX_PENDING_REQUESTS;
        if (ctx.channel().config().isAutoRead() != read) {
            ctx.channel().config().setAutoRead(read);
        }
    }

    /**
     * Runs {@code action} on the event loop unless a run is already waiting there ({@code scheduled}): calls
     * from a burst share one task. The flag is cleared before the action, so a later call schedules again.
     */
    void executeOnce(AtomicBoolean scheduled, Runnable action) {
        if (scheduled.compareAndSet(false, true)) {
            execute(() -> {
                scheduled.set(false);
                action.run();
            });
        }
    }

    /** Runs {@code task} on this connection's event loop. */
    void execute(Runnable task) {
        try {
            ctx.executor().execute(task);
        } catch (RejectedExecutionException e) {
            LOG.debug("MQTT {}: event loop gone, dropped a task", who());
        }
    }

    /** The connection in log lines: the client id once known, and the remote address. */
    String who() {
        String address = remote == null ? "?" : remote.getAddress() == null ? remote.getHostString()
                : remote.getAddress().getHostAddress() + ":" + remote.getPort();
        String clientId = client.clientId;
        return clientId != null ? "client '" + clientId + "' (" + address + ")" : "connection " + address;
    }

    private static InetSocketAddress inet(SocketAddress address) {
        if (address instanceof InetSocketAddress inet) {
            return inet;
        }
        return InetSocketAddress.createUnresolved(String.valueOf(address), 0);
    }

    private static int packetId(MqttMessage m) {
        return ((MqttMessageIdVariableHeader) m.variableHeader()).messageId();
    }

    private static int replyCode(MqttMessage m) {
        return m.variableHeader() instanceof MqttPubReplyMessageVariableHeader r ? r.reasonCode() & 0xFF : 0;
    }
}
