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
 */
public record Subscription(String topicFilter, int qos, boolean noLocal, boolean retainAsPublished, int retainHandling) {

    /** Checks the values. */
    public Subscription {
        Objects.requireNonNull(topicFilter, "topicFilter");
        if (qos < 0 || qos > 2) {
            throw new IllegalArgumentException("qos must be 0, 1 or 2: " + qos);
        }
        if (retainHandling < 0 || retainHandling > 2) {
            throw new IllegalArgumentException("retainHandling must be 0, 1 or 2: " + retainHandling);
        }
    }

    /** A subscription with default options. */
    public static Subscription of(String topicFilter, int qos) {
        return new Subscription(topicFilter, qos, false, false, 0);
    }
}
