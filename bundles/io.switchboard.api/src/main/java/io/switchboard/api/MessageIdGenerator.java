package io.switchboard.api;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Makes the broker's message ids: an exactly-one hook. Several generators may be registered; the one
 * with the highest {@code service.ranking} (then the lowest service id) is used, the others wait, and
 * a change takes effect for the next message. Without any, the broker numbers messages itself
 * (time-ordered). The shell shows which one is active.
 *
 * <p>Called on broker threads for every message, concurrently: it must be thread-safe, fast and
 * never block. Ids must be unique within the broker and non-zero.
 */
@ConsumerType
public interface MessageIdGenerator {

    /** The next message id; unique, non-zero. */
    long nextId();
}
