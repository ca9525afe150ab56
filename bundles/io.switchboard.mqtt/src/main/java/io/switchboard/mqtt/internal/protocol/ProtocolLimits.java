package io.switchboard.mqtt.internal.protocol;

import io.netty.buffer.ByteBufUtil;

/**
 * The limits that keep one client, or one source of connections, from exhausting the broker (besides
 * packet size, in-flight and queue limits and {@code max.topic.levels}). Checked like
 * {@link ProtocolSettings}: the constructor throws naming the attribute.
 *
 * @param maxConnections MQTT connections on all listeners together, 0 for no limit
 * @param maxConnectionRate new connections per second per source address, 0 for no limit
 * @param maxTopicLength bytes (UTF-8) of a topic name, a topic filter or a will topic, 1..65535
 * @param maxSubscriptions subscriptions (distinct topic filters) per session, 0 for no limit
 */
record ProtocolLimits(int maxConnections, int maxConnectionRate, int maxTopicLength, int maxSubscriptions) {

    /**
     * Far above what one broker of this design serves (the bench's idle run measures 50,000), low enough that
     * a flood cannot use up the process's file descriptors and heap before it is refused. Mosquitto has no
     * limit by default; a bigger machine raises it.
     */
    static final int DEFAULT_MAX_CONNECTIONS = 100_000;
    /**
     * Off: the shipped listeners bind 127.0.0.1, where every client is the same source, and behind NAT or a
     * proxy many clients are one source too (EMQX and Mosquitto do not limit by default either). A broker
     * open to the Internet sets it together with its listener's host.
     */
    static final int DEFAULT_MAX_CONNECTION_RATE = 0;
    /**
     * Far beyond real topics (AWS IoT allows 256 bytes) while a 1,000-subscription session holds at most 4 MiB of
     * filters; MQTT itself allows 65535.
     */
    static final int DEFAULT_MAX_TOPIC_LENGTH = 4096;
    /** More than a device or a dashboard subscribes to; wildcards cover the rest. Mosquitto and EMQX have no limit. */
    static final int DEFAULT_MAX_SUBSCRIPTIONS = 1000;

    static ProtocolLimits defaults() {
        return new ProtocolLimits(DEFAULT_MAX_CONNECTIONS, DEFAULT_MAX_CONNECTION_RATE, DEFAULT_MAX_TOPIC_LENGTH,
                DEFAULT_MAX_SUBSCRIPTIONS);
    }

    ProtocolLimits {
        check(maxConnections >= 0, "max.connections", "must be 0 (no limit) or more", maxConnections);
        check(maxConnectionRate >= 0, "max.connection.rate", "must be 0 (no limit) or more", maxConnectionRate);
        check(maxTopicLength >= 1 && maxTopicLength <= 65535, "max.topic.length", "must be 1..65535", maxTopicLength);
        check(maxSubscriptions >= 0, "max.subscriptions", "must be 0 (no limit) or more", maxSubscriptions);
    }

    static ProtocolLimits from(MqttProtocolConfig config) {
        return new ProtocolLimits(config.max_connections(), config.max_connection_rate(), config.max_topic_length(),
                config.max_subscriptions());
    }

    /** Whether {@code topic} takes more than {@code max.topic.length} bytes in UTF-8. */
    boolean topicTooLong(String topic) {
        if (topic.length() > maxTopicLength) {
            return true; // every char takes a byte at least
        }
        return topic.length() * 3L > maxTopicLength && ByteBufUtil.utf8Bytes(topic) > maxTopicLength;
    }

    private static void check(boolean ok, String attribute, String rule, Object value) {
        if (!ok) {
            throw new IllegalArgumentException(attribute + ": " + rule + ", was " + value);
        }
    }
}
