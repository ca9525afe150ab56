package io.switchboard.module.callpolicy.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Objects;

import io.switchboard.api.Call;

/**
 * The most recent calls, at most {@code capacity} (the oldest set up are forgotten first), with their
 * state and, once answered, how long they lasted (from ANSWERED to ENDED). Calls are keyed by callee and
 * call id, the two things every signal of a call carries in its topic. Thread-safe: calls are few next
 * to messages, so one lock is enough.
 */
final class CallLog {

    /** What the shell shows of one call. {@code caller} is {@code null} when the set-up was not seen. */
    record CallView(String callId, String caller, String callee, String state, Instant setUp, Instant answered,
            Instant ended, String reason) {

        /** From answer to end, or to {@code now} while the call goes on; {@code null} if never answered. */
        Duration duration(Instant now) {
            if (answered == null) {
                return null;
            }
            return Duration.between(answered, ended != null ? ended : now);
        }

        /** Whether the call is answered and not ended yet. */
        boolean ongoing() {
            return answered != null && ended == null;
        }
    }

    /** The "state" of a call refused by the policy. */
    static final String REFUSED = "REFUSED";

    private static final class Entry {
        final String callId;
        final String callee;
        String caller;
        String state;
        Instant setUp;
        Instant answered;
        Instant ended;
        String reason;

        Entry(String callId, String callee) {
            this.callId = callId;
            this.callee = callee;
        }

        CallView view() {
            return new CallView(callId, caller, callee, state, setUp, answered, ended, reason);
        }
    }

    private final LinkedHashMap<String, Entry> calls = new LinkedHashMap<>();
    private int capacity;

    CallLog(int capacity) {
        this.capacity = capacity;
    }

    /** A call was refused at set-up. */
    synchronized void refused(Call call, Instant now, String reason) {
        Entry e = entry(call, now);
        e.caller = call.from();
        e.state = REFUSED;
        e.ended = now;
        e.reason = reason;
    }

    /** A call was set up (and not refused). */
    synchronized void setUp(Call call, Instant now) {
        Entry e = entry(call, now);
        e.caller = call.from();
        e.state = Call.State.SETUP.name();
    }

    /** A later signal of a call: ringing, answered, rejected, busy, missed, ended. */
    synchronized void status(Call call, Instant now) {
        Entry e = entry(call, now);
        if (e.caller == null && !Objects.equals(call.from(), call.callee())) {
            e.caller = call.from(); // the set-up was not seen; a signal not from the callee is the caller's
        }
        e.state = call.state().name();
        switch (call.state()) {
            case ANSWERED -> {
                if (e.answered == null) {
                    e.answered = now;
                }
            }
            case ENDED, REJECTED, BUSY, MISSED -> {
                if (e.ended == null) {
                    e.ended = now;
                }
            }
            default -> {
                // SETUP (not signalled here) and RINGING change only the state
            }
        }
    }

    /** Keeps at most {@code capacity} calls from now on, forgetting the oldest. */
    synchronized void resize(int capacity) {
        this.capacity = capacity;
        trim();
    }

    /** The {@code limit} most recently set-up calls, newest first. */
    synchronized List<CallView> recent(int limit) {
        List<CallView> views = new ArrayList<>(Math.min(limit, calls.size()));
        for (Entry e : calls.values()) {
            views.add(e.view());
        }
        Collections.reverse(views);
        return views.size() > limit ? new ArrayList<>(views.subList(0, limit)) : views;
    }

    /** How many calls are remembered. */
    synchronized int size() {
        return calls.size();
    }

    private Entry entry(Call call, Instant now) {
        String key = call.callee() + "/" + call.callId();
        Entry e = calls.get(key);
        if (e == null) {
            e = new Entry(call.callId(), call.callee());
            e.setUp = now;
            calls.put(key, e);
            trim();
        }
        return e;
    }

    private void trim() {
        Iterator<Entry> oldest = calls.values().iterator();
        while (calls.size() > capacity && oldest.hasNext()) {
            oldest.next();
            oldest.remove();
        }
    }
}
