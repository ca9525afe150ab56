package io.switchboard.itest.mqtt.support;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * One MQTT control packet as received by {@link RawClient}: its fixed header and body, decoded on
 * demand for the protocol version of the connection ({@code 4} = 3.1.1, {@code 5} = 5.0).
 */
public final class Packet {

    public static final int CONNECT = 1;
    public static final int CONNACK = 2;
    public static final int PUBLISH = 3;
    public static final int PUBACK = 4;
    public static final int PUBREC = 5;
    public static final int PUBREL = 6;
    public static final int PUBCOMP = 7;
    public static final int SUBSCRIBE = 8;
    public static final int SUBACK = 9;
    public static final int UNSUBSCRIBE = 10;
    public static final int UNSUBACK = 11;
    public static final int PINGREQ = 12;
    public static final int PINGRESP = 13;
    public static final int DISCONNECT = 14;
    public static final int AUTH = 15;

    private static final String[] NAMES = {"RESERVED", "CONNECT", "CONNACK", "PUBLISH", "PUBACK", "PUBREC", "PUBREL",
        "PUBCOMP", "SUBSCRIBE", "SUBACK", "UNSUBSCRIBE", "UNSUBACK", "PINGREQ", "PINGRESP", "DISCONNECT", "AUTH"};

    private final int type;
    private final int flags;
    private final byte[] body;
    private final int version;

    Packet(int type, int flags, byte[] body, int version) {
        this.type = type;
        this.flags = flags;
        this.body = body;
        this.version = version;
    }

    /** The name of packet type {@code type}. */
    public static String name(int type) {
        return type >= 0 && type < NAMES.length ? NAMES[type] : "type " + type;
    }

    public int type() {
        return type;
    }

    public String typeName() {
        return name(type);
    }

    public int flags() {
        return flags;
    }

    public byte[] body() {
        return body.clone();
    }

    /** Size of the whole packet on the wire (fixed header included). */
    public int size() {
        int lengthBytes = body.length < 128 ? 1 : body.length < 16384 ? 2 : body.length < 2097152 ? 3 : 4;
        return 1 + lengthBytes + body.length;
    }

    private boolean v5() {
        return version >= 5;
    }

    // ------------------------------------------------------------------------------ CONNACK

    /** CONNACK: the session present flag (3.2.2.1.1 / 3.1.1 3.2.2.2). */
    public boolean sessionPresent() {
        requireType(CONNACK);
        return (body[0] & 0x01) != 0;
    }

    /**
     * The reason code: CONNACK's return/reason code, an acknowledgement's reason code (0 when the
     * MQTT 5 packet omits it), DISCONNECT's reason code (0 when omitted).
     */
    public int reasonCode() {
        return switch (type) {
            case CONNACK -> body[1] & 0xff;
            case PUBACK, PUBREC, PUBREL, PUBCOMP -> v5() && body.length > 2 ? body[2] & 0xff : 0;
            case DISCONNECT, AUTH -> body.length > 0 ? body[0] & 0xff : 0;
            default -> throw new IllegalStateException(typeName() + " has no single reason code");
        };
    }

    /** The MQTT 5 properties (empty for 3.1.1 and for packets without them). */
    public Properties5 properties() {
        if (!v5()) {
            return Properties5.none();
        }
        Wire.Reader in = new Wire.Reader(body);
        switch (type) {
            case CONNACK -> {
                in.u8();
                in.u8();
                return in.remaining() > 0 ? Properties5.decode(in) : Properties5.none();
            }
            case PUBLISH -> {
                in.utf8();
                if (qos() > 0) {
                    in.u16();
                }
                return Properties5.decode(in);
            }
            case PUBACK, PUBREC, PUBREL, PUBCOMP -> {
                in.u16();
                if (in.remaining() < 2) {
                    return Properties5.none();
                }
                in.u8();
                return Properties5.decode(in);
            }
            case SUBACK, UNSUBACK -> {
                in.u16();
                return Properties5.decode(in);
            }
            case DISCONNECT, AUTH -> {
                if (in.remaining() < 2) {
                    return Properties5.none();
                }
                in.u8();
                return Properties5.decode(in);
            }
            default -> {
                return Properties5.none();
            }
        }
    }

