package io.switchboard.mqtt.internal.protocol;

import java.util.List;

import io.netty.handler.codec.mqtt.MqttProperties;
import io.switchboard.api.Message;

/**
 * MQTT 5 properties to and from a {@link Message}'s: the application properties of a PUBLISH or will
 * (payload format indicator, content type, response topic, correlation data, user properties) become
 * the message's, and a message delivered to a client carries them back, with the remaining Message
 * Expiry Interval, its subscription identifiers and topic alias. Also reads single properties.
 */
final class MessageProperties {

    private MessageProperties() {
    }

    /**
     * Copies the MQTT 5 application properties of a PUBLISH or will into {@code b}, and the addressing
     * fields that user properties set ({@link AddressingProperties}).
     */
    static void copyInto(Message.Builder b, MqttProperties p) {
        if (p == null) {
            return;
        }
        if (payloadIsUtf8(p)) {
            b.payloadUtf8(true);
        }
        b.contentType(string(p, MqttProperties.CONTENT_TYPE));
        b.responseTopic(string(p, MqttProperties.RESPONSE_TOPIC));
        MqttProperties.MqttProperty<?> correlation = p.getProperty(MqttProperties.CORRELATION_DATA);
        if (correlation != null && correlation.value() instanceof byte[] data) {
            b.correlationData(data);
        }
        for (MqttProperties.MqttProperty<?> property : p.getProperties(MqttProperties.USER_PROPERTY)) {
            for (MqttProperties.StringPair pair : pairs(property)) {
                b.userProperty(pair.key, pair.value);
                AddressingProperties.apply(b, pair.key, pair.value);
            }
        }
    }

    /**
     * The properties of a PUBLISH delivering {@code m}: its application properties ({@code user}
     * being its user properties as this connection gets them, or null), the remaining expiry, the
     * subscription identifiers and the topic alias (or null); {@code expirySeconds} as {@link #remainingExpiry}.
     */
    static MqttProperties forDelivery(Message m, MqttProperties.UserProperties user, List<Integer> subscriptionIds,
            Integer alias, long expirySeconds) {
        MqttProperties p = new MqttProperties();
        if (m.payloadUtf8()) {
            p.add(new MqttProperties.IntegerProperty(MqttProperties.PAYLOAD_FORMAT_INDICATOR, 1));
        }
        if (m.expiresAt() != 0) {
            p.add(new MqttProperties.IntegerProperty(MqttProperties.PUBLICATION_EXPIRY_INTERVAL, (int) expirySeconds));
        }
        if (m.contentType() != null) {
            p.add(new MqttProperties.StringProperty(MqttProperties.CONTENT_TYPE, m.contentType()));
        }
        if (m.responseTopic() != null) {
            p.add(new MqttProperties.StringProperty(MqttProperties.RESPONSE_TOPIC, m.responseTopic()));
        }
        byte[] correlation = m.correlationData();
        if (correlation != null) {
            p.add(new MqttProperties.BinaryProperty(MqttProperties.CORRELATION_DATA, correlation));
        }
        if (user != null) {
            p.add(user);
        }
        for (Integer id : subscriptionIds) {
            p.add(new MqttProperties.IntegerProperty(MqttProperties.SUBSCRIPTION_IDENTIFIER, id));
        }
        if (alias != null) {
            p.add(new MqttProperties.IntegerProperty(MqttProperties.TOPIC_ALIAS, alias));
        }
        return p;
    }

    /**
     * The Message Expiry Interval a delivery of {@code m} carries at {@code nowMillis}: the seconds left, rounded up,
     * at least 1; 0 when {@code m} does not expire.
     */
    static long remainingExpiry(Message m, long nowMillis) {
        if (m.expiresAt() == 0) {
            return 0;
        }
        long left = (m.expiresAt() - nowMillis + 999) / 1000;
        return Math.max(1, Math.min(left, ProtocolSettings.NEVER - 1));
    }

    /** Whether the payload format indicator says UTF-8. */
    static boolean payloadIsUtf8(MqttProperties p) {
        return Integer.valueOf(1).equals(integer(p, MqttProperties.PAYLOAD_FORMAT_INDICATOR));
    }

    /** An integer property, or {@code null}. */
    static Integer integer(MqttProperties p, int id) {
        MqttProperties.MqttProperty<?> property = p == null ? null : p.getProperty(id);
        return property != null && property.value() instanceof Integer i ? i : null;
    }

    /** A four-byte integer property as unsigned, or {@code absent}. */
    static long unsigned(MqttProperties p, int id, long absent) {
        Integer value = integer(p, id);
        return value == null ? absent : value & 0xFFFF_FFFFL;
    }

    /** A string property, or {@code null}. */
    static String string(MqttProperties p, int id) {
        MqttProperties.MqttProperty<?> property = p == null ? null : p.getProperty(id);
        return property != null && property.value() instanceof String s ? s : null;
    }

    /** The name/value pairs of a user property (Netty's decoder gives one pair or a list of them). */
    @SuppressWarnings("unchecked")
    static List<MqttProperties.StringPair> pairs(MqttProperties.MqttProperty<?> userProperty) {
        Object value = userProperty.value();
        if (value instanceof MqttProperties.StringPair pair) {
            return List.of(pair);
        }
        return value instanceof List<?> list ? (List<MqttProperties.StringPair>) list : List.of();
    }
}
