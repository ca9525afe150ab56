package io.switchboard.store;

import java.io.ByteArrayOutputStream;
import java.io.DataInput;
import java.io.DataInputStream;
import java.io.DataOutput;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

import io.switchboard.api.Message;
import io.switchboard.api.UserProperty;

/**
 * The binary form of a {@link Message} at rest: every field, so that a recovered message is the one
 * that was published (id, expiry time, properties). Starts with a format version so that a later
 * broker can read what an earlier one wrote.
 */
public final class StoredMessages {

    private static final int FORMAT = 1;
    private static final int HAS_PAYLOAD_UTF8 = 1;
    private static final int HAS_RETAIN = 2;

    private StoredMessages() {
    }

    /** {@code message} as bytes. */
    public static byte[] encode(Message message) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 + message.payloadSize() + message.topic().length());
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            write(out, message);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a ByteArrayOutputStream does not fail
        }
        return bytes.toByteArray();
    }

    /** Writes {@code message} into a record being composed (see {@link #read}). */
    public static void write(DataOutput out, Message message) throws IOException {
        out.writeByte(FORMAT);
        out.writeLong(message.id());
        out.writeLong(message.refId());
        writeString(out, message.appId());
        out.writeLong(message.groupId());
        out.writeInt(message.flags());
        out.writeInt(message.type());
        out.writeLong(message.expiresAt());
        out.writeLong(message.timestamp());
        writeString(out, message.from());
        out.writeUTF(message.topic());
        out.writeByte(message.qos());
        out.writeByte((message.payloadUtf8() ? HAS_PAYLOAD_UTF8 : 0) | (message.retain() ? HAS_RETAIN : 0));
        writeBytes(out, message.payloadBytes());
        writeString(out, message.contentType());
        writeString(out, message.responseTopic());
        writeBytes(out, message.correlationData());
        out.writeShort(message.userProperties().size());
        for (UserProperty p : message.userProperties()) {
            out.writeUTF(p.name());
            out.writeUTF(p.value());
        }
    }

    /** The message {@code bytes} holds. */
    public static Message decode(byte[] bytes) {
        try {
            return read(new DataInputStream(new java.io.ByteArrayInputStream(bytes)));
        } catch (IOException e) {
            throw new IllegalArgumentException("not a stored message: " + e, e);
        }
    }

    /** Reads a message written by {@link #write}. */
    public static Message read(DataInput in) throws IOException {
        int format = in.readUnsignedByte();
        if (format != FORMAT) {
            throw new IOException("unknown stored message format " + format);
        }
        Message.Builder b = Message.builder("-").id(in.readLong()).refId(in.readLong()).appId(readString(in))
                .groupId(in.readLong()).flags(in.readInt()).type(in.readInt()).expiresAt(in.readLong())
                .timestamp(in.readLong()).from(readString(in)).topic(in.readUTF()).qos(in.readUnsignedByte());
        int bits = in.readUnsignedByte();
        b.payload(readBytes(in)).payloadUtf8((bits & HAS_PAYLOAD_UTF8) != 0).retain((bits & HAS_RETAIN) != 0)
                .contentType(readString(in)).responseTopic(readString(in)).correlationData(readBytes(in));
        int properties = in.readUnsignedShort();
        for (int i = 0; i < properties; i++) {
            b.userProperty(in.readUTF(), in.readUTF());
        }
        return b.build();
    }

    private static void writeString(DataOutput out, String s) throws IOException {
        out.writeBoolean(s != null);
        if (s != null) {
            out.writeUTF(s);
        }
    }

    private static String readString(DataInput in) throws IOException {
        return in.readBoolean() ? in.readUTF() : null;
    }

    private static void writeBytes(DataOutput out, byte[] b) throws IOException {
        out.writeInt(b == null ? -1 : b.length);
        if (b != null) {
            out.write(b);
        }
    }

    private static byte[] readBytes(DataInput in) throws IOException {
        int n = in.readInt();
        if (n < 0) {
            return null;
        }
        byte[] b = new byte[n];
        in.readFully(b);
        return b;
    }
}
