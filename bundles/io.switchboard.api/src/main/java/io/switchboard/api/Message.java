package io.switchboard.api;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A message: immutable. Changing a message makes a new one with {@link #toBuilder()}.
 *
 * <p>Besides MQTT's topic, QoS, retain flag, payload and MQTT 5 properties, a message carries the
 * addressing parameters modules use: a broker-assigned {@link #id()}, a {@link #refId()} linking an
 * answer to its question, an application and group id, flags, a type, the authenticated sender
 * ({@link #from()}), and an expiry. An MQTT 5 client sets the application and group id, the type and
 * the flags with the user properties {@code sb-app-id}, {@code sb-group-id}, {@code sb-type} and
 * {@code sb-flags} (see the MQTT bundle's README); modules set them with the {@link Builder}.
 */
public final class Message {

    /** {@link #type()} of an ordinary message. */
    public static final int TYPE_NORMAL = 0;

    private static final byte[] EMPTY = new byte[0];

    private final long id;
    private final long refId;
    private final String appId;
    private final long groupId;
    private final int flags;
    private final int type;
    private final long expiresAt;
    private final long timestamp;
    private final String from;
    private final String topic;
    private final int qos;
    private final boolean retain;
    private final byte[] payload;
    private final boolean payloadUtf8;
    private final String contentType;
    private final String responseTopic;
    private final byte[] correlationData;
    private final List<UserProperty> userProperties;
    private final boolean recipientOnline;

    private Message(Builder b) {
        this.id = b.id;
        this.refId = b.refId;
        this.appId = b.appId;
        this.groupId = b.groupId;
        this.flags = b.flags;
        this.type = b.type;
        this.expiresAt = b.expiresAt;
        this.timestamp = b.timestamp;
        this.from = b.from;
        this.topic = b.topic;
        this.qos = b.qos;
        this.retain = b.retain;
        this.payload = b.payload;
        this.payloadUtf8 = b.payloadUtf8;
        this.contentType = b.contentType;
        this.responseTopic = b.responseTopic;
        this.correlationData = b.correlationData;
        this.userProperties = b.userProperties == null ? List.of() : List.copyOf(b.userProperties);
        this.recipientOnline = b.recipientOnline;
    }

    /** Starts a message to {@code topic}. */
    public static Builder builder(String topic) {
        return new Builder().topic(topic);
    }

    /** A builder holding this message's values, to make a changed copy. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.id = id;
        b.refId = refId;
        b.appId = appId;
        b.groupId = groupId;
        b.flags = flags;
        b.type = type;
        b.expiresAt = expiresAt;
        b.timestamp = timestamp;
        b.from = from;
        b.topic = topic;
        b.qos = qos;
        b.retain = retain;
        b.payload = payload;
        b.payloadUtf8 = payloadUtf8;
        b.contentType = contentType;
        b.responseTopic = responseTopic;
        b.correlationData = correlationData;
        b.userProperties = userProperties.isEmpty() ? null : new ArrayList<>(userProperties);
        b.recipientOnline = recipientOnline;
        return b;
    }

    /** The broker-assigned id, unique within the broker; 0 until the broker accepts the message. */
    public long id() {
        return id;
    }

    /** The id of the message this one refers to (an answer's question), or 0. */
    public long refId() {
        return refId;
    }

    /** The application id the sender belongs to, or {@code null}. */
    public String appId() {
        return appId;
    }

    /** The group the message is addressed to, or 0. */
    public long groupId() {
        return groupId;
    }

    /** Application-defined flags. */
    public int flags() {
        return flags;
    }

    /** Application-defined type; {@link #TYPE_NORMAL} by default. */
    public int type() {
        return type;
    }

    /** When the message expires, in milliseconds since the epoch, or 0 if it never does. */
    public long expiresAt() {
        return expiresAt;
    }

    /** Whether the message has expired at {@code nowMillis}. */
    public boolean isExpired(long nowMillis) {
        return expiresAt != 0 && nowMillis >= expiresAt;
    }

    /** When the broker accepted the message, in milliseconds since the epoch, or 0 before. */
    public long timestamp() {
        return timestamp;
    }

    /** The authenticated sender (user name or client id), or {@code null} before login. */
    public String from() {
        return from;
    }

    /** The topic the message is published to: its destination. */
    public String topic() {
        return topic;
    }

    /** The quality of service: 0, 1 or 2. */
    public int qos() {
        return qos;
    }

    /** Whether the broker keeps this message as the topic's retained message. */
    public boolean retain() {
        return retain;
    }

    /** The payload as a read-only view; no copy is made. */
    public ByteBuffer payload() {
        return ByteBuffer.wrap(payload).asReadOnlyBuffer();
    }

    /** A copy of the payload. */
    public byte[] payloadBytes() {
        return payload.clone();
    }

    /** The payload decoded as UTF-8 (a malformed byte sequence becomes U+FFFD: check {@link #payloadIsWellFormedUtf8()}). */
    public String payloadText() {
        return new String(payload, StandardCharsets.UTF_8);
    }

    /**
     * Whether the payload is well-formed UTF-8 (RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF; an
     * empty payload is), whatever the sender declared ({@link #payloadUtf8()}). Checked on the bytes, without decoding
     * or allocating, so a module that works on text only can skip binary payloads cheaply before {@link #payloadText()}.
     */
    public boolean payloadIsWellFormedUtf8() {
        byte[] b = payload;
        int i = 0;
        while (i < b.length) {
            int lead = b[i];
            if (lead >= 0) { // ASCII
                i++;
                continue;
            }
            lead &= 0xFF;
            int continuations;
            int secondMin = 0x80;
            int secondMax = 0xBF;
            if (lead >= 0xC2 && lead <= 0xDF) {
                continuations = 1;
            } else if (lead >= 0xE0 && lead <= 0xEF) {
                continuations = 2;
                secondMin = lead == 0xE0 ? 0xA0 : 0x80; // overlong below U+0800
                secondMax = lead == 0xED ? 0x9F : 0xBF; // surrogates
            } else if (lead >= 0xF0 && lead <= 0xF4) {
                continuations = 3;
                secondMin = lead == 0xF0 ? 0x90 : 0x80; // overlong below U+10000
                secondMax = lead == 0xF4 ? 0x8F : 0xBF; // above U+10FFFF
            } else {
                return false; // a continuation byte, C0/C1 (overlong) or F5..FF
            }
            if (b.length - i - 1 < continuations) {
                return false;
            }
            int second = b[i + 1] & 0xFF;
            if (second < secondMin || second > secondMax) {
                return false;
            }
            for (int k = 2; k <= continuations; k++) {
                if ((b[i + k] & 0xC0) != 0x80) {
                    return false;
                }
            }
            i += continuations + 1;
        }
        return true;
    }

    /** The payload's size in bytes. */
    public int payloadSize() {
        return payload.length;
    }

    /** Whether the sender declared the payload UTF-8 text (MQTT 5 payload format indicator). */
    public boolean payloadUtf8() {
        return payloadUtf8;
    }

    /** The MQTT 5 content type, or {@code null}. */
    public String contentType() {
        return contentType;
    }

    /** The MQTT 5 response topic, or {@code null}. */
    public String responseTopic() {
        return responseTopic;
    }

    /** A copy of the MQTT 5 correlation data, or {@code null}. */
    public byte[] correlationData() {
        return correlationData == null ? null : correlationData.clone();
    }

    /** The MQTT 5 user properties in order; empty if none. */
    public List<UserProperty> userProperties() {
        return userProperties;
    }

    /** The first value of the user property {@code name}, or {@code null}. */
    public String userProperty(String name) {
        for (UserProperty p : userProperties) {
            if (p.name().equals(name)) {
                return p.value();
            }
        }
        return null;
    }

    /** On delivery: whether the recipient was online when the message was routed to it. */
    public boolean recipientOnline() {
        return recipientOnline;
    }

    @Override
    public String toString() {
        return "Message[id=" + id + ", topic=" + topic + ", from=" + from + ", qos=" + qos
                + (retain ? ", retain" : "") + ", " + payload.length + " bytes]";
    }

    /** Builds a {@link Message}. Not thread-safe; a builder may build several messages. */
    public static final class Builder {
        private long id;
        private long refId;
        private String appId;
        private long groupId;
        private int flags;
        private int type = TYPE_NORMAL;
        private long expiresAt;
        private long timestamp;
        private String from;
        private String topic;
        private int qos;
        private boolean retain;
        private byte[] payload = EMPTY;
        private boolean payloadUtf8;
        private String contentType;
        private String responseTopic;
        private byte[] correlationData;
        private List<UserProperty> userProperties;
        private boolean recipientOnline;

        private Builder() {
        }

        /** Sets the id; normally only the broker does. */
        public Builder id(long id) {
            this.id = id;
            return this;
        }

        /** Sets the id of the message this one refers to. */
        public Builder refId(long refId) {
            this.refId = refId;
            return this;
        }

        /** Sets the application id. */
        public Builder appId(String appId) {
            this.appId = appId;
            return this;
        }

        /** Sets the group id. */
        public Builder groupId(long groupId) {
            this.groupId = groupId;
            return this;
        }

        /** Sets the application-defined flags. */
        public Builder flags(int flags) {
            this.flags = flags;
            return this;
        }

        /** Sets the application-defined type. */
        public Builder type(int type) {
            this.type = type;
            return this;
        }

        /** Sets the expiry in milliseconds since the epoch; 0 for never. */
        public Builder expiresAt(long epochMillis) {
            if (epochMillis < 0) {
                throw new IllegalArgumentException("expiresAt must be >= 0: " + epochMillis);
            }
            this.expiresAt = epochMillis;
            return this;
        }

        /** Sets the acceptance time; normally only the broker does. */
        public Builder timestamp(long epochMillis) {
            this.timestamp = epochMillis;
            return this;
        }

        /** Sets the sender. The broker sets it to the authenticated user for client messages. */
        public Builder from(String from) {
            this.from = from;
            return this;
        }

        /** Sets the topic: a non-empty MQTT topic name without wildcards. */
        public Builder topic(String topic) {
            Objects.requireNonNull(topic, "topic");
            if (topic.isEmpty() || topic.indexOf('+') >= 0 || topic.indexOf('#') >= 0 || topic.indexOf('\0') >= 0) {
                throw new IllegalArgumentException("not a valid topic name (empty, or contains a wildcard or NUL): '" + topic + "'");
            }
            this.topic = topic;
            return this;
        }

        /** Sets the quality of service: 0, 1 or 2. */
        public Builder qos(int qos) {
            if (qos < 0 || qos > 2) {
                throw new IllegalArgumentException("qos must be 0, 1 or 2: " + qos);
            }
            this.qos = qos;
            return this;
        }

        /** Sets the retain flag. */
        public Builder retain(boolean retain) {
            this.retain = retain;
            return this;
        }

        /** Sets the payload; the array is copied. */
        public Builder payload(byte[] payload) {
            this.payload = payload == null ? EMPTY : payload.clone();
            return this;
        }

        /** Sets the payload to {@code text} in UTF-8 and marks it as UTF-8 text. */
        public Builder payload(String text) {
            this.payload = text.getBytes(StandardCharsets.UTF_8);
            this.payloadUtf8 = true;
            return this;
        }

        /** Sets the MQTT 5 payload format indicator (true: UTF-8 text). */
        public Builder payloadUtf8(boolean utf8) {
            this.payloadUtf8 = utf8;
            return this;
        }

        /** Sets the MQTT 5 content type. */
        public Builder contentType(String contentType) {
            this.contentType = contentType;
            return this;
        }

        /** Sets the MQTT 5 response topic. */
        public Builder responseTopic(String responseTopic) {
            this.responseTopic = responseTopic;
            return this;
        }

        /** Sets the MQTT 5 correlation data; the array is copied. */
        public Builder correlationData(byte[] correlationData) {
            this.correlationData = correlationData == null ? null : correlationData.clone();
            return this;
        }

        /** Adds an MQTT 5 user property. */
        public Builder userProperty(String name, String value) {
            if (userProperties == null) {
                userProperties = new ArrayList<>(4);
            }
            userProperties.add(new UserProperty(name, value));
            return this;
        }

        /** Replaces all MQTT 5 user properties. */
        public Builder userProperties(List<UserProperty> properties) {
            this.userProperties = properties == null || properties.isEmpty() ? null : new ArrayList<>(properties);
            return this;
        }

        /** Sets whether the recipient was online; set by the broker on delivery. */
        public Builder recipientOnline(boolean online) {
            this.recipientOnline = online;
            return this;
        }

        /** Builds the message. */
        public Message build() {
            if (topic == null) {
                throw new IllegalStateException("a message needs a topic");
            }
            return new Message(this);
        }
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof Message m)) {
            return false;
        }
        return id == m.id && refId == m.refId && groupId == m.groupId && flags == m.flags && type == m.type
                && expiresAt == m.expiresAt && timestamp == m.timestamp && qos == m.qos && retain == m.retain
                && payloadUtf8 == m.payloadUtf8 && recipientOnline == m.recipientOnline
                && Objects.equals(appId, m.appId) && Objects.equals(from, m.from) && topic.equals(m.topic)
                && Arrays.equals(payload, m.payload) && Objects.equals(contentType, m.contentType)
                && Objects.equals(responseTopic, m.responseTopic) && Arrays.equals(correlationData, m.correlationData)
                && userProperties.equals(m.userProperties);
    }

    @Override
    public int hashCode() {
        return Objects.hash(id, topic, from, qos, Arrays.hashCode(payload));
    }
}
