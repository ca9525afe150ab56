package io.switchboard.mqtt.internal.protocol;

import io.switchboard.api.Message;

/**
 * A connection's Will Message, published through its session when the connection ends without a
 * normal DISCONNECT (or with MQTT 5 DISCONNECT 0x04), after the MQTT 5 Will Delay Interval.
 *
 * @param message the will; its expiry is set when it is published
 * @param delaySeconds the Will Delay Interval (0: at once)
 * @param expirySeconds the will's Message Expiry Interval, counted from publication (0: none)
 */
record Will(Message message, long delaySeconds, long expirySeconds) {

    /** The message to publish now. */
    Message toPublish(long nowMillis) {
        return expirySeconds == 0 ? message : message.toBuilder().expiresAt(nowMillis + expirySeconds * 1000).build();
    }
}
