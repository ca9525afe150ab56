package io.switchboard.bench;

import java.nio.ByteBuffer;

/**
 * Finds complete MQTT packets in a read buffer without allocating: {@link #next} looks at the bytes
 * from the buffer's position to its limit and, when a whole packet is there, describes it in the public
 * fields and moves the position past it. A partial packet stays in the buffer for the next read.
 */
final class FrameParser {
    /** The packet type (fixed header's high nibble) of the last packet found. */
    int type;
    /** The fixed header's flags (low nibble). */
    int flags;
    /** Absolute index of the variable header in the buffer. */
    int bodyStart;
    /** The remaining length. */
    int bodyLength;
    /**
     * After {@link #next} returned false: the size of the whole incomplete packet when its fixed header
     * is complete, otherwise 0. A caller whose buffer is smaller must grow it.
     */
    int pendingPacketSize;

    boolean next(ByteBuffer buf) {
        int start = buf.position();
        int available = buf.limit() - start;
        pendingPacketSize = 0;
        if (available < 2) {
            return false;
        }
        int length = 0;
        int multiplier = 1;
        int index = start + 1;
        int lengthBytes = 0;
        while (true) {
            if (index >= buf.limit()) {
                return false; // remaining length incomplete
            }
            int digit = buf.get(index++) & 0xFF;
            lengthBytes++;
            length += (digit & 0x7F) * multiplier;
            if ((digit & 0x80) == 0) {
                break;
            }
            if (lengthBytes == 4) {
                throw new IllegalStateException("malformed remaining length");
            }
            multiplier *= 128;
        }
        int total = 1 + lengthBytes + length;
        if (available < total) {
            pendingPacketSize = total;
            return false;
        }
        int first = buf.get(start) & 0xFF;
        type = first >>> 4;
        flags = first & 0x0F;
        bodyStart = start + 1 + lengthBytes;
        bodyLength = length;
        buf.position(start + total);
        return true;
    }
}
