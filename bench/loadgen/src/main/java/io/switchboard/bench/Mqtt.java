package io.switchboard.bench;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** MQTT 3.1.1 encoding of the packets the load generator sends. */
final class Mqtt {
    static final int CONNECT = 1;
    static final int CONNACK = 2;
    static final int PUBLISH = 3;
    static final int PUBACK = 4;
    static final int PUBREC = 5;
    static final int PUBREL = 6;
    static final int PUBCOMP = 7;
    static final int SUBSCRIBE = 8;
    static final int SUBACK = 9;
    static final int PINGREQ = 12;
    static final int PINGRESP = 13;
    static final int DISCONNECT = 14;

    /** The size of every acknowledgement (PUBACK, PUBREC, PUBREL, PUBCOMP): header, length, packet id. */
    static final int ACK_SIZE = 4;

    static final byte[] DISCONNECT_PACKET = {(byte) 0xE0, 0};

    private Mqtt() {
    }

    static byte[] connect(String clientId, int keepAliveSeconds, boolean cleanSession) {
        byte[] id = utf8(clientId);
        ByteBuffer body = ByteBuffer.allocate(10 + 2 + id.length);
        body.putShort((short) 4).put(utf8("MQTT")).put((byte) 4); // protocol name and level 4 = 3.1.1
        body.put((byte) (cleanSession ? 0x02 : 0x00));
        body.putShort((short) keepAliveSeconds);
        body.putShort((short) id.length).put(id);
        return packet(CONNECT << 4, body);
    }

    static byte[] subscribe(int packetId, String topicFilter, int qos) {
        byte[] filter = utf8(topicFilter);
        ByteBuffer body = ByteBuffer.allocate(2 + 2 + filter.length + 1);
        body.putShort((short) packetId).putShort((short) filter.length).put(filter).put((byte) qos);
        return packet(SUBSCRIBE << 4 | 0x02, body); // SUBSCRIBE's fixed-header flags must be 0010
    }

    /** Appends PUBACK, PUBREC, PUBREL or PUBCOMP; PUBREL's fixed-header flags must be 0010. */
    static void putAck(ByteBuffer out, int type, int packetId) {
        out.put((byte) (type << 4 | (type == PUBREL ? 0x02 : 0)));
        out.put((byte) 2);
        out.putShort((short) packetId);
    }

    /** Encodes the remaining length (1 to 4 bytes) and returns how many bytes it took. */
    static int putRemainingLength(ByteBuffer out, int length) {
        if (length < 0 || length > 268_435_455) {
            throw new IllegalArgumentException("remaining length out of range: " + length);
        }
        int bytes = 0;
        do {
            int digit = length % 128;
            length /= 128;
            out.put((byte) (length > 0 ? digit | 0x80 : digit));
            bytes++;
        } while (length > 0);
        return bytes;
    }

    static int remainingLengthSize(int length) {
        return length < 128 ? 1 : length < 16_384 ? 2 : length < 2_097_152 ? 3 : 4;
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] packet(int firstByte, ByteBuffer body) {
        body.flip();
        int length = body.remaining();
        ByteBuffer out = ByteBuffer.allocate(1 + remainingLengthSize(length) + length);
        out.put((byte) firstByte);
        putRemainingLength(out, length);
        out.put(body);
        return out.array();
    }
}
