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
import io.switchboard.cluster.internal.sessions.MoveFlushes;
import io.switchboard.store.StoredMessages;

/**
 * A routed message as it crosses to another node: the node it entered, its publisher (the order key), the shared
 * subscriptions the receiving node serves for it, the nodes that left whose sessions the receiving node adopts and
 * for which it gets the message (it holds it for them until it restored them), the id the receiver confirms it with
 * (0: none wanted, QoS 0), and the message in the store's binary form (every field). A relayed message also names the
 * session it is for, which is moving to the receiving node (empty for a routed message). A message forwarded again
 * (QoS 2 after a failed forwarding) says so, and whether the receiving node had confirmed it ({@link Resend}). Plain
 * bytes, so that Hazelcast carries no class of ours. The first byte tells a message's frame from a move's marker
 * ({@link MoveFlushes.Flush}), which travels on the same topics, behind the messages sent before it.
 */
final class Frames {

    private static final byte MESSAGE = 0;
    private static final byte FLUSH = 1;

    /**
     * A frame read back; {@code correlation} 0: the sender waits for no confirmation; {@code session} empty: a routed
     * message, else the client id of the moving session a relayed message is for.
     */
    record Frame(long correlation, Resend resend, String origin, String orderKey, String session,
            Set<String> sharedHere, Set<String> heldFor, Message message) {
    }

    /** Whether a frame is a message's first sending, or a QoS 2 message forwarded again after a failed forwarding. */
    enum Resend {
        /** Its first sending. */
        NO,
        /** Sent again to a node that did not confirm it: it may have it (its confirmation came late). */
        UNCONFIRMED,
        /** Sent again to a node that confirmed it: only its {@code sharedHere} and {@code heldFor} are new there. */
        CONFIRMED
    }

    private Frames() {
    }

    /** A routed message's frame. */
    static byte[] encode(long correlation, String origin, String orderKey, Set<String> sharedHere, Set<String> heldFor,
            Message message) {
        return encode(correlation, Resend.NO, origin, orderKey, "", sharedHere, heldFor, message);
    }

    /** A routed message's frame, sent again ({@code resend}) or not. */
    static byte[] encode(long correlation, Resend resend, String origin, String orderKey, Set<String> sharedHere,
            Set<String> heldFor, Message message) {
        return encode(correlation, resend, origin, orderKey, "", sharedHere, heldFor, message);
    }

    /**
     * A message relayed to the session of {@code clientId}, which moves to the receiving node, with the order key it
     * was routed with on the sending node (empty: not known); confirmed to {@code origin} with {@code correlation}
     * (0: none wanted, QoS 0).
     */
    static byte[] encodeRelayed(long correlation, String origin, String clientId, String orderKey,
            Set<String> sharedHere, Message message) {
        return encode(correlation, Resend.NO, origin, orderKey, clientId, sharedHere, Set.of(), message);
    }

    private static byte[] encode(long correlation, Resend resend, String origin, String orderKey, String session,
            Set<String> sharedHere, Set<String> heldFor, Message message) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(105 + message.payloadSize() + message.topic().length());
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(MESSAGE);
            out.writeLong(correlation);
            out.writeByte(resend.ordinal());
            out.writeUTF(origin);
            out.writeUTF(orderKey);
            out.writeUTF(session);
            out.writeShort(sharedHere.size());
            for (String filter : sharedHere) {
                out.writeUTF(filter);
            }
            out.writeShort(heldFor.size());
            for (String node : heldFor) {
                out.writeUTF(node);
            }
            StoredMessages.write(out, message);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a ByteArrayOutputStream does not fail
        }
        return bytes.toByteArray();
    }

    /** A move's marker. */
    static byte[] encodeFlush(MoveFlushes.Flush flush) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(32 + flush.clientId().length());
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(FLUSH);
            out.writeLong(flush.request());
            out.writeUTF(flush.member());
            out.writeUTF(flush.taker());
            out.writeUTF(flush.clientId());
            out.writeBoolean(flush.passedOn());
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a ByteArrayOutputStream does not fail
        }
        return bytes.toByteArray();
    }

    /** Whether {@code frame} is a move's marker ({@link #decodeFlush}) rather than a message's ({@link #decode}). */
    static boolean isFlush(byte[] frame) {
        return frame.length > 0 && frame[0] == FLUSH;
    }

    static MoveFlushes.Flush decodeFlush(byte[] frame) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(frame))) {
            in.readByte();
            return new MoveFlushes.Flush(in.readLong(), in.readUTF(), in.readUTF(), in.readUTF(), in.readBoolean());
        } catch (IOException e) {
            throw new IllegalArgumentException("not a move's marker: " + e.getMessage(), e);
        }
    }

    static Frame decode(byte[] frame) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(frame))) {
            int kind = in.readUnsignedByte();
            if (kind != MESSAGE) {
                throw new IOException("unknown frame kind " + kind);
            }
            long correlation = in.readLong();
            int resendOrdinal = in.readUnsignedByte();
            if (resendOrdinal >= Resend.values().length) {
                throw new IOException("unknown resend kind " + resendOrdinal);
            }
            Resend resend = Resend.values()[resendOrdinal];
            String origin = in.readUTF();
            String orderKey = in.readUTF();
            String session = in.readUTF();
            int shared = in.readUnsignedShort();
            Set<String> sharedHere = new HashSet<>(shared * 2);
            for (int i = 0; i < shared; i++) {
                sharedHere.add(in.readUTF());
            }
            int held = in.readUnsignedShort();
            Set<String> heldFor = held == 0 ? Set.of() : new HashSet<>(held * 2);
            for (int i = 0; i < held; i++) {
                heldFor.add(in.readUTF());
            }
            return new Frame(correlation, resend, origin, orderKey, session, sharedHere, heldFor, StoredMessages.read(in));
        } catch (IOException e) {
            throw new IllegalArgumentException("not a forwarded message frame: " + e.getMessage(), e);
        }
    }
}
