package io.switchboard.api.admin;

/**
 * The traffic of one listener of a front door (a port accepting clients) since the front door started, as its
 * {@link TrafficStatistics} reports it (since 1.1). A listener that is reconfigured (and so closed and bound
 * again) keeps its totals; one that is removed is no longer reported.
 *
 * @param name the listener's name, e.g. {@code tcp}, {@code websocket-tls}
 * @param transport {@code tcp} or {@code websocket}
 * @param tls whether it serves TLS
 * @param connections client connections open now that have sent their CONNECT (sockets still on their way to a
 *        CONNECT are not counted)
 * @param accepted connections whose CONNECT was accepted (a successful CONNACK)
 * @param refused connection attempts refused: closed at accept (e.g. {@code max.connection.rate}), refused by the
 *        broker's connect chain, or answered with a refusing CONNACK (limits, login refused, bad CONNECT)
 * @param bytesReceived bytes read from the clients' sockets, as they come off the network: with TLS the encrypted
 *        records, with WebSocket the HTTP upgrade and the frames included
 * @param bytesSent bytes written to the clients' sockets, counted the same way
 * @param messagesReceived PUBLISH packets received from clients
 * @param messagesSent PUBLISH packets sent to clients (resends with DUP included)
 * @param packetsReceived MQTT packets of every type received (PUBLISH included)
 * @param packetsSent MQTT packets of every type sent (PUBLISH included)
 */
public record ListenerStats(String name, String transport, boolean tls, int connections, long accepted, long refused,
        long bytesReceived, long bytesSent, long messagesReceived, long messagesSent, long packetsReceived,
        long packetsSent) {
}
