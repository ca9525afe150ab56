package io.switchboard.store.internal;

import java.util.function.Supplier;

/**
 * One change waiting for a group commit: a put (its value made by {@code value}, on the writer thread), a
 * delete, or a delete of a key prefix.
 */
record Change(Kind kind, String space, String key, Supplier<byte[]> value) {

    enum Kind { PUT, DELETE, DELETE_PREFIX }

    static Change put(String space, String key, byte[] value) {
        return new Change(Kind.PUT, space, key, () -> value);
    }

    static Change put(String space, String key, Supplier<byte[]> value) {
        return new Change(Kind.PUT, space, key, value);
    }

    static Change delete(String space, String key) {
        return new Change(Kind.DELETE, space, key, null);
    }

    static Change deletePrefix(String space, String prefix) {
        return new Change(Kind.DELETE_PREFIX, space, prefix, null);
    }

    /** The value of a put. */
    byte[] bytes() {
        return value.get();
    }
}
