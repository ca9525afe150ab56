package io.switchboard.mqtt.internal.protocol;

import java.util.List;
import java.util.Objects;

import io.switchboard.api.Message;

/**
 * The PUBLISH packets one event loop encoded last, so that a message delivered to many of its connections is
 * encoded once per form rather than once per subscriber. A form is everything a PUBLISH of the same message may
 * differ in between subscribers (packet id and DUP apart, see {@link PublishEncoding#copyTo}): the protocol
 * version, whether the topic is sent and its alias, the subscription identifiers, the message id user property
 * and the remaining expiry. The message's QoS and retain flag are the message's: the router gives a subscriber
 * whose QoS or retain flag differ a message of its own.
 *
 * <p>Two-way set associative by the message's identity: a message is looked for in the two slots of its identity
 * hash, and a new encoding replaces the older of the two. Packets above {@link #MAX_PACKET_BYTES} are not kept
 * (at most {@code SLOTS × MAX_PACKET_BYTES} stay on the heap per event loop). Used by its event loop's thread only.
 */
final class RecentEncodings {

    static final int SLOTS = 64;
    static final int MAX_PACKET_BYTES = 16 * 1024;

    /** One encoded form of a message. */
    private static final class Form {
        final Message message;
        final boolean v5;
        final boolean topicSent;
        final int alias;
        final List<Integer> subscriptionIds;
        final String idProperty;
        final boolean withId;
        final long expirySeconds;
        final PublishEncoding encoding;
        final long age;

        Form(Message message, boolean v5, boolean topicSent, int alias, List<Integer> subscriptionIds, String idProperty,
                boolean withId, long expirySeconds, PublishEncoding encoding, long age) {
            this.message = message;
            this.v5 = v5;
            this.topicSent = topicSent;
            this.alias = alias;
            this.subscriptionIds = subscriptionIds;
            this.idProperty = idProperty;
            this.withId = withId;
            this.expirySeconds = expirySeconds;
            this.encoding = encoding;
            this.age = age;
        }

        boolean is(Message m, boolean v5, boolean topicSent, int alias, List<Integer> subscriptionIds, String idProperty,
                boolean withId, long expirySeconds) {
            return message == m && this.v5 == v5 && this.topicSent == topicSent && this.alias == alias
                    && this.withId == withId && this.expirySeconds == expirySeconds
                    && Objects.equals(this.idProperty, idProperty) && this.subscriptionIds.equals(subscriptionIds);
        }
    }

    private final Form[] slots = new Form[SLOTS];
    private long stored;
    private long hits;

    /** The encoding of {@code m} in this form, or null. {@code alias} 0: none. */
    PublishEncoding find(Message m, boolean v5, boolean topicSent, int alias, List<Integer> subscriptionIds,
            String idProperty, boolean withId, long expirySeconds) {
        int i = index(m);
        for (int slot = i; slot <= i + 1; slot++) {
            Form f = slots[slot];
            if (f != null && f.is(m, v5, topicSent, alias, subscriptionIds, idProperty, withId, expirySeconds)) {
                hits++;
                return f.encoding;
            }
        }
        return null;
    }

    /** Keeps {@code encoding} as {@code m}'s in this form (not when it is larger than {@link #MAX_PACKET_BYTES}). */
    void keep(Message m, boolean v5, boolean topicSent, int alias, List<Integer> subscriptionIds, String idProperty,
            boolean withId, long expirySeconds, PublishEncoding encoding) {
        if (encoding.size() > MAX_PACKET_BYTES) {
            return;
        }
        int i = index(m);
        int slot = slots[i] == null || slots[i + 1] != null && slots[i].age <= slots[i + 1].age ? i : i + 1;
        slots[slot] = new Form(m, v5, topicSent, alias, subscriptionIds, idProperty, withId, expirySeconds, encoding,
                ++stored);
    }

    /** Encodings reused so far (a delivery that did not need its own). */
    long hits() {
        return hits;
    }

    private static int index(Message m) {
        return (System.identityHashCode(m) & (SLOTS / 2 - 1)) * 2;
    }
}
