package io.switchboard.api;

import java.util.Objects;

/**
 * One MQTT 5 user property: a name/value pair. A message may carry the same name more than once;
 * order is kept.
 *
 * @param name the property name, never {@code null}
 * @param value the property value, never {@code null}
 */
public record UserProperty(String name, String value) {
    /** Checks that neither part is {@code null}. */
    public UserProperty {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(value, "value");
    }
}
