package io.switchboard.mqtt.internal.protocol;

import java.util.Arrays;

/**
 * The broker's ids of the last {@value #KEPT} messages sent to one session, so that a read receipt
 * ({@link ReadReceipts}) is taken only for a message the client was given: a client cannot mark another
 * client's messages read by guessing their ids. A ring of longs that grows by doubling up to {@value #KEPT}
 * as messages are sent, so an idle session holds none (8 KiB of a full ring per idle connection was most of
 * an idle connection's heap); recording costs one store (an allocation only while growing), on the session's
 * event loop; a receipt (rare) scans it.
 */
final class DeliveredIds {

    static final int KEPT = 1024;
    private static final int FIRST_CAPACITY = 16;

    private long[] ids = new long[0];
    /** Ids recorded, up to {@link #KEPT}: until the ring is full they fill it from index 0. */
    private int count;
    /** Where the next id goes once the ring is full (the oldest one). */
    private int next;

    synchronized void sent(long messageId) {
        if (count < KEPT) {
            if (count == ids.length) {
                ids = Arrays.copyOf(ids, Math.min(KEPT, Math.max(FIRST_CAPACITY, ids.length * 2)));
            }
            ids[count++] = messageId;
            return;
        }
        ids[next] = messageId;
        next = (next + 1) % KEPT;
    }

    synchronized boolean contains(long messageId) {
        for (int i = 0; i < count; i++) {
            if (ids[i] == messageId) {
                return true;
            }
        }
        return false;
    }
}
