package io.switchboard.api;

/** What happens to a message when its module throws or exceeds its time budget ({@link ModuleProperties#FAILURE_POLICY}). */
public enum FailurePolicy {
    /** The message passes as if the module had passed it (right for monitors and optional filters). */
    FAIL_OPEN,
    /** The message is consumed and refusals stand (right for authenticators and mandatory filters). */
    FAIL_CLOSED
}
