package io.switchboard.cluster.internal.forwarding;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * A node's confirmation of forwarded messages, sent back to the node they entered: who confirms, whether it
 * accepted them, and their correlation ids (several at once: confirmations made together travel together). Plain
 * bytes, as the message frames.
 */
public final class ConfirmationFrames {

    /** A confirmation read back. */
    public record Confirmation(String node, boolean accepted, long[] ids) {
    }

    private ConfirmationFrames() {
    }

    public static byte[] encode(String node, boolean accepted, long[] ids) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(16 + node.length() + 8 * ids.length);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeUTF(node);
            out.writeBoolean(accepted);
            out.writeInt(ids.length);
            for (long id : ids) {
                out.writeLong(id);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a ByteArrayOutputStream does not fail
        }
        return bytes.toByteArray();
    }

    public static Confirmation decode(byte[] frame) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(frame))) {
            String node = in.readUTF();
            boolean accepted = in.readBoolean();
            int count = in.readInt();
            if (count < 0 || count > frame.length / 8) {
                throw new IOException("bad count " + count);
            }
            long[] ids = new long[count];
            for (int i = 0; i < count; i++) {
                ids[i] = in.readLong();
            }
            return new Confirmation(node, accepted, ids);
        } catch (IOException e) {
            throw new IllegalArgumentException("not a confirmation frame: " + e.getMessage(), e);
        }
    }
}
