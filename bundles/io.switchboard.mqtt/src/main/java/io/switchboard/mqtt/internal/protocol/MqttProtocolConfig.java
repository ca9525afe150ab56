package io.switchboard.mqtt.internal.protocol;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * The MQTT protocol's configuration (PID {@value MqttProtocol#PID}, optional: every attribute has a
 * default). A member name maps to a property name with {@code _} as {@code .}; {@link ProtocolSettings#from}
 * checks the values. Changes apply to connections made afterwards.
 */
@ObjectClassDefinition(
        name = "Switchboard MQTT protocol",
        description = "Limits and features of the MQTT 3.1.1 / 5.0 protocol on every listener. Changes apply to new "
                + "connections.")
@interface MqttProtocolConfig {

    @AttributeDefinition(name = "Maximum queued messages",
            description = "Messages waiting per session (offline, or beyond the in-flight window). When full, a new "
                    + "QoS 0 message is dropped; a QoS 1/2 message drops the oldest queued QoS 0 message, or is "
                    + "refused when there is none. 1 or more.")
    int max_queued_messages() default ProtocolSettings.DEFAULT_MAX_QUEUED;

    @AttributeDefinition(name = "Maximum in-flight messages",
            description = "Unacknowledged QoS 1/2 messages per connection and direction: the server's MQTT 5 Receive "
                    + "Maximum (a client sending more is disconnected with 0x93; a 3.1.1 client is no longer read "
                    + "until it is below), and the most sent to a client (less when its Receive Maximum is "
                    + "lower). 1..65535.")
    int max_inflight() default ProtocolSettings.DEFAULT_MAX_INFLIGHT;

    @AttributeDefinition(name = "Server keep alive",
            description = "Seconds; MQTT 5 clients are told to use this keep alive instead of their own. 0: the "
                    + "client's own. 0..65535.")
    int server_keep_alive() default 0;

    @AttributeDefinition(name = "Maximum keep alive",
            description = "Seconds; the longest keep alive a client may use (Mosquitto's max_keepalive). An MQTT 5 "
                    + "client asking for more, or for 0 (none), is told this value as Server Keep Alive and held to "
                    + "it; a 3.1.1 client, which cannot be told, is refused (CONNACK 0x02). 0: no maximum. 0..65535; "
                    + "server.keep.alive must not exceed it.")
    int max_keep_alive() default 0;

    @AttributeDefinition(name = "Maximum session expiry",
            description = "Seconds a session may outlive its connection: caps the MQTT 5 Session Expiry Interval and "
                    + "3.1.1 persistent sessions (clean session 0). 4294967295: no limit.")
    long max_session_expiry() default ProtocolSettings.NEVER;

    @AttributeDefinition(name = "Maximum queued bytes",
            description = "Payload bytes waiting per session, with the same policy as max.queued.messages when "
                    + "exceeded (keeps the store bounded). 1 or more.")
    long max_queued_bytes() default ProtocolSettings.DEFAULT_MAX_QUEUED_BYTES;

    @AttributeDefinition(name = "Session expiry of 'never'",
            description = "Seconds a session that asks never to expire (3.1.1 clean session 0, MQTT 5 0xFFFFFFFF) "
                    + "outlives its connection; MQTT 5 clients are told it in the CONNACK (Mosquitto's "
                    + "persistent_client_expiration). 4294967295: forever.")
    long never_session_expiry() default ProtocolSettings.DEFAULT_NEVER_SESSION_EXPIRY;

    @AttributeDefinition(name = "Maximum topic levels",
            description = "Levels a topic name or filter may have (a/b/c has 3); a PUBLISH or a subscription beyond is "
                    + "refused with 0x90 / 0x8F (MQTT 5), a will topic beyond with CONNACK 0x90 (3.1.1: return code 5). "
                    + "Mosquitto caps at 200, EMQX's max_topic_levels defaults to 128.")
    int max_topic_levels() default ProtocolSettings.DEFAULT_MAX_TOPIC_LEVELS;

    @AttributeDefinition(name = "Maximum topic length",
            description = "Bytes (UTF-8) a topic name, topic filter or will topic may have; a PUBLISH beyond is refused "
                    + "with 0x90, a subscription with 0x8F (3.1.1: 0x80), a will with CONNACK 0x90 (3.1.1: return code "
                    + "5). MQTT allows 65535. 1..65535.")
    int max_topic_length() default ProtocolLimits.DEFAULT_MAX_TOPIC_LENGTH;

    @AttributeDefinition(name = "Maximum subscriptions per client",
            description = "Distinct topic filters one session may subscribe to (re-subscribing a filter does not count "
                    + "twice; an unsubscribe frees a place; a resumed or recovered session counts the ones it has). "
                    + "Beyond, a filter is refused with SUBACK 0x97 (3.1.1: 0x80). 0: no limit.")
    int max_subscriptions() default ProtocolLimits.DEFAULT_MAX_SUBSCRIPTIONS;

    @AttributeDefinition(name = "Maximum connections",
            description = "MQTT connections on all listeners together (each listener may have its own "
                    + "max.connections too). Beyond, a CONNECT is refused with CONNACK 0x97 (3.1.1: return code 3) and "
                    + "the connection closed. Connections still before their CONNECT do not count (connect.timeout "
                    + "bounds them). 0: no limit.")
    int max_connections() default ProtocolLimits.DEFAULT_MAX_CONNECTIONS;

    @AttributeDefinition(name = "Maximum new connections per second per source",
            description = "New connections per second from one source address (a burst of as many is allowed), on all "
                    + "listeners together. Beyond, a connection is closed as it is accepted, before TLS or WebSocket "
                    + "handshakes and without a CONNACK; logged at most once a minute per source. 0: no limit (the "
                    + "default: behind NAT or a proxy many clients share one address).")
    int max_connection_rate() default ProtocolLimits.DEFAULT_MAX_CONNECTION_RATE;

    @AttributeDefinition(name = "Topic alias maximum",
            description = "Topic aliases an MQTT 5 client may set per connection (0: none). 0..65535.")
    int topic_alias_maximum() default ProtocolSettings.DEFAULT_TOPIC_ALIAS_MAXIMUM;

    @AttributeDefinition(name = "Retain available",
            description = "Whether clients may publish retained messages (false: MQTT 5 clients are told; a retained "
                    + "publish disconnects with 0x9A).")
    boolean retain_available() default true;

    @AttributeDefinition(name = "Maximum QoS",
            description = "The highest QoS clients may publish with and are granted on subscriptions: 0, 1 or 2.")
    int maximum_qos() default 2;

    @AttributeDefinition(name = "Connect timeout",
            description = "Seconds a new connection may take to send its CONNECT before it is closed. 1 or more.")
    int connect_timeout() default ProtocolSettings.DEFAULT_CONNECT_TIMEOUT;

    @AttributeDefinition(name = "Queue QoS 0 messages",
            description = "Whether QoS 0 messages are queued for a persistent session while its client is offline.")
    boolean queue_qos0() default true;

    @AttributeDefinition(name = "Response information prefix",
            description = "MQTT 5 clients asking for response information get <prefix><client id>/ as the base of "
                    + "their response topics. Empty: none is given.",
            required = false)
    String response_information_prefix() default ProtocolSettings.DEFAULT_RESPONSE_PREFIX;

    @AttributeDefinition(name = "Message id property",
            description = "The MQTT 5 user property carrying the broker's message id (what a read receipt to "
                    + "$read/<id> names) on the messages delivered to a client that asked for it with the CONNECT "
                    + "user property <this name>=request. Empty: never sent, even when asked.",
            required = false)
    String message_id_property() default ProtocolSettings.DEFAULT_MESSAGE_ID_PROPERTY;

    @AttributeDefinition(name = "Assigned client id prefix",
            description = "The prefix of client ids the broker assigns to clients connecting with an empty one.",
            required = false)
    String assigned_client_id_prefix() default ProtocolSettings.DEFAULT_ID_PREFIX;
}
