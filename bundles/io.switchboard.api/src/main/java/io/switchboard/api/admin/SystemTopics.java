package io.switchboard.api.admin;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Publishes the broker's status topics ({@code $SYS/...}), as Mosquitto does (since 1.1). Registered as a service
 * by the core.
 *
 * <p>A status message is not a client's publish: it does not run the message chain (no module is asked about it
 * or counts it, and it is not in the broker's {@code published} or {@code routed} counters), and it is retained and
 * handed to the subscribers of its topic directly. Each delivery runs the delivery chain as any delivery does, so a
 * module authorising reads (the auth module's ACL) decides who receives it; which clients may subscribe to
 * {@code $SYS} topics at all is the subscribe chain's decision, as for any topic. Clients cannot publish to
 * {@code $SYS} topics: the broker refuses them.
 */
@ProviderType
public interface SystemTopics {

    /** The first topic level of the broker's status topics. */
    String PREFIX = "$SYS/";

    /**
     * Retains {@code payload} (QoS 0) as the message of {@code topic} and delivers it to its subscribers.
     *
     * @throws IllegalArgumentException if {@code topic} does not start with {@value #PREFIX} or is not a valid
     *         topic name
     */
    void publish(String topic, byte[] payload);
}
