package io.switchboard.api.admin;

import java.util.List;

import io.switchboard.api.Subscription;

/**
 * One client session as the core knows it (since 1.1). Persistence is the front doors' business (an MQTT
 * session's expiry interval is not the core's to know): a session the core holds while it is offline is one
 * its front door kept.
 *
 * @param id the session's id, unique while the broker runs
 * @param clientId the client identifier
 * @param user the user it is logged in as ({@link io.switchboard.api.Session#ANONYMOUS} for a network client without
 *        a checked name)
 * @param protocol the protocol name, e.g. {@code mqtt-5}, {@code mqtt-3.1.1}, {@code internal}
 * @param listener the listener its connection came in on, e.g. {@code tcp}; {@code null} when offline or for an
 *        in-process client
 * @param remoteAddress the connection's remote address as {@code host:port}; {@code null} when offline or for an
 *        in-process client
 * @param online whether a connection holds the session now; {@code false}: kept by its front door for the client
 *        to come back (a persistent session)
 * @param subscriptions its subscriptions (topic filter, QoS and options), sorted by topic filter
 */
public record SessionInfo(long id, String clientId, String user, String protocol, String listener,
        String remoteAddress, boolean online, List<Subscription> subscriptions) {

    /** Copies the subscriptions. */
    public SessionInfo {
        subscriptions = List.copyOf(subscriptions);
    }
}
