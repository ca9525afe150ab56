package io.switchboard.testkit;

import io.switchboard.api.MessageModule;

/**
 * A call of {@link FakeHost#reportProblem}.
 *
 * @param module the module the problem is about
 * @param text the problem, or {@code null} when the module cleared it
 */
public record Problem(MessageModule module, String text) {
}
