package io.switchboard.core.internal.modules;

/** Reads a service's {@code service.ranking} as the chain and the hooks rank it. */
public final class Ranking {

    private Ranking() {
    }

    /**
     * The ranking {@code value} stands for: an Integer as it is; a String holding an integer (what a
     * plain {@code .cfg} file gives, which the framework itself would count as 0) as that integer;
     * none as 0. {@code null} if it is not an integer.
     */
    public static Integer of(Object value) {
        if (value == null) {
            return 0;
        }
        if (value instanceof Integer i) {
            return i;
        }
        try {
            return Integer.valueOf(value.toString().trim());
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
