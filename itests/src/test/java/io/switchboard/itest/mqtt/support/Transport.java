package io.switchboard.itest.mqtt.support;

/** The listeners the test distribution runs, one port each. */
public enum Transport {
    /** MQTT over plain TCP (the default listener, 1883 in the shipped configuration). */
    TCP("tcp", false),
    /** MQTT over WebSocket (binary frames, subprotocol {@code mqtt}, path {@code /mqtt}). */
    WEBSOCKET("ws", false),
    /** MQTT over TLS on TCP, with a key store the test generates. */
    TLS("tls", true),
    /** MQTT over secure WebSocket ({@code wss://}, path {@code /mqtt}), with the same key store. */
    WEBSOCKET_TLS("wss", true);

    private final String listenerName;
    private final boolean tls;

    Transport(String listenerName, boolean tls) {
        this.listenerName = listenerName;
        this.tls = tls;
    }

    /** The listener's configuration name: {@code configadmin/io.switchboard.mqtt.listener-<name>.cfg}. */
    public String listenerName() {
        return listenerName;
    }

    /** Whether the transport runs over TLS. */
    public boolean tls() {
        return tls;
    }

    /** Whether the transport frames MQTT in WebSocket messages. */
    public boolean websocket() {
        return this == WEBSOCKET || this == WEBSOCKET_TLS;
    }
}
