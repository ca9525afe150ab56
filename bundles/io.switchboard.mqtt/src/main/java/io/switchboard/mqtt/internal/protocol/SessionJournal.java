package io.switchboard.mqtt.internal.protocol;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;

import io.switchboard.api.Message;
import io.switchboard.api.Subscription;
import io.switchboard.store.StateStore;
import io.switchboard.store.StoredMessages;

/**
 * How a persistent MQTT session is kept in the {@link StateStore}, and read back at start. Three spaces,
 * keyed by client id:
 * <ul>
 * <li>{@value #SESSIONS}: the session ({@link SessionRecord}: user, expiry, when it went offline, the
 * connection's will, the subscriptions with their options and identifiers);</li>
 * <li>{@value #QUEUE}: each QoS 1/2 message for it under {@code clientId NUL sequence}, in the order it
 * was queued, with the subscription identifiers it was delivered with, its packet id once sent at QoS 2 and
 * whether its PUBREC came;</li>
 * <li>{@value #INBOUND}: the packet ids of inbound QoS 2 messages waiting for their PUBREL.</li>
 * </ul>
 * Writes are queued for the store's next group commit; nothing here waits for the disk.
 */
final class SessionJournal {

    static final String SESSIONS = "mqtt.sessions";
    static final String QUEUE = "mqtt.queue";
    static final String INBOUND = "mqtt.inbound";

    private static final int FORMAT = 1;
    /** Of queued messages: 2 added the subscription identifiers; 1 is still read (as without any). */
    private static final int QUEUE_FORMAT = 2;
    private static final char SEPARATOR = '\u0000';

    /**
     * A session at rest.
     *
     * @param offlineSince when its connection ended (epoch ms), 0 while connected
     * @param will the will of its connection (connected), or the will waiting for its delay (offline), or null
     * @param willDueAt when a waiting will is due (epoch ms), 0 if none waits
     */
    record SessionRecord(String clientId, String user, String protocol, long expirySeconds, long offlineSince, Will will,
            long willDueAt, List<Subscription> subscriptions) {
    }

    /**
     * A queued or in-flight message at rest; {@code packetId} 0 until sent at QoS 2 (QoS 1: until its connection
     * ended); {@code subscriptionIds} those of the subscriptions it came through.
     */
    record QueuedRecord(long sequence, int packetId, boolean released, Message message, List<Integer> subscriptionIds) {
    }

    private final StateStore store;

    SessionJournal(StateStore store) {
        this.store = store;
    }

    StateStore store() {
        return store;
    }

    boolean durable() {
        return store.durable();
    }

    // ---- writing

    void save(SessionRecord session) {
        store.put(SESSIONS, session.clientId(), encode(session));
    }

    /** A message queued for the first time under its sequence number: encoded by the store, if still needed. */
    void queuedNew(String clientId, QueuedRecord record) {
        store.insert(QUEUE, queueKey(clientId, record.sequence()), () -> encode(record));
    }

    /** A queued message changed (sent at QoS 2, released, sent before the connection ended). */
    void queued(String clientId, QueuedRecord record) {
        store.put(QUEUE, queueKey(clientId, record.sequence()), encode(record));
    }

    void done(String clientId, long sequence) {
        store.delete(QUEUE, queueKey(clientId, sequence));
    }

    void inboundQos2(String clientId, int packetId, boolean waiting) {
        String key = clientId + SEPARATOR + packetId;
        if (waiting) {
            store.put(INBOUND, key, new byte[0]);
        } else {
            store.delete(INBOUND, key);
        }
    }

    /** The session ended: everything of it goes. */
    void forget(String clientId) {
        store.delete(SESSIONS, clientId);
        store.deletePrefix(QUEUE, clientId + SEPARATOR);
        store.deletePrefix(INBOUND, clientId + SEPARATOR);
    }

    /** {@code clientId NUL} and 16 hex digits: the queue's key order is its sequence order. */
    private static String queueKey(String clientId, long sequence) {
        int at = clientId.length();
        char[] key = new char[at + 17];
        clientId.getChars(0, at, key, 0);
        key[at] = SEPARATOR;
        for (int i = 16; i > 0; i--, sequence >>>= 4) {
            key[at + i] = Character.forDigit((int) (sequence & 0xF), 16);
        }
        return new String(key);
    }

    // ---- reading at start

    List<SessionRecord> sessions() {
        List<SessionRecord> found = new ArrayList<>();
        store.read(SESSIONS, (key, value) -> found.add(decodeSession(key, value)));
        return found;
    }

    /** Calls {@code each} with every queued record, by client id, in queue order. */
    void readQueues(QueueVisitor each) {
        store.read(QUEUE, (key, value) -> {
            int at = key.indexOf(SEPARATOR);
            each.visit(key.substring(0, at), decodeQueued(Long.parseUnsignedLong(key.substring(at + 1), 16), key, value));
        });
    }

    /** Calls {@code each} with every inbound QoS 2 packet id waiting for its PUBREL. */
    void readInbound(InboundVisitor each) {
        store.read(INBOUND, (key, value) -> {
            int at = key.indexOf(SEPARATOR);
            each.visit(key.substring(0, at), Integer.parseInt(key.substring(at + 1)));
        });
    }

