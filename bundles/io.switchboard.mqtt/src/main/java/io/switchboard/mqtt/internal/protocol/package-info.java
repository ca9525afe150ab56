/**
 * The MQTT 3.1.1 and 5.0 protocol on each connection (private): {@link
 * io.switchboard.mqtt.internal.protocol.MqttProtocol} adds the handlers to every connection a listener
 * accepts and keeps what outlives connections (the sessions' MQTT state, each the receiver of its broker
 * session, with session expiry and will timers: {@link io.switchboard.mqtt.internal.protocol.SessionLifecycle});
 * {@link io.switchboard.mqtt.internal.protocol.MqttConnectionHandler} speaks MQTT with one client and
 * brings it into the broker through {@link io.switchboard.api.broker.Broker}, handing each packet to the
 * flow it belongs to (connect, inbound publish, subscribe, outbound publish, closing). The bundle README
 * ("Protocol") describes the behaviour, the configuration and which class does what.
 *
 * <p>One package rather than one per flow: the flows share the session ({@link
 * io.switchboard.mqtt.internal.protocol.MqttSession}), the packets ({@link
 * io.switchboard.mqtt.internal.protocol.Packets}) and the settings, whose package-private methods would
 * all have to become public.
 */
package io.switchboard.mqtt.internal.protocol;
