package io.switchboard.core.internal;

/**
 * MQTT topic names and filters (OASIS MQTT 3.1.1 section 4.7, MQTT 5 section 4.7): validation and
 * matching of one filter against one topic. The subscription tree does the same matching for many
 * filters at once; this class serves module topic filters and retained messages.
 */
final class Topics {

    static final String SHARE_PREFIX = "$share/";

    private Topics() {
    }

    /** Throws IllegalArgumentException naming the problem if {@code filter} is not a valid topic filter. */
    static void validateFilter(String filter) {
        if (filter == null || filter.isEmpty()) {
            throw new IllegalArgumentException("topic filter must not be empty");
        }
        if (filter.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("topic filter must not contain NUL: '" + filter + "'");
        }
        String plain = filter;
        if (filter.startsWith(SHARE_PREFIX)) {
            int slash = filter.indexOf('/', SHARE_PREFIX.length());
            if (slash < 0 || slash == SHARE_PREFIX.length() || slash == filter.length() - 1) {
                throw new IllegalArgumentException("shared subscription must be $share/<group>/<filter>: '" + filter + "'");
            }
            String group = filter.substring(SHARE_PREFIX.length(), slash);
            if (group.indexOf('+') >= 0 || group.indexOf('#') >= 0) {
                throw new IllegalArgumentException("share group name must not contain wildcards: '" + filter + "'");
            }
            plain = filter.substring(slash + 1);
        }
        int levelStart = 0;
        int length = plain.length();
        for (int i = 0; i <= length; i++) {
            if (i == length || plain.charAt(i) == '/') {
                String level = plain.substring(levelStart, i);
                if (level.indexOf('#') >= 0 && (!level.equals("#") || i != length)) {
                    throw new IllegalArgumentException("'#' must be a whole level and the last one: '" + filter + "'");
                }
                if (level.indexOf('+') >= 0 && !level.equals("+")) {
                    throw new IllegalArgumentException("'+' must be a whole level: '" + filter + "'");
                }
                levelStart = i + 1;
            }
        }
    }

    /** Whether {@code topic} (a valid topic name) matches {@code filter} (a valid, non-shared filter). */
    static boolean matches(String filter, String topic) {
        if (topic.startsWith("$") && (filter.startsWith("+") || filter.startsWith("#"))) {
            return false; // MQTT 4.7.2: wildcards at the first level do not match $-topics
        }
        int f = 0;
        int t = 0;
        int fl = filter.length();
        int tl = topic.length();
        while (f < fl) {
            char c = filter.charAt(f);
            if (c == '#') {
                return true;
            }
            if (c == '+') {
                while (t < tl && topic.charAt(t) != '/') {
                    t++;
                }
                f++;
            } else {
                int fEnd = filter.indexOf('/', f);
                if (fEnd < 0) {
                    fEnd = fl;
                }
                int tEnd = topic.indexOf('/', t);
                if (tEnd < 0) {
                    tEnd = tl;
                }
                if (t > tl || fEnd - f != tEnd - t || !filter.regionMatches(f, topic, t, fEnd - f)) {
                    return false;
                }
                f = fEnd;
                t = tEnd;
            }
            // both at a separator or at the end
            if (f < fl) {
                if (t >= tl) {
                    // "a/#" matches "a": the filter's rest is exactly "/#"
                    return f + 2 == fl && filter.charAt(f + 1) == '#';
                }
                f++;
                t++;
            }
        }
        return t >= tl;
    }
}
