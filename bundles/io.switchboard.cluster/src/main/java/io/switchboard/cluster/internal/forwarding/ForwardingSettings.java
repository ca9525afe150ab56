package io.switchboard.cluster.internal.forwarding;

import java.util.Map;

/**
 * How long a node the entering node forwarded a QoS 1 or 2 message to may take to confirm it ({@code
 * forward.timeout.ms}); past it the publisher gets no acknowledgement and a log line names the node.
 *
 * @param timeoutMillis 100 to 600000 ms, 5000 by default
 */
public record ForwardingSettings(long timeoutMillis) {

    public static final long DEFAULT_TIMEOUT_MILLIS = 5000;
    static final long MIN_TIMEOUT_MILLIS = 100;
    static final long MAX_TIMEOUT_MILLIS = 600_000;

    /** Reads {@code forward.timeout.ms} from the cluster configuration's properties; a bad value names it. */
    public static ForwardingSettings of(Map<String, ?> properties) {
        Object value = properties.get("forward.timeout.ms");
        String text = value == null ? "" : value.toString().trim();
        if (text.isEmpty()) {
            return new ForwardingSettings(DEFAULT_TIMEOUT_MILLIS);
        }
        long millis;
        try {
            millis = Long.parseLong(text);
        } catch (NumberFormatException e) {
            millis = -1;
        }
        if (millis < MIN_TIMEOUT_MILLIS || millis > MAX_TIMEOUT_MILLIS) {
            throw new IllegalArgumentException("forward.timeout.ms '" + text + "' is not a number of milliseconds from "
                    + MIN_TIMEOUT_MILLIS + " to " + MAX_TIMEOUT_MILLIS);
        }
        return new ForwardingSettings(millis);
    }
}
