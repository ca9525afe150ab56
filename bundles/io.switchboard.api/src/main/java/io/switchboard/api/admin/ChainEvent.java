package io.switchboard.api.admin;

/** The events a module can handle, one chain each: the {@link io.switchboard.api.MessageModule} callbacks. */
public enum ChainEvent {
    /** {@code onConnect}. */
    CONNECT("onConnect"),
    /** {@code onTlsEstablished}. */
    TLS("onTlsEstablished"),
    /** {@code onLogin}. */
    LOGIN("onLogin"),
    /** {@code onLogout}. */
    LOGOUT("onLogout"),
    /** {@code onSubscribe}. */
    SUBSCRIBE("onSubscribe"),
    /** {@code onUnsubscribe}. */
    UNSUBSCRIBE("onUnsubscribe"),
    /** {@code onMessage}. */
    MESSAGE("onMessage"),
    /** {@code onDelivery}. */
    DELIVERY("onDelivery"),
    /** {@code onStatus}. */
    STATUS("onStatus"),
    /** {@code onDecision} (since 1.1). */
    DECISION("onDecision"),
    /** {@code onCall}. */
    CALL("onCall"),
    /** {@code onCallStatus}. */
    CALL_STATUS("onCallStatus"),
    /** {@code onSessionOpen}. */
    SESSION_OPEN("onSessionOpen"),
    /** {@code onSessionClose}. */
    SESSION_CLOSE("onSessionClose"),
    /** {@code onSessionFree}. */
    SESSION_FREE("onSessionFree"),
    /** {@code onWorkerStart}. */
    WORKER_START("onWorkerStart"),
    /** {@code onWorkerStop}. */
    WORKER_STOP("onWorkerStop");

    private final String callback;

    ChainEvent(String callback) {
        this.callback = callback;
    }

    /** The name of the {@link io.switchboard.api.MessageModule} method for this event. */
    public String callback() {
        return callback;
    }
}
