package io.switchboard.api;

import java.util.Objects;

/**
 * A subscription request: a topic filter and its options.
 *
 * @param topicFilter an MQTT topic filter ({@code +}, {@code #} wildcards; {@code $share/group/filter}
 *        for a shared subscription)
 * @param qos the maximum QoS the subscriber asks for: 0, 1 or 2
 * @param noLocal MQTT 5: do not deliver the subscriber's own messages back to it
 * @param retainAsPublished MQTT 5: keep the retain flag as published on delivery
 * @param retainHandling MQTT 5: 0 send retained messages on subscribe, 1 only on a new subscription, 2 never
 * @param identifier MQTT 5: the subscription identifier the messages delivered through this subscription carry,
 *        1 to {@value #MAX_IDENTIFIER}; 0 for none (since 1.1)
 */
public record Subscription(String topicFilter, int qos, boolean noLocal, boolean retainAsPublished, int retainHandling,
        int identifier) {

    /** The largest subscription identifier (MQTT 5: a variable byte integer of at most four bytes). */
    public static final int MAX_IDENTIFIER = 268_435_455;

    /** Checks the values. */
    public Subscription {
        Objects.requireNonNull(topicFilter, "topicFilter");
        if (qos < 0 || qos > 2) {
            throw new IllegalArgumentException("qos must be 0, 1 or 2: " + qos);
        }
        if (retainHandling < 0 || retainHandling > 2) {
            throw new IllegalArgumentException("retainHandling must be 0, 1 or 2: " + retainHandling);
        }
        if (identifier < 0 || identifier > MAX_IDENTIFIER) {
            throw new IllegalArgumentException("identifier must be 0.." + MAX_IDENTIFIER + ": " + identifier);
        }
    }

    /** A subscription without an identifier. */
    public Subscription(String topicFilter, int qos, boolean noLocal, boolean retainAsPublished, int retainHandling) {
        this(topicFilter, qos, noLocal, retainAsPublished, retainHandling, 0);
    }

    /** A subscription with default options. */
    public static Subscription of(String topicFilter, int qos) {
        return new Subscription(topicFilter, qos, false, false, 0);
    }
}
