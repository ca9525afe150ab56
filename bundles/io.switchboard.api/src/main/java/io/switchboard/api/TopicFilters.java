package io.switchboard.api;

/**
 * MQTT topic filters (MQTT 5.0 section 4.7): checking one and matching a topic name against one, as
 * the broker does. For modules that choose messages by topic themselves (per-topic rules); a module
 * limited to some topics altogether declares {@link ModuleProperties#TOPICS} instead.
 */
public final class TopicFilters {

    private TopicFilters() {
    }

    /** Why {@code filter} is not a valid MQTT topic filter, or {@code null} if it is. */
    public static String problem(String filter) {
        if (filter.isEmpty()) {
            return "it is empty";
        }
        if (filter.indexOf('\0') >= 0) {
            return "it contains NUL";
        }
        String[] levels = filter.split("/", -1);
        for (int i = 0; i < levels.length; i++) {
            String level = levels[i];
            if (level.contains("#") && (!level.equals("#") || i != levels.length - 1)) {
                return "'#' must be a whole level and the last one";
            }
            if (level.contains("+") && !level.equals("+")) {
                return "'+' must be a whole level";
            }
        }
        return null;
    }

    /**
     * Whether the topic name {@code topic} matches the valid filter {@code filter}: {@code +} matches one
     * level, a final {@code #} the parent level and any below; wildcards in the first level do not match
     * topics starting with {@code $}. Compares in place, allocating nothing.
     */
    public static boolean matches(String filter, String topic) {
        if (topic.startsWith("$") && (filter.startsWith("+") || filter.startsWith("#"))) {
            return false;
        }
        int f = 0;
        int t = 0;
        while (true) {
            int fEnd = levelEnd(filter, f);
            if (fEnd - f == 1 && filter.charAt(f) == '#') {
                return true;
            }
            int tEnd = levelEnd(topic, t);
            boolean plus = fEnd - f == 1 && filter.charAt(f) == '+';
            if (!plus && (fEnd - f != tEnd - t || !filter.regionMatches(f, topic, t, fEnd - f))) {
                return false;
            }
            boolean filterEnds = fEnd == filter.length();
            boolean topicEnds = tEnd == topic.length();
            if (filterEnds || topicEnds) {
                // both end here, or the topic ends and the filter's rest is "/#" (which matches the parent)
                return filterEnds && topicEnds
                        || topicEnds && filter.length() == fEnd + 2 && filter.charAt(fEnd + 1) == '#';
            }
            f = fEnd + 1;
            t = tEnd + 1;
        }
    }

    /** The end of the level starting at {@code from}: the next '/' or the end of {@code s}. */
    private static int levelEnd(String s, int from) {
        int slash = s.indexOf('/', from);
        return slash < 0 ? s.length() : slash;
    }
}
