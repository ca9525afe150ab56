package io.switchboard.mqtt.internal.protocol;

import static io.switchboard.mqtt.internal.protocol.MqttConnectionHandler.LOG;

import java.util.concurrent.TimeUnit;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttReasonCodeAndPropertiesVariableHeader;

/**
 * How a connection ends: a protocol violation or bad input (logged, MQTT 5 clients told with a
 * DISCONNECT reason code), the client's DISCONNECT, the server closing it (shutdown, takeover, the
 * listener going away), and a close that lets the client read the DISCONNECT first. Holds whether the
 * connection is closing (further input is ignored) and why, for the session and the broker.
 */
final class ConnectionCloser {

    /** How long a connection closing after a DISCONNECT reads and drops the client's data before it closes. */
    static final long CLOSE_DRAIN_MILLIS = 2000;

    private final MqttConnectionHandler connection;
    /** Set once the protocol closes the connection on purpose; further input is ignored. */
    private boolean closing;
    private boolean inactive;
    private String closeReason;

    ConnectionCloser(MqttConnectionHandler connection) {
        this.connection = connection;
    }

    boolean isClosing() {
        return closing;
    }

    /** Whether the channel is closed already. */
    boolean isInactive() {
        return inactive;
    }

    /** Why the connection ended, for the session and the broker. */
    String closeReason() {
        return closeReason != null ? closeReason : "connection lost";
    }

    /** The connection is closing for {@code reason} (replacing an earlier reason). */
    void closingBecause(String reason) {
        closing = true;
        closeReason = reason;
    }

    /** The channel closed. */
    void closed() {
        inactive = true;
        closing = true;
    }

    /**
     * A protocol violation or bad input: logs it, tells an MQTT 5 client (DISCONNECT with the reason
     * code) and closes.
     */
    void violation(int code, String reason) {
        if (closing) {
            return;
        }
        LOG.info("MQTT {}: {}; closing", connection.who(), reason);
        closeWith(code, reason, true);
    }

    /** Closes, sending an MQTT 5 client a DISCONNECT with {@code code} first (when connected). */
    void closeWith(int code, String reason, boolean logged) {
        if (closing) {
            return;
        }
        if (!logged) {
            LOG.info("MQTT {}: {}; closing", connection.who(), reason);
        }
        closingBecause(reason);
        ChannelHandlerContext ctx = connection.ctx();
        if (connection.connect().isConnected() && connection.client().v5 && ctx.channel().isActive()) {
            ctx.writeAndFlush(Packets.disconnect(code, connection.client().closingProperties(reason)))
                    .addListener(written -> {
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
        ChannelHandlerContext ctx = connection.ctx();
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

    /** Closes at once; {@code reason} unless an earlier one is known. */
    void closeNow(String reason) {
        closing = true;
        if (closeReason == null) {
            closeReason = reason;
        }
        connection.ctx().close();
    }

    /**
     * Someone else closes the channel (the listener going away): MQTT 5 clients are told the server is
     * shutting down first.
     */
    void closedByOthers(ChannelHandlerContext context) {
        if (!closing && connection.connect().isConnected() && connection.client().v5 && context.channel().isActive()) {
            closingBecause("server shutting down");
            context.writeAndFlush(Packets.disconnect(Packets.SERVER_SHUTTING_DOWN, MqttProperties.NO_PROPERTIES));
        }
        closing = true;
    }

    /** The client's DISCONNECT: MQTT 5 may change the session expiry; only reason code 0x04 keeps the will. */
    void onDisconnect(MqttMessage m) {
        ClientParameters client = connection.client();
        int code = 0;
        if (client.v5 && m.variableHeader() instanceof MqttReasonCodeAndPropertiesVariableHeader h) {
            code = h.reasonCode() & 0xFF;
            long expiry = MessageProperties.unsigned(h.properties(), MqttProperties.SESSION_EXPIRY_INTERVAL, -1);
            if (expiry >= 0) {
                if (client.sessionExpiry == 0 && expiry != 0) {
                    // MQTT 5 3.14.2.2.2: not a valid DISCONNECT, so the will is published
                    violation(Packets.PROTOCOL_ERROR, "DISCONNECT sets a session expiry after 0 at CONNECT");
                    return;
                }
                client.sessionExpiry = Math.min(expiry, connection.settings().maxSessionExpiry());
            }
        }
        if (code != Packets.DISCONNECT_WITH_WILL) {
            connection.connect().discardWill();
        }
        closeNow(code == 0 ? "client disconnected" : "client disconnected with reason code " + Packets.hex(code));
    }
}
