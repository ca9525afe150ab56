/**
 * The MQTT front door (private): {@code transport} binds the listeners (TCP, WebSocket, TLS) from
 * their configurations; {@code protocol} speaks MQTT 3.1.1 and 5.0 on each connection and brings the
 * clients into the broker through {@link io.switchboard.api.broker.Broker}. The two meet in
 * {@link io.switchboard.mqtt.internal.MqttPipeline}.
 */
package io.switchboard.mqtt.internal;