    /** The MQTT 5 reason string, or {@code null}. */
    public String reasonString() {
        return properties().string(Properties5.REASON_STRING);
    }

    // ------------------------------------------------------------------------------ PUBLISH

    public boolean dup() {
        requireType(PUBLISH);
        return (flags & 0x08) != 0;
    }

    public int qos() {
        requireType(PUBLISH);
        return (flags >> 1) & 0x03;
    }

    public boolean retain() {
        requireType(PUBLISH);
        return (flags & 0x01) != 0;
    }

    /** PUBLISH: the topic name (empty when a topic alias stands for it). */
    public String topic() {
        requireType(PUBLISH);
        return new Wire.Reader(body).utf8();
    }

    /** The packet identifier of PUBLISH (QoS &gt; 0), the acknowledgements, SUBACK and UNSUBACK. */
    public int packetId() {
        Wire.Reader in = new Wire.Reader(body);
        if (type == PUBLISH) {
            in.utf8();
            if (qos() == 0) {
                throw new IllegalStateException("a QoS 0 PUBLISH has no packet identifier");
            }
        }
        return in.u16();
    }

    public byte[] payload() {
        requireType(PUBLISH);
        Wire.Reader in = new Wire.Reader(body);
        in.utf8();
        if (qos() > 0) {
            in.u16();
        }
        if (v5()) {
            Properties5.decode(in);
        }
        return in.rest();
    }

    public String payloadText() {
        return new String(payload(), StandardCharsets.UTF_8);
    }

    // ------------------------------------------------------------------------------ SUBACK, UNSUBACK

    /** SUBACK's return/reason codes, UNSUBACK's reason codes (MQTT 5; none in 3.1.1). */
    public List<Integer> reasonCodes() {
        if (type != SUBACK && type != UNSUBACK) {
            throw new IllegalStateException(typeName() + " has no reason code list");
        }
        Wire.Reader in = new Wire.Reader(body);
        in.u16();
        if (v5()) {
            Properties5.decode(in);
        }
        List<Integer> codes = new ArrayList<>();
        while (in.remaining() > 0) {
            codes.add(in.u8());
        }
        return codes;
    }

    private void requireType(int expected) {
        if (type != expected) {
            throw new IllegalStateException("expected " + name(expected) + ", got " + this);
        }
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder(typeName());
        try {
            switch (type) {
                case CONNACK -> s.append("(sessionPresent=").append(sessionPresent()).append(", code=0x")
                        .append(Integer.toHexString(reasonCode())).append(", ").append(properties()).append(')');
                case PUBLISH -> {
                    s.append("(topic=").append(topic()).append(", qos=").append(qos()).append(", dup=").append(dup())
                            .append(", retain=").append(retain());
                    if (qos() > 0) {
                        s.append(", id=").append(packetId());
                    }
                    s.append(", payload=").append(payloadText().length() > 60 ? payloadText().substring(0, 60) + "..." : payloadText())
                            .append(", ").append(properties()).append(')');
                }
                case PUBACK, PUBREC, PUBREL, PUBCOMP -> s.append("(id=").append(packetId()).append(", code=0x")
                        .append(Integer.toHexString(reasonCode())).append(", ").append(properties()).append(')');
                case SUBACK, UNSUBACK -> s.append("(id=").append(packetId()).append(", codes=").append(hex(reasonCodes()))
                        .append(", ").append(properties()).append(')');
                case DISCONNECT -> s.append("(code=0x").append(Integer.toHexString(reasonCode())).append(", ")
                        .append(properties()).append(')');
                default -> s.append("(flags=").append(flags).append(", ").append(body.length).append(" bytes)");
            }
        } catch (RuntimeException e) {
            s.append("(undecodable: ").append(e.getMessage()).append(')');
        }
        return s.toString();
    }

    /** Reason codes in hexadecimal, for messages. */
    public static String hex(List<Integer> codes) {
        return codes.stream().map(c -> String.format("0x%02X", c)).toList().toString();
    }
}
