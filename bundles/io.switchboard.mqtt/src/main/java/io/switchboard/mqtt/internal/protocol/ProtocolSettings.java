package io.switchboard.mqtt.internal.protocol;

/**
 * The checked protocol configuration, fixed for a connection's lifetime (a change applies to new
 * connections).
 *
 * @param maxQueuedMessages messages waiting per session, at least 1
 * @param maxInflight unacknowledged QoS 1/2 messages per connection and direction (Receive Maximum), 1..65535
 * @param serverKeepAlive seconds MQTT 5 clients must use instead of their own, 0 for the client's own
 * @param maxKeepAlive the longest keep alive in seconds a client may use, 0 for no maximum
 * @param maxSessionExpiry the longest session expiry in seconds, {@link #NEVER} for no limit
 * @param topicAliasMaximum inbound topic aliases per connection, 0..65535
 * @param retainAvailable whether retained publishes are accepted
 * @param maximumQos the highest QoS accepted and granted, 0..2
 * @param connectTimeoutSeconds seconds until a connection without CONNECT is closed, at least 1
 * @param queueQos0 whether QoS 0 messages are queued for offline persistent sessions
 * @param responseInformationPrefix the response information prefix, empty for none
 * @param messageIdProperty the user property carrying the message id on deliveries to the MQTT 5 clients that ask for
 *        it in their CONNECT ({@link MessageIdProperty}), empty for never
 * @param assignedClientIdPrefix the prefix of assigned client ids
 * @param maxQueuedBytes payload bytes waiting per session, at least 1
 * @param neverSessionExpiry the session expiry in seconds of a session that asks never to expire (3.1.1 clean
 *        session 0, MQTT 5 0xFFFFFFFF), {@link #NEVER} to keep it forever
 * @param maxTopicLevels levels of a topic name or filter, 1..65535
 * @param limits connections, connection rate, topic length and subscriptions
 */
