package io.switchboard.mqtt.internal;

import io.netty.channel.ChannelPipeline;

/**
 * Adds the MQTT protocol to a connection. Implemented by the protocol (a DS component registered
 * under this interface), used by every listener once per accepted connection, after the listener put
 * its transport handlers (TLS, WebSocket framing into binary {@code ByteBuf}s) in the pipeline.
 */
public interface MqttPipeline {

    /** Appends the MQTT decoder, encoder, keep-alive and connection handlers for {@code listener}. */
    void addProtocolHandlers(ChannelPipeline pipeline, ListenerInfo listener);
}
