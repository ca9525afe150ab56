package io.switchboard.api.admin;

/**
 * One module's part in a traced message's journey.
 *
 * @param module the module's name
 * @param decision what it decided, e.g. {@code pass}, {@code consume}, {@code replace}, {@code skipped (topic filter
 *        [a/#])}; when its failure policy decided for it, what happened, the policy and the outcome, e.g.
 *        {@code timed out after 200 ms (policy FAIL_CLOSED) → consumed}, {@code failed: ... (policy FAIL_OPEN) → passed}
 * @param nanos how long it took
 * @param payloadAfter the payload as text after this module
 */
public record TraceStep(String module, String decision, long nanos, String payloadAfter) {
}
