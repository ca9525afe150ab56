package io.switchboard.api;

/** What kind of module this is ({@link ModuleProperties#TYPE}); shown in the shell, informs operators. */
public enum ModuleType {
    /** Inspects and passes, changes or consumes messages. */
    FILTER,
    /** Decides where messages go, or answers them. */
    ROUTER,
    /** Admits or refuses connections, logins and subscriptions. */
    AUTHENTICATOR,
    /** Brings clients of a network protocol into the broker. */
    PROTOCOL,
    /** Observes; never changes a decision. */
    MONITOR,
    /** Labels messages for later modules. */
    CLASSIFIER
}
