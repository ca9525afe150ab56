package io.switchboard.mqtt.internal;

import java.net.InetSocketAddress;

import io.netty.channel.ChannelPipeline;

/**
 * Adds the MQTT protocol to a connection. Implemented by the protocol (a DS component registered
 * under this interface), used by every listener once per accepted connection, after the listener put
 * its transport handlers (TLS, WebSocket framing into binary {@code ByteBuf}s) in the pipeline.
 */
public interface MqttPipeline {

    /**
     * Asked first for every accepted connection, before any handler is added: whether a connection from
     * {@code source} may be served now. On false the listener closes it at once (no TLS handshake, no
     * WebSocket upgrade, no CONNECT read: the cheapest refusal of a flood).
     */
    boolean admitsConnectionFrom(InetSocketAddress source, ListenerInfo listener);

    /** What the front door counts: listeners take their counters here when they bind. */
    Traffic counters();

    /** Appends the MQTT decoder, encoder, keep-alive and connection handlers for {@code listener}. */
    void addProtocolHandlers(ChannelPipeline pipeline, ListenerInfo listener);
}
