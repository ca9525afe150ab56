package io.switchboard.cluster.internal;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashSet;
import java.util.Set;

import io.switchboard.api.Message;
import io.switchboard.store.StoredMessages;

/**
 * A routed message as it crosses to another node: the node it entered, its publisher (the order key), the shared
 * subscriptions the receiving node serves for it, the id the receiver confirms it with (0: none wanted, QoS 0), and the message in the store's binary form (every field). Plain bytes, so that Hazelcast carries no class of ours.
 */
final class Frames {

    /** A frame read back; {@code correlation} 0: the sender waits for no confirmation. */
    record Frame(long correlation, String origin, String orderKey, Set<String> sharedHere, Message message) {
    }

    private Frames() {
    }

    static byte[] encode(long correlation, String origin, String orderKey, Set<String> sharedHere, Message message) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(104 + message.payloadSize() + message.topic().length());
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeLong(correlation);
            out.writeUTF(origin);
            out.writeUTF(orderKey);
            out.writeShort(sharedHere.size());
            for (String filter : sharedHere) {
                out.writeUTF(filter);
            }
            StoredMessages.write(out, message);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a ByteArrayOutputStream does not fail
        }
        return bytes.toByteArray();
    }

    static Frame decode(byte[] frame) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(frame))) {
            long correlation = in.readLong();
            String origin = in.readUTF();
            String orderKey = in.readUTF();
            int shared = in.readUnsignedShort();
            Set<String> sharedHere = new HashSet<>(shared * 2);
            for (int i = 0; i < shared; i++) {
                sharedHere.add(in.readUTF());
            }
            return new Frame(correlation, origin, orderKey, sharedHere, StoredMessages.read(in));
        } catch (IOException e) {
            throw new IllegalArgumentException("not a forwarded message frame: " + e.getMessage(), e);
        }
    }
}
