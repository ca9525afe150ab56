package io.switchboard.itest.mqtt.support;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Encodes MQTT control packets byte by byte (OASIS MQTT 3.1.1 and 5.0, chapter 3), including ones a
 * well-behaved client library would never send.
 */
public final class Packets {

    /** Protocol level of MQTT 3.1.1. */
    public static final int V311 = 4;
    /** Protocol level of MQTT 5.0. */
    public static final int V5 = 5;

    private Packets() {
    }

    /** Starts a CONNECT packet. */
    public static Connect connect(int version, String clientId) {
        return new Connect(version, clientId);
    }

    /** A CONNECT packet under construction. Defaults: clean start, keep alive 60 s. */
    public static final class Connect {
        private String protocolName = "MQTT";
        private int level;
        private final int version;
        private String clientId;
        private boolean cleanStart = true;
        private int keepAlive = 60;
        private String userName;
        private byte[] password;
        private String willTopic;
        private byte[] willPayload;
        private int willQos;
        private boolean willRetain;
        private Properties5 willProperties = Properties5.none();
        private Properties5 properties = Properties5.none();
        private int reservedFlag;

        Connect(int version, String clientId) {
            this.version = version;
            this.level = version;
            this.clientId = clientId;
        }

        /** The protocol version whose rules the rest of the packet follows. */
        public int version() {
            return version;
        }

        public Connect protocolName(String name) {
            this.protocolName = name;
            return this;
        }

        /** Overrides the protocol level byte (e.g. an unsupported 6). */
        public Connect level(int protocolLevel) {
            this.level = protocolLevel;
            return this;
        }

        public Connect cleanStart(boolean clean) {
            this.cleanStart = clean;
            return this;
        }

        public Connect keepAlive(int seconds) {
            this.keepAlive = seconds;
            return this;
        }

        public Connect userName(String name) {
            this.userName = name;
            return this;
        }

        public Connect password(String secret) {
            this.password = secret.getBytes(StandardCharsets.UTF_8);
            return this;
        }

        public Connect will(String topic, String payload, int qos, boolean retain) {
            this.willTopic = topic;
            this.willPayload = payload.getBytes(StandardCharsets.UTF_8);
            this.willQos = qos;
            this.willRetain = retain;
            return this;
        }

        /** MQTT 5 will properties (e.g. the will delay interval). */
        public Connect willProperties(Properties5 props) {
            this.willProperties = props;
            return this;
        }

        /** MQTT 5 CONNECT properties. */
        public Connect properties(Properties5 props) {
            this.properties = props;
            return this;
        }

        /** Sets the reserved bit of the connect flags (must be 0: a malformed packet). */
        public Connect reservedFlag() {
            this.reservedFlag = 1;
            return this;
        }

        public byte[] encode() {
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            Wire.utf8(body, protocolName);
            body.write(level);
            int flags = reservedFlag;
            if (cleanStart) {
                flags |= 0x02;
            }
            if (willTopic != null) {
                flags |= 0x04 | (willQos << 3) | (willRetain ? 0x20 : 0);
            }
            if (password != null) {
                flags |= 0x40;
            }
            if (userName != null) {
                flags |= 0x80;
            }
            body.write(flags);
            Wire.u16(body, keepAlive);
            if (version >= V5) {
                body.writeBytes(properties.encode());
            }
            Wire.utf8(body, clientId);
            if (willTopic != null) {
                if (version >= V5) {
                    body.writeBytes(willProperties.encode());
                }
                Wire.utf8(body, willTopic);
                Wire.binary(body, willPayload);
            }
            if (userName != null) {
                Wire.utf8(body, userName);
            }
            if (password != null) {
                Wire.binary(body, password);
            }
            return Wire.packet(Packet.CONNECT, 0, body.toByteArray());
        }
    }

    /** A PUBLISH packet (packet id ignored for QoS 0; properties only for MQTT 5). */
    public static byte[] publish(int version, String topic, int qos, boolean retain, boolean dup, int packetId, byte[] payload,
            Properties5 properties) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        Wire.utf8(body, topic);
        if (qos > 0) {
            Wire.u16(body, packetId);
        }
        if (version >= V5) {
            body.writeBytes((properties == null ? Properties5.none() : properties).encode());
        }
        body.writeBytes(payload);
        int flags = (dup ? 0x08 : 0) | (qos << 1) | (retain ? 0x01 : 0);
        return Wire.packet(Packet.PUBLISH, flags, body.toByteArray());
    }

    /** A PUBLISH with a text payload and no properties. */
    public static byte[] publish(int version, String topic, int qos, boolean retain, int packetId, String payload) {
        return publish(version, topic, qos, retain, false, packetId, payload.getBytes(StandardCharsets.UTF_8), null);
    }

    /** PUBACK, PUBREC, PUBREL or PUBCOMP with reason code 0 (Success). */
    public static byte[] ack(int type, int packetId) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        Wire.u16(body, packetId);
        return Wire.packet(type, type == Packet.PUBREL ? 0x02 : 0, body.toByteArray());
    }

    /** A SUBSCRIBE for one filter: 3.1.1 (requested QoS) or 5.0 (subscription options byte). */
    public static byte[] subscribe(int version, int packetId, String filter, int options) {
        return subscribe(version, packetId, Properties5.none(), new String[] {filter}, new int[] {options});
    }

    /**
     * A SUBSCRIBE: {@code options[i]} is the requested QoS (3.1.1) or the subscription options byte of
     * {@code filters[i]} (5.0: QoS | no local 0x04 | retain as published 0x08 | retain handling &lt;&lt; 4).
     */
    public static byte[] subscribe(int version, int packetId, Properties5 properties, String[] filters, int[] options) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        Wire.u16(body, packetId);
        if (version >= V5) {
            body.writeBytes(properties.encode());
        }
        for (int i = 0; i < filters.length; i++) {
            Wire.utf8(body, filters[i]);
            body.write(options[i]);
        }
        return Wire.packet(Packet.SUBSCRIBE, 0x02, body.toByteArray());
    }

    /** An UNSUBSCRIBE. */
    public static byte[] unsubscribe(int version, int packetId, String... filters) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        Wire.u16(body, packetId);
        if (version >= V5) {
            body.writeBytes(Properties5.none().encode());
        }
        for (String filter : filters) {
            Wire.utf8(body, filter);
        }
        return Wire.packet(Packet.UNSUBSCRIBE, 0x02, body.toByteArray());
    }

    /** PINGREQ. */
    public static byte[] pingreq() {
        return new byte[] {(byte) 0xC0, 0};
    }

    /** DISCONNECT: 3.1.1 (no body) or 5.0 with a reason code and properties. */
    public static byte[] disconnect(int version, int reasonCode, Properties5 properties) {
        if (version < V5) {
            return new byte[] {(byte) 0xE0, 0};
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.write(reasonCode);
        body.writeBytes((properties == null ? Properties5.none() : properties).encode());
        return Wire.packet(Packet.DISCONNECT, 0, body.toByteArray());
    }
}
