package io.switchboard.itest.mqtt.support;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * MQTT 5 properties (OASIS MQTT 5.0, section 2.2.2.2) as read from or written to a packet: an ordered
 * list of (identifier, value) pairs. Values are {@code Integer} (byte, two and four byte integers,
 * variable byte integers), {@code String} (UTF-8 strings), {@code byte[]} (binary data) or
 * {@code String[2]} (user properties).
 */
public final class Properties5 {

    public static final int PAYLOAD_FORMAT_INDICATOR = 0x01;
    public static final int MESSAGE_EXPIRY_INTERVAL = 0x02;
    public static final int CONTENT_TYPE = 0x03;
    public static final int RESPONSE_TOPIC = 0x08;
    public static final int CORRELATION_DATA = 0x09;
    public static final int SUBSCRIPTION_IDENTIFIER = 0x0B;
    public static final int SESSION_EXPIRY_INTERVAL = 0x11;
    public static final int ASSIGNED_CLIENT_IDENTIFIER = 0x12;
    public static final int SERVER_KEEP_ALIVE = 0x13;
    public static final int AUTHENTICATION_METHOD = 0x15;
    public static final int AUTHENTICATION_DATA = 0x16;
    public static final int REQUEST_PROBLEM_INFORMATION = 0x17;
    public static final int WILL_DELAY_INTERVAL = 0x18;
    public static final int REQUEST_RESPONSE_INFORMATION = 0x19;
    public static final int RESPONSE_INFORMATION = 0x1A;
    public static final int SERVER_REFERENCE = 0x1C;
    public static final int REASON_STRING = 0x1F;
    public static final int RECEIVE_MAXIMUM = 0x21;
    public static final int TOPIC_ALIAS_MAXIMUM = 0x22;
    public static final int TOPIC_ALIAS = 0x23;
    public static final int MAXIMUM_QOS = 0x24;
    public static final int RETAIN_AVAILABLE = 0x25;
    public static final int USER_PROPERTY = 0x26;
    public static final int MAXIMUM_PACKET_SIZE = 0x27;
    public static final int WILDCARD_SUBSCRIPTION_AVAILABLE = 0x28;
    public static final int SUBSCRIPTION_IDENTIFIER_AVAILABLE = 0x29;
    public static final int SHARED_SUBSCRIPTION_AVAILABLE = 0x2A;

    /** One property. */
    public record Property(int id, Object value) {
        @Override
        public String toString() {
            Object shown = value instanceof byte[] bytes ? new String(bytes, StandardCharsets.UTF_8)
                    : value instanceof String[] pair ? pair[0] + "=" + pair[1] : value;
            return String.format("0x%02X:%s", id, shown);
        }
    }

    private final List<Property> list = new ArrayList<>();

    /** No properties. */
    public static Properties5 none() {
        return new Properties5();
    }

    /** Adds a property with an integer value (byte, two/four byte or variable byte integer). */
    public Properties5 add(int id, int value) {
        list.add(new Property(id, value));
        return this;
    }

    /** Adds a UTF-8 string property. */
    public Properties5 add(int id, String value) {
        list.add(new Property(id, value));
        return this;
    }

    /** Adds a binary data property. */
    public Properties5 add(int id, byte[] value) {
        list.add(new Property(id, value));
        return this;
    }

    /** Adds a user property. */
    public Properties5 user(String name, String value) {
        list.add(new Property(USER_PROPERTY, new String[] {name, value}));
        return this;
    }

    /** Every property in order. */
    public List<Property> all() {
        return list;
    }

    /** Whether the property {@code id} is present. */
    public boolean has(int id) {
        return list.stream().anyMatch(p -> p.id() == id);
    }

    /** The first integer value of {@code id}, or {@code null}. */
    public Integer integer(int id) {
        return list.stream().filter(p -> p.id() == id).map(p -> (Integer) p.value()).findFirst().orElse(null);
    }

    /** Every integer value of {@code id} (e.g. several subscription identifiers). */
    public List<Integer> integers(int id) {
        return list.stream().filter(p -> p.id() == id).map(p -> (Integer) p.value()).toList();
    }

    /** The first string value of {@code id}, or {@code null}. */
    public String string(int id) {
        return list.stream().filter(p -> p.id() == id).map(p -> (String) p.value()).findFirst().orElse(null);
    }

