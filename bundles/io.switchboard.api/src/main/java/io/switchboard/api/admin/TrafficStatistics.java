package io.switchboard.api.admin;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The traffic of a protocol front door (the MQTT bundle registers one), for metrics and {@code $SYS} topics
 * (since 1.1). Registered as a service by each front door; readers take every registered one.
 *
 * <p>Reading is cheap enough to be done every few seconds: the counters are summed, and the queued and in-flight
 * messages are counted per session, when read; counting costs the traffic next to nothing.
 */
@ProviderType
public interface TrafficStatistics {

    /** The front door's counters now. */
    TrafficStats traffic();
}
