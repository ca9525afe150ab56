package io.switchboard.core.internal.modules;

import java.util.ArrayDeque;

/**
 * A module's recent failures and timeouts, its last one, and whether they put it in quarantine. Touched
 * only when the module fails, when an operator looks or re-admits it, and when the chains are rebuilt, so
 * one lock is enough; {@link #quarantined()} is a volatile read.
 */
final class ModuleHealth {

    /** A failure or timeout as its failure policy saw it ("failed: ...", "timed out after ..."), and when. */
    record LastError(String what, long epochMillis) {
    }

    /** When the failures still inside the window happened (epoch millis), oldest first; at most the limit. */
    private final ArrayDeque<Long> recent = new ArrayDeque<>();
    private LastError lastError;
    private volatile String quarantineReason;

    /**
     * Records a failure or timeout at {@code nowMillis} and returns how many happened within the last
     * {@code windowMillis}, counting up to {@code limit} (0: none are kept, quarantine is off).
     */
    synchronized int record(String what, long nowMillis, int limit, long windowMillis) {
        lastError = new LastError(what, nowMillis);
        recent.addLast(nowMillis);
        while (!recent.isEmpty() && (recent.size() > limit || recent.peekFirst() <= nowMillis - windowMillis)) {
            recent.removeFirst();
        }
        return recent.size();
    }

    synchronized LastError lastError() {
        return lastError;
    }

    /** Quarantines the module for {@code reason}; false if it already is. */
    synchronized boolean quarantine(String reason) {
        if (quarantineReason != null) {
            return false;
        }
        quarantineReason = reason;
        return true;
    }

    /** Ends the quarantine, if any, and forgets the failures counted so far (the last error stays shown). */
    synchronized void readmit() {
        quarantineReason = null;
        recent.clear();
    }

    boolean quarantined() {
        return quarantineReason != null;
    }

    /** Why the module is in quarantine, or null. */
    String quarantineReason() {
        return quarantineReason;
    }
}
