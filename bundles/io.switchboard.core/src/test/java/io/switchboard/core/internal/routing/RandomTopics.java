package io.switchboard.core.internal.routing;

import java.util.SplittableRandom;

/** Random topics and filters for the routing tests that cross-check an index against {@link Topics#matches}. */
final class RandomTopics {

    private RandomTopics() {
    }

    /** One to five levels of {@code names}, and for a filter {@code +} or a final {@code #}. */
    static String levels(SplittableRandom random, String[] names, boolean filter) {
        int count = 1 + random.nextInt(5);
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < count; i++) {
            if (i > 0) {
                s.append('/');
            }
            int pick = random.nextInt(filter ? names.length + 2 : names.length);
            String name = pick < names.length ? names[pick] : pick == names.length || i < count - 1 ? "+" : "#";
            s.append(i > 0 && name.startsWith("$") ? "c" : name);
        }
        return s.isEmpty() ? "a" : s.toString(); // a topic or filter needs a character
    }
}
