package io.switchboard.api;

/** How far along a module is ({@link ModuleProperties#MATURITY}). */
public enum Maturity {
    /** Being written; not for production. */
    IN_DEVELOPMENT,
    /** Works in tests; may change. */
    ALPHA,
    /** Complete; being proven. */
    BETA,
    /** Generally available: for production. */
    GA,
    /** An experiment; may go away. */
    EXPERIMENTAL
}