    /** The first binary value of {@code id}, or {@code null}. */
    public byte[] binary(int id) {
        return list.stream().filter(p -> p.id() == id).map(p -> (byte[]) p.value()).findFirst().orElse(null);
    }

    /** The user properties as "name=value" strings, in order. */
    public List<String> userProperties() {
        return list.stream().filter(p -> p.id() == USER_PROPERTY).map(p -> ((String[]) p.value())[0] + "=" + ((String[]) p.value())[1]).toList();
    }

    @Override
    public String toString() {
        return list.toString();
    }

    // ------------------------------------------------------------------------------ wire format

    /** The properties with their length prefix (a variable byte integer). */
    public byte[] encode() {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (Property p : list) {
            Wire.varInt(body, p.id());
            switch (p.id()) {
                case PAYLOAD_FORMAT_INDICATOR, REQUEST_PROBLEM_INFORMATION, REQUEST_RESPONSE_INFORMATION, MAXIMUM_QOS,
                        RETAIN_AVAILABLE, WILDCARD_SUBSCRIPTION_AVAILABLE, SUBSCRIPTION_IDENTIFIER_AVAILABLE,
                        SHARED_SUBSCRIPTION_AVAILABLE -> body.write((Integer) p.value());
                case SERVER_KEEP_ALIVE, RECEIVE_MAXIMUM, TOPIC_ALIAS_MAXIMUM, TOPIC_ALIAS -> Wire.u16(body, (Integer) p.value());
                case MESSAGE_EXPIRY_INTERVAL, SESSION_EXPIRY_INTERVAL, WILL_DELAY_INTERVAL, MAXIMUM_PACKET_SIZE ->
                        Wire.u32(body, (Integer) p.value());
                case SUBSCRIPTION_IDENTIFIER -> Wire.varInt(body, (Integer) p.value());
                case CONTENT_TYPE, RESPONSE_TOPIC, ASSIGNED_CLIENT_IDENTIFIER, AUTHENTICATION_METHOD, RESPONSE_INFORMATION,
                        SERVER_REFERENCE, REASON_STRING -> Wire.utf8(body, (String) p.value());
                case CORRELATION_DATA, AUTHENTICATION_DATA -> Wire.binary(body, (byte[]) p.value());
                case USER_PROPERTY -> {
                    Wire.utf8(body, ((String[]) p.value())[0]);
                    Wire.utf8(body, ((String[]) p.value())[1]);
                }
                default -> throw new IllegalArgumentException("unknown property " + p.id());
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Wire.varInt(out, body.size());
        out.writeBytes(body.toByteArray());
        return out.toByteArray();
    }

    /** Reads the properties (length prefix first) at {@code in}'s position. */
    public static Properties5 decode(Wire.Reader in) {
        Properties5 props = new Properties5();
        int length = in.varInt();
        int end = in.position() + length;
        while (in.position() < end) {
            int id = in.varInt();
            switch (id) {
                case PAYLOAD_FORMAT_INDICATOR, REQUEST_PROBLEM_INFORMATION, REQUEST_RESPONSE_INFORMATION, MAXIMUM_QOS,
                        RETAIN_AVAILABLE, WILDCARD_SUBSCRIPTION_AVAILABLE, SUBSCRIPTION_IDENTIFIER_AVAILABLE,
                        SHARED_SUBSCRIPTION_AVAILABLE -> props.add(id, in.u8());
                case SERVER_KEEP_ALIVE, RECEIVE_MAXIMUM, TOPIC_ALIAS_MAXIMUM, TOPIC_ALIAS -> props.add(id, in.u16());
                case MESSAGE_EXPIRY_INTERVAL, SESSION_EXPIRY_INTERVAL, WILL_DELAY_INTERVAL, MAXIMUM_PACKET_SIZE ->
                        props.add(id, in.u32());
                case SUBSCRIPTION_IDENTIFIER -> props.add(id, in.varInt());
                case CONTENT_TYPE, RESPONSE_TOPIC, ASSIGNED_CLIENT_IDENTIFIER, AUTHENTICATION_METHOD, RESPONSE_INFORMATION,
                        SERVER_REFERENCE, REASON_STRING -> props.add(id, in.utf8());
                case CORRELATION_DATA, AUTHENTICATION_DATA -> props.add(id, in.binary());
                case USER_PROPERTY -> props.user(in.utf8(), in.utf8());
                default -> throw new IllegalStateException("malformed: unknown property identifier 0x" + Integer.toHexString(id));
            }
        }
        return props;
    }
}
