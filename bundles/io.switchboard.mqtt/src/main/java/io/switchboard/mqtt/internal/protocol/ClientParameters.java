package io.switchboard.mqtt.internal.protocol;

import io.netty.buffer.ByteBufUtil;
import io.netty.handler.codec.mqtt.MqttProperties;

/**
 * What the client's CONNECT set up for its connection, as the server accepted it: the protocol
 * version, the client id, keep alive and session expiry, and the MQTT 5 limits the client asked the
 * server to respect. Written by {@link ConnectFlow}, read by every later flow. Event loop only, except
 * {@link #clientId} read for log lines.
 */
final class ClientParameters {

    /** No limit on the packets sent to a client (MQTT's own limit is 268435460 bytes). */
    static final long UNLIMITED = Long.MAX_VALUE;

    boolean v5;
    String clientId;
    /** Seconds; a DISCONNECT may change it. */
    long sessionExpiry;
    /** Seconds, as the server holds the client to it. */
    int keepAlive;
    int receiveMaximum = 65535;
    long maximumPacketSize = UNLIMITED;
    int topicAliasMaximum;
    boolean problemInformation = true;
    MessageIdProperty messageIdProperty = MessageIdProperty.NOT_REQUESTED;

    /** Reason String properties, unless the client asked for no problem information or it would not fit. */
    MqttProperties problemProperties(String reason) {
        if (!v5 || !problemInformation) {
            return MqttProperties.NO_PROPERTIES;
        }
        return Packets.reasonString(fits(reason, 16));
    }

    /** Reason String properties for CONNACK/DISCONNECT (sent even without problem information). */
    MqttProperties closingProperties(String reason) {
        return Packets.reasonString(fits(reason, 16));
    }

    /** {@code reason}, or {@code null} if a packet with it would exceed the client's maximum packet size. */
    String fits(String reason, int overhead) {
        if (reason == null) {
            return null;
        }
        return overhead + 3L + ByteBufUtil.utf8Bytes(reason) <= maximumPacketSize ? reason : null;
    }
}
