/**
 * The MQTT 3.1.1 and 5.0 protocol on each connection (private): {@link
 * io.switchboard.mqtt.internal.protocol.MqttProtocol} adds the handlers to every connection a listener
 * accepts and keeps what outlives connections (the sessions' MQTT state in a {@link
 * io.switchboard.mqtt.internal.protocol.SessionStore}, session expiry and will timers);
 * {@link io.switchboard.mqtt.internal.protocol.MqttConnectionHandler} speaks MQTT with one client and
 * brings it into the broker through {@link io.switchboard.api.broker.Broker}. The bundle README
 * ("Protocol") describes the behaviour and the configuration.
 */
package io.switchboard.mqtt.internal.protocol;
