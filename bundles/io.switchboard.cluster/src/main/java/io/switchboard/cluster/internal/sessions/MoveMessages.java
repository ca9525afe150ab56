package io.switchboard.cluster.internal.sessions;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * What nodes tell each other about moving a session, as plain bytes on each node's topic (no class of ours in
 * Hazelcast): "let go of this client id's session" and "let go of it".
 */
final class MoveMessages {

    static final int LET_GO = 1;
    static final int RELEASED = 2;

    record Move(int kind, long request, String clientId, String from) {
    }

    private MoveMessages() {
    }

    static byte[] encode(Move move) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(32 + move.clientId().length());
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(move.kind());
            out.writeLong(move.request());
            out.writeUTF(move.clientId());
            out.writeUTF(move.from());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    static Move decode(byte[] bytes) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            int kind = in.readUnsignedByte();
            if (kind != LET_GO && kind != RELEASED) {
                throw new IllegalArgumentException("unknown session move message " + kind);
            }
            return new Move(kind, in.readLong(), in.readUTF(), in.readUTF());
        } catch (IOException e) {
            throw new IllegalArgumentException("unreadable session move message: " + e, e);
        }
    }
}