record ProtocolSettings(int maxQueuedMessages, int maxInflight, int serverKeepAlive, int maxKeepAlive, long maxSessionExpiry,
        int topicAliasMaximum, boolean retainAvailable, int maximumQos, int connectTimeoutSeconds, boolean queueQos0,
        String responseInformationPrefix, String messageIdProperty, String assignedClientIdPrefix, long maxQueuedBytes,
        long neverSessionExpiry, int maxTopicLevels, ProtocolLimits limits) {

    /** A session expiry interval meaning "never expires" (MQTT 5: 0xFFFFFFFF). */
    static final long NEVER = 0xFFFF_FFFFL;
    static final int DEFAULT_MAX_QUEUED = 1000;
    static final int DEFAULT_MAX_INFLIGHT = 100;
    static final int DEFAULT_TOPIC_ALIAS_MAXIMUM = 10;
    static final int DEFAULT_CONNECT_TIMEOUT = 10;
    static final String DEFAULT_RESPONSE_PREFIX = "response/";
    static final String DEFAULT_MESSAGE_ID_PROPERTY = "sb-message-id";
    static final String DEFAULT_ID_PREFIX = "sb-";
    static final long DEFAULT_MAX_QUEUED_BYTES = 32L * 1024 * 1024;
    /** A week, like the retention a persistent client is usually given before the broker forgets it. */
    static final long DEFAULT_NEVER_SESSION_EXPIRY = 7L * 24 * 3600;
    /** Far below what any topic needs and far below what deep matching could cost (Mosquitto caps at 200). */
    static final int DEFAULT_MAX_TOPIC_LEVELS = 128;

    /** The defaults of {@link MqttProtocolConfig}. */
    static ProtocolSettings defaults() {
        return new ProtocolSettings(DEFAULT_MAX_QUEUED, DEFAULT_MAX_INFLIGHT, 0, 0, NEVER, DEFAULT_TOPIC_ALIAS_MAXIMUM, true,
                2, DEFAULT_CONNECT_TIMEOUT, true, DEFAULT_RESPONSE_PREFIX, DEFAULT_MESSAGE_ID_PROPERTY, DEFAULT_ID_PREFIX,
                DEFAULT_MAX_QUEUED_BYTES, DEFAULT_NEVER_SESSION_EXPIRY, DEFAULT_MAX_TOPIC_LEVELS, ProtocolLimits.defaults());
    }

    /** Checks the values; throws naming the attribute. */
    ProtocolSettings {
        check(maxQueuedMessages >= 1, "max.queued.messages", "must be 1 or more", maxQueuedMessages);
        check(maxInflight >= 1 && maxInflight <= 65535, "max.inflight", "must be 1..65535", maxInflight);
        check(serverKeepAlive >= 0 && serverKeepAlive <= 65535, "server.keep.alive", "must be 0..65535", serverKeepAlive);
        check(maxKeepAlive >= 0 && maxKeepAlive <= 65535, "max.keep.alive", "must be 0..65535", maxKeepAlive);
        check(maxKeepAlive == 0 || serverKeepAlive <= maxKeepAlive, "server.keep.alive",
                "must not exceed max.keep.alive (" + maxKeepAlive + ")", serverKeepAlive);
        check(maxSessionExpiry >= 0 && maxSessionExpiry <= NEVER, "max.session.expiry", "must be 0..4294967295",
                maxSessionExpiry);
        check(maxQueuedBytes >= 1, "max.queued.bytes", "must be 1 or more", maxQueuedBytes);
        check(neverSessionExpiry >= 0 && neverSessionExpiry <= NEVER, "never.session.expiry", "must be 0..4294967295",
                neverSessionExpiry);
        check(topicAliasMaximum >= 0 && topicAliasMaximum <= 65535, "topic.alias.maximum", "must be 0..65535",
                topicAliasMaximum);
        check(maximumQos >= 0 && maximumQos <= 2, "maximum.qos", "must be 0, 1 or 2", maximumQos);
        check(connectTimeoutSeconds >= 1, "connect.timeout", "must be 1 or more", connectTimeoutSeconds);
        check(maxTopicLevels >= 1 && maxTopicLevels <= 65535, "max.topic.levels", "must be 1..65535", maxTopicLevels);
        if (limits == null) {
            throw new IllegalArgumentException("limits: missing");
        }
        responseInformationPrefix = responseInformationPrefix == null ? "" : responseInformationPrefix.trim();
        messageIdProperty = messageIdProperty == null ? "" : messageIdProperty.trim();
        assignedClientIdPrefix = assignedClientIdPrefix == null ? "" : assignedClientIdPrefix.trim();
        check(responseInformationPrefix.indexOf('+') < 0 && responseInformationPrefix.indexOf('#') < 0,
                "response.information.prefix", "must not contain wildcards", responseInformationPrefix);
    }

    /** The settings of {@code config}; throws IllegalArgumentException naming a bad attribute. */
    static ProtocolSettings from(MqttProtocolConfig config) {
        return new ProtocolSettings(config.max_queued_messages(), config.max_inflight(), config.server_keep_alive(),
                config.max_keep_alive(), config.max_session_expiry(), config.topic_alias_maximum(),
                config.retain_available(), config.maximum_qos(), config.connect_timeout(), config.queue_qos0(), config.response_information_prefix(),
                config.message_id_property(), config.assigned_client_id_prefix(), config.max_queued_bytes(),
                config.never_session_expiry(), config.max_topic_levels(), ProtocolLimits.from(config));
    }

    /** A copy with another queue limit (tests). */
    ProtocolSettings withMaxQueuedMessages(int value) {
        return new ProtocolSettings(value, maxInflight, serverKeepAlive, maxKeepAlive, maxSessionExpiry, topicAliasMaximum,
                retainAvailable, maximumQos, connectTimeoutSeconds, queueQos0, responseInformationPrefix, messageIdProperty,
                assignedClientIdPrefix, maxQueuedBytes, neverSessionExpiry, maxTopicLevels, limits);
    }

    /** A copy with another in-flight window (tests). */
    ProtocolSettings withMaxInflight(int value) {
        return new ProtocolSettings(maxQueuedMessages, value, serverKeepAlive, maxKeepAlive, maxSessionExpiry, topicAliasMaximum,
                retainAvailable, maximumQos, connectTimeoutSeconds, queueQos0, responseInformationPrefix, messageIdProperty,
                assignedClientIdPrefix, maxQueuedBytes, neverSessionExpiry, maxTopicLevels, limits);
    }

    /** A copy with another server keep alive and connect timeout (tests). */
    ProtocolSettings withTimes(int keepAlive, int connectTimeout) {
        return new ProtocolSettings(maxQueuedMessages, maxInflight, keepAlive, maxKeepAlive, maxSessionExpiry, topicAliasMaximum,
                retainAvailable, maximumQos, connectTimeout, queueQos0, responseInformationPrefix, messageIdProperty,
                assignedClientIdPrefix, maxQueuedBytes, neverSessionExpiry, maxTopicLevels, limits);
    }

    /** A copy with another maximum keep alive (tests). */
    ProtocolSettings withMaxKeepAlive(int value) {
        return new ProtocolSettings(maxQueuedMessages, maxInflight, serverKeepAlive, value, maxSessionExpiry,
                topicAliasMaximum, retainAvailable, maximumQos, connectTimeoutSeconds, queueQos0, responseInformationPrefix,
                messageIdProperty, assignedClientIdPrefix, maxQueuedBytes, neverSessionExpiry, maxTopicLevels, limits);
    }

    /**
     * The keep alive a client asking for {@code requested} seconds is held to: the server keep alive for an
     * MQTT 5 client when one is set, else the request capped by the maximum (a request of 0, no keep alive,
     * counts as more than any maximum).
     */
    int keepAliveFor(int requested, boolean v5) {
        if (v5 && serverKeepAlive > 0) {
            return serverKeepAlive;
        }
        return exceedsMaxKeepAlive(requested) ? maxKeepAlive : requested;
    }

    /** Whether a client's keep alive of {@code requested} seconds is above the maximum (0 is). */
    boolean exceedsMaxKeepAlive(int requested) {
        return maxKeepAlive > 0 && (requested == 0 || requested > maxKeepAlive);
    }

    /** The session expiry of a session asking for {@code requested} seconds: "never" gets the configured default, all are capped. */
    long sessionExpiryFor(long requested) {
        return Math.min(requested == NEVER ? neverSessionExpiry : requested, maxSessionExpiry);
    }

    /** A copy with other publish limits (tests). */
    ProtocolSettings withPublishLimits(int qos, boolean retain, long sessionExpiryCap) {
        return new ProtocolSettings(maxQueuedMessages, maxInflight, serverKeepAlive, maxKeepAlive, sessionExpiryCap,
                topicAliasMaximum, retain, qos, connectTimeoutSeconds, queueQos0, responseInformationPrefix, messageIdProperty,
                assignedClientIdPrefix, maxQueuedBytes, neverSessionExpiry, maxTopicLevels, limits);
    }

    /** A copy with other limits (tests). */
    ProtocolSettings withLimits(ProtocolLimits value) {
        return new ProtocolSettings(maxQueuedMessages, maxInflight, serverKeepAlive, maxKeepAlive, maxSessionExpiry,
                topicAliasMaximum, retainAvailable, maximumQos, connectTimeoutSeconds, queueQos0, responseInformationPrefix,
                messageIdProperty, assignedClientIdPrefix, maxQueuedBytes, neverSessionExpiry, maxTopicLevels, value);
    }

    /** A copy with another message id property (tests). */
    ProtocolSettings withMessageIdProperty(String value) {
        return new ProtocolSettings(maxQueuedMessages, maxInflight, serverKeepAlive, maxKeepAlive, maxSessionExpiry,
                topicAliasMaximum, retainAvailable, maximumQos, connectTimeoutSeconds, queueQos0, responseInformationPrefix,
                value, assignedClientIdPrefix, maxQueuedBytes, neverSessionExpiry, maxTopicLevels, limits);
    }

    private static void check(boolean ok, String attribute, String rule, Object value) {
        if (!ok) {
            throw new IllegalArgumentException(attribute + ": " + rule + ", was " + value);
        }
    }

    /** Whether {@code topic} (a name or a filter) has more levels than {@code max.topic.levels}; stops counting there. */
    boolean tooManyLevels(String topic) {
        int levels = 1;
        for (int i = topic.indexOf('/'); i >= 0; i = topic.indexOf('/', i + 1)) {
            if (++levels > maxTopicLevels) {
                return true;
            }
        }
        return false;
    }

    /**
     * Why {@code topic} (a topic name, a filter or a will topic) is beyond {@code max.topic.levels} or
     * {@code max.topic.length}, naming the attribute; {@code null} when it is within both.
     */
    String topicLimitExceeded(String topic) {
        if (tooManyLevels(topic)) {
            return "more than " + maxTopicLevels + " levels (max.topic.levels)";
        }
        if (limits.topicTooLong(topic)) {
            return "longer than " + limits.maxTopicLength() + " bytes (max.topic.length)";
        }
        return null;
    }
}
