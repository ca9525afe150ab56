package io.switchboard.mqtt.internal.protocol;

/**
 * MQTT topic filters (OASIS MQTT 3.1.1 and 5.0, section 4.7): validation before a SUBSCRIBE reaches
 * the broker (so a bad filter gets its own SUBACK code instead of failing the whole packet), and
 * matching one filter against one topic (to attach the subscription identifiers of this client's
 * matching filters to a delivery; the broker does the routing itself).
 */
final class TopicFilters {

    static final String SHARE_PREFIX = "$share/";
    /** Characters of a topic shown in a log line or reason string. */
    static final int SHOWN_LENGTH = 200;

    private TopicFilters() {
    }

    /** Why {@code filter} is not a valid topic filter, or {@code null} when it is. */
    static String invalid(String filter) {
        if (filter == null || filter.isEmpty()) {
            return "empty topic filter";
        }
        if (filter.indexOf('\0') >= 0) {
            return "topic filter contains NUL";
        }
        String plain = filter;
        if (filter.startsWith(SHARE_PREFIX)) {
            int slash = filter.indexOf('/', SHARE_PREFIX.length());
            if (slash < 0 || slash == SHARE_PREFIX.length() || slash == filter.length() - 1) {
                return "a shared subscription is $share/<group>/<filter>";
            }
            String group = filter.substring(SHARE_PREFIX.length(), slash);
            if (group.indexOf('+') >= 0 || group.indexOf('#') >= 0) {
                return "a share group name must not contain wildcards";
            }
            plain = filter.substring(slash + 1);
        }
        int start = 0;
        for (int i = 0; i <= plain.length(); i++) {
            if (i == plain.length() || plain.charAt(i) == '/') {
                String level = plain.substring(start, i);
                if (level.indexOf('#') >= 0 && (!level.equals("#") || i != plain.length())) {
                    return "'#' must be a whole level and the last one";
                }
                if (level.indexOf('+') >= 0 && !level.equals("+")) {
                    return "'+' must be a whole level";
                }
                start = i + 1;
            }
        }
        return null;
    }

    /** {@code topic} for log lines and reason strings: a long one cut (a refused one may be 65535 bytes). */
    static String abbreviated(String topic) {
        return topic.length() <= SHOWN_LENGTH ? topic
                : topic.substring(0, SHOWN_LENGTH) + "... (" + topic.length() + " characters)";
    }

    /** Whether {@code filter} is a {@code $share/<group>/<filter>} subscription. */
    static boolean isShared(String filter) {
        return filter.startsWith(SHARE_PREFIX);
    }

    /** Whether the topic name {@code topic} matches the valid filter {@code filter} ({@code $share/g/} is stripped). */
    static boolean matches(String filter, String topic) {
        if (isShared(filter)) {
            filter = filter.substring(filter.indexOf('/', SHARE_PREFIX.length()) + 1);
        }
        return io.switchboard.api.TopicFilters.matches(filter, topic);
    }
}
