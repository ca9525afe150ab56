package io.switchboard.mqtt.internal.protocol;

import java.util.Arrays;

/**
 * The broker's ids of the last {@value #KEPT} messages sent to one session, so that a read receipt
 * ({@link ReadReceipts}) is taken only for a message the client was given: a client cannot mark another
 * client's messages read by guessing their ids. A ring of longs: recording costs one store, no
 * allocation, on the session's event loop; a receipt (rare) scans it.
 */
final class DeliveredIds {

    static final int KEPT = 1024;

    private final long[] ids = new long[KEPT];
    private int next;

    DeliveredIds() {
        Arrays.fill(ids, -1);
    }

    synchronized void sent(long messageId) {
        ids[next] = messageId;
        next = (next + 1) % KEPT;
    }

    synchronized boolean contains(long messageId) {
        for (long id : ids) {
            if (id == messageId) {
                return true;
            }
        }
        return false;
    }
}
