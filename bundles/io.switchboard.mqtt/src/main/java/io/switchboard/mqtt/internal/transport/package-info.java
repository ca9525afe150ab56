/**
 * The MQTT listeners (private): one {@link io.switchboard.mqtt.internal.transport.MqttListener} per
 * factory configuration {@code io.switchboard.mqtt.listener~<name>} binds a TCP or WebSocket port, with or
 * without TLS, on the shared {@link io.switchboard.mqtt.internal.transport.EventLoops}, and hands every
 * accepted connection to {@link io.switchboard.mqtt.internal.MqttPipeline}.
 */
package io.switchboard.mqtt.internal.transport;
