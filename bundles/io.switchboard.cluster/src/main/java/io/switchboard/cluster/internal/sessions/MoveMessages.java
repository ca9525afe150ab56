package io.switchboard.cluster.internal.sessions;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * What nodes tell each other about moving a session, as plain bytes on each node's topic (no class of ours in
 * Hazelcast): "let go of this client id's session" and "let go of it"; then, from the node that took it, "tell me
 * when you see my routes to these filters" to every member (each answers through the node the session left, behind
 * what it sent there: {@link MoveFlushes}), and "every member routes to me: stop relaying" to the node it left; at the
 * end of an adoption, "tell me when you see my routes" and "I see them"; and to the adopter, "take this session of a
 * node that left".
 */
final class MoveMessages {

    static final int LET_GO = 1;
    static final int RELEASED = 2;
    static final int SEE_ROUTES = 3;
    static final int ROUTES_SEEN = 4;
    static final int MOVE_OVER = 5;
    /** To the adopter: take the session of a node that left ({@code from}: that node), as if it had been an orphan. */
    static final int ADOPT = 6;
    /**
     * {@link #SEE_ROUTES} at the end of an adoption ({@code clientId}: the node that left): answered once the routes
     * are seen and no claim on the answering node still asks that node to let go (its give-back, {@link #ADOPT}, goes
     * first).
     */
    static final int SEE_ADOPTED_ROUTES = 7;

    /**
     * {@code filters}: the routes of {@code from} to look for ({@link #SEE_ROUTES}, {@link #SEE_ADOPTED_ROUTES}), else
     * empty; {@code via}: of {@link #SEE_ROUTES}, the node the session left, through which the answer goes
     * ({@link MoveFlushes}), else empty.
     */
    record Move(int kind, long request, String clientId, String from, String via, List<String> filters) {

        Move(int kind, long request, String clientId, String from) {
            this(kind, request, clientId, from, "", List.of());
        }
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
            out.writeUTF(move.via());
            out.writeInt(move.filters().size());
            for (String filter : move.filters()) {
                out.writeUTF(filter);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    static Move decode(byte[] bytes) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            int kind = in.readUnsignedByte();
            if (kind < LET_GO || kind > SEE_ADOPTED_ROUTES) {
                throw new IllegalArgumentException("unknown session move message " + kind);
            }
            long request = in.readLong();
            String clientId = in.readUTF();
            String from = in.readUTF();
            String via = in.readUTF();
            int count = in.readInt();
            if (count < 0 || count > bytes.length) {
                throw new IllegalArgumentException("session move message with " + count + " filters");
            }
            List<String> filters = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                filters.add(in.readUTF());
            }
            return new Move(kind, request, clientId, from, via, List.copyOf(filters));
        } catch (IOException e) {
            throw new IllegalArgumentException("unreadable session move message: " + e, e);
        }
    }
}
