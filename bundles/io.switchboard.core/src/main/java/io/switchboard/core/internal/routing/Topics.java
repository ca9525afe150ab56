package io.switchboard.core.internal.routing;

import io.switchboard.api.TopicFilters;

/**
 * MQTT topic filters with the broker's additions ({@code $share/<group>/<filter>}); the plain filter
 * rules and matching are the API's {@link TopicFilters}. The subscription tree does the same matching
 * for many filters at once.
 */
public final class Topics {

    public static final String SHARE_PREFIX = "$share/";

    private Topics() {
    }

    /** Throws IllegalArgumentException naming the problem if {@code filter} is not a valid topic filter. */
    public static void validateFilter(String filter) {
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
        String problem = TopicFilters.problem(plain);
        if (problem != null) {
            throw new IllegalArgumentException("not a valid topic filter ('" + filter + "'): " + problem);
        }
    }

    /**
     * The levels of a topic name or filter, as {@code split("/", -1)} gives them ({@code "a//b"}: a, "", b) without
     * its intermediate list: routing splits every message's topic.
     */
    public static String[] levels(String topicOrFilter) {
        int count = 1;
        for (int slash = topicOrFilter.indexOf('/'); slash >= 0; slash = topicOrFilter.indexOf('/', slash + 1)) {
            count++;
        }
        String[] levels = new String[count];
        int start = 0;
        for (int i = 0; i < count - 1; i++) {
            int slash = topicOrFilter.indexOf('/', start);
            levels[i] = topicOrFilter.substring(start, slash);
            start = slash + 1;
        }
        levels[count - 1] = topicOrFilter.substring(start);
        return levels;
    }

    /** Whether {@code topic} (a valid topic name) matches {@code filter} (a valid, non-shared filter). */
    public static boolean matches(String filter, String topic) {
        return TopicFilters.matches(filter, topic);
    }
}