    /**
     * The records of one session as another node kept them (by space, then key): its session record, its queue in
     * order and its inbound QoS 2 packet ids; {@code null} without a session record.
     */
    static Taken decodeTaken(String clientId, Map<String, SortedMap<String, byte[]>> records) {
        byte[] session = records.getOrDefault(SESSIONS, Collections.emptySortedMap()).get(clientId);
        if (session == null) {
            return null;
        }
        List<QueuedRecord> queued = new ArrayList<>();
        records.getOrDefault(QUEUE, Collections.emptySortedMap()).forEach((key, value) -> {
            int at = key.indexOf(SEPARATOR);
            queued.add(decodeQueued(Long.parseUnsignedLong(key.substring(at + 1), 16), key, value));
        }); // sorted keys: the queue's order
        List<Integer> inbound = new ArrayList<>();
        records.getOrDefault(INBOUND, Collections.emptySortedMap())
                .forEach((key, value) -> inbound.add(Integer.parseInt(key.substring(key.indexOf(SEPARATOR) + 1))));
        return new Taken(decodeSession(clientId, session), queued, inbound);
    }

    record Taken(SessionRecord session, List<QueuedRecord> queued, List<Integer> inbound) {
    }

    interface QueueVisitor {
        void visit(String clientId, QueuedRecord record);
    }

    interface InboundVisitor {
        void visit(String clientId, int packetId);
    }

    // ---- the binary forms

    private static byte[] encode(SessionRecord s) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(128);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(FORMAT);
            out.writeUTF(s.user());
            out.writeUTF(s.protocol());
            out.writeLong(s.expirySeconds());
            out.writeLong(s.offlineSince());
            out.writeBoolean(s.will() != null);
            if (s.will() != null) {
                out.writeLong(s.will().delaySeconds());
                out.writeLong(s.will().expirySeconds());
                out.writeLong(s.willDueAt());
                StoredMessages.write(out, s.will().message());
            }
            out.writeInt(s.subscriptions().size());
            for (Subscription sub : s.subscriptions()) {
                out.writeUTF(sub.topicFilter());
                out.writeByte(sub.qos());
                out.writeBoolean(sub.noLocal());
                out.writeBoolean(sub.retainAsPublished());
                out.writeByte(sub.retainHandling());
                out.writeInt(sub.identifier());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private static SessionRecord decodeSession(String clientId, byte[] value) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(value))) {
            checkFormat(in.readUnsignedByte(), SESSIONS, clientId);
            String user = in.readUTF();
            String protocol = in.readUTF();
            long expiry = in.readLong();
            long offlineSince = in.readLong();
            Will will = null;
            long willDueAt = 0;
            if (in.readBoolean()) {
                long delay = in.readLong();
                long willExpiry = in.readLong();
                willDueAt = in.readLong();
                will = new Will(StoredMessages.read(in), delay, willExpiry);
            }
            int n = in.readInt();
            List<Subscription> subscriptions = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                subscriptions.add(new Subscription(in.readUTF(), in.readUnsignedByte(), in.readBoolean(), in.readBoolean(),
                        in.readUnsignedByte(), in.readInt()));
            }
            return new SessionRecord(clientId, user, protocol, expiry, offlineSince, will, willDueAt, subscriptions);
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("the stored session of client '" + clientId + "' cannot be read: " + e, e);
        }
    }

    private static byte[] encode(QueuedRecord r) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 + r.message().payloadSize());
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(QUEUE_FORMAT);
            out.writeShort(r.packetId());
            out.writeBoolean(r.released());
            out.writeShort(r.subscriptionIds().size());
            for (int id : r.subscriptionIds()) {
                out.writeInt(id);
            }
            StoredMessages.write(out, r.message());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private static QueuedRecord decodeQueued(long sequence, String key, byte[] value) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(value))) {
            int format = in.readUnsignedByte();
            if (format != FORMAT) {
                checkFormat(format, QUEUE_FORMAT, QUEUE, key);
            }
            int packetId = in.readUnsignedShort();
            boolean released = in.readBoolean();
            List<Integer> subscriptionIds = List.of();
            if (format == QUEUE_FORMAT) {
                Integer[] ids = new Integer[in.readUnsignedShort()];
                for (int i = 0; i < ids.length; i++) {
                    ids[i] = in.readInt();
                }
                subscriptionIds = List.of(ids);
            }
            return new QueuedRecord(sequence, packetId, released, StoredMessages.read(in), subscriptionIds);
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("the stored message '" + key.replace(SEPARATOR, '/') + "' cannot be read: " + e, e);
        }
    }

    private static void checkFormat(int format, String space, String key) throws IOException {
        checkFormat(format, FORMAT, space, key);
    }

    private static void checkFormat(int format, int expected, String space, String key) throws IOException {
        if (format != expected) {
            throw new IOException("unknown format " + format + " of " + space + " record '" + key + "'");
        }
    }
}
