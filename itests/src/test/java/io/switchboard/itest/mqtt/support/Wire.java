package io.switchboard.itest.mqtt.support;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** MQTT's data representations (OASIS MQTT 5.0 section 1.5; the same in 3.1.1 section 1.5). */
public final class Wire {

    private Wire() {
    }

    /** A variable byte integer (1 to 4 bytes). */
    public static void varInt(ByteArrayOutputStream out, int value) {
        do {
            int digit = value % 128;
            value /= 128;
            if (value > 0) {
                digit |= 0x80;
            }
            out.write(digit);
        } while (value > 0);
    }

    /** A two byte integer, big-endian. */
    public static void u16(ByteArrayOutputStream out, int value) {
        out.write((value >> 8) & 0xff);
        out.write(value & 0xff);
    }

    /** A four byte integer, big-endian. */
    public static void u32(ByteArrayOutputStream out, int value) {
        out.write((value >>> 24) & 0xff);
        out.write((value >> 16) & 0xff);
        out.write((value >> 8) & 0xff);
        out.write(value & 0xff);
    }

    /** A UTF-8 encoded string with its two byte length. */
    public static void utf8(ByteArrayOutputStream out, String value) {
        binary(out, value.getBytes(StandardCharsets.UTF_8));
    }

    /** Binary data with its two byte length. */
    public static void binary(ByteArrayOutputStream out, byte[] value) {
        u16(out, value.length);
        out.writeBytes(value);
    }

    /** A whole packet: fixed header (type, flags, remaining length) and {@code body}. */
    public static byte[] packet(int type, int flags, byte[] body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write((type << 4) | (flags & 0x0f));
        varInt(out, body.length);
        out.writeBytes(body);
        return out.toByteArray();
    }

    /** Reads the data types from a packet body. */
    public static final class Reader {
        private final byte[] data;
        private int position;

        public Reader(byte[] data) {
            this.data = data;
        }

        public int position() {
            return position;
        }

        public int remaining() {
            return data.length - position;
        }

        public int u8() {
            check(1);
            return data[position++] & 0xff;
        }

        public int u16() {
            return (u8() << 8) | u8();
        }

        public int u32() {
            return (u8() << 24) | (u8() << 16) | (u8() << 8) | u8();
        }

        public int varInt() {
            int value = 0;
            int multiplier = 1;
            for (int i = 0; i < 4; i++) {
                int digit = u8();
                value += (digit & 0x7f) * multiplier;
                if ((digit & 0x80) == 0) {
                    return value;
                }
                multiplier *= 128;
            }
            throw new IllegalStateException("malformed variable byte integer");
        }

        public String utf8() {
            return new String(binary(), StandardCharsets.UTF_8);
        }

        public byte[] binary() {
            int length = u16();
            return bytes(length);
        }

        public byte[] bytes(int length) {
            check(length);
            byte[] out = Arrays.copyOfRange(data, position, position + length);
            position += length;
            return out;
        }

        public byte[] rest() {
            return bytes(remaining());
        }

        private void check(int n) {
            if (position + n > data.length) {
                throw new IllegalStateException("malformed: packet body ends at " + data.length + ", needed " + (position + n));
            }
        }
    }
}
