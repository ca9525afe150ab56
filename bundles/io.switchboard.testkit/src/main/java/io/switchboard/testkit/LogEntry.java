package io.switchboard.testkit;

import org.slf4j.event.Level;

/**
 * One line a module logged through {@link FakeHost#logger()}.
 *
 * @param level the level
 * @param message the message with its {@code {}} placeholders filled in
 * @param thrown the exception logged with it, or {@code null}
 */
public record LogEntry(Level level, String message, Throwable thrown) {

    @Override
    public String toString() {
        return level + " " + message + (thrown == null ? "" : " [" + thrown + "]");
    }
}
