package io.switchboard.bench;

import java.nio.ByteBuffer;

/**
 * A pre-encoded PUBLISH of one publisher: copied into the write buffer as a whole, then the packet id,
 * the sequence number and the send time are patched in place, so publishing allocates nothing.
 *
 * <p>Payload layout (big-endian): publisher index (int), sequence number (long), send time
 * (System.nanoTime, long), then zero padding up to the payload size.
 */
final class PublishFrame {
    /** Publisher index, sequence number and send time. */
    static final int MIN_PAYLOAD = 4 + 8 + 8;

    private final byte[] frame;
    private final int packetIdOffset;
    private final int payloadOffset;

    PublishFrame(String topic, int qos, int payloadSize, int publisherIndex) {
        if (payloadSize < MIN_PAYLOAD) {
            throw new IllegalArgumentException("payload must be at least " + MIN_PAYLOAD + " bytes: " + payloadSize);
        }
        if (qos < 0 || qos > 2) {
            throw new IllegalArgumentException("qos must be 0, 1 or 2: " + qos);
        }
        byte[] topicBytes = Mqtt.utf8(topic);
        int remaining = 2 + topicBytes.length + (qos > 0 ? 2 : 0) + payloadSize;
        ByteBuffer out = ByteBuffer.allocate(1 + Mqtt.remainingLengthSize(remaining) + remaining);
        out.put((byte) (Mqtt.PUBLISH << 4 | qos << 1));
        Mqtt.putRemainingLength(out, remaining);
        out.putShort((short) topicBytes.length).put(topicBytes);
        packetIdOffset = qos > 0 ? out.position() : -1;
        if (qos > 0) {
            out.putShort((short) 0);
        }
        payloadOffset = out.position();
        out.putInt(publisherIndex);
        frame = out.array();
    }

    int size() {
        return frame.length;
    }

    /** Appends this PUBLISH to {@code out}, which must have {@link #size()} bytes free. */
    void put(ByteBuffer out, int packetId, long sequence, long sendNanos) {
        int start = out.position();
        out.put(frame);
        if (packetIdOffset >= 0) {
            out.putShort(start + packetIdOffset, (short) packetId);
        }
        out.putLong(start + payloadOffset + 4, sequence);
        out.putLong(start + payloadOffset + 12, sendNanos);
    }
}
