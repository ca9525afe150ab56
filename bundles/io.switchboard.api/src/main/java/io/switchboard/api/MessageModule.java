package io.switchboard.api;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * A module in the broker's chain. Register an implementation as an OSGi service (a DS component);
 * the broker calls it for every event it handles, highest {@code service.ranking} first.
 *
 * <p>Every callback has a default that passes, so a module overrides only what it needs. The broker
 * notices which callbacks a module overrides and never calls the others: an unused callback costs
 * nothing per message.
 *
 * <p>Callbacks run on broker worker threads and must not block. Work that waits (HTTP, a database)
 * returns {@link Verdict#later} or {@link Admission#later} with a stage that completes when done; the
 * broker continues that message's chain then, keeping each publisher's order, and applies the module's
 * time budget ({@link ModuleProperties#TIMEOUT}) and failure policy ({@link ModuleProperties#FAILURE_POLICY}).
 * A callback that throws is counted, logged with the module's name, and handled by the same policy.
 *
 * <p>The module's lifecycle is its component's: DS {@code @Activate} is "module activated",
 * {@code @Deactivate} is "module deactivated", {@code @Modified} applies new configuration.
 * Describe the module with the {@link ModuleProperties} service properties (or {@link SwitchboardModule}).
 */
@ConsumerType
public interface MessageModule {

    /** A network connection was accepted. Refuse it to close it before any protocol byte is read. */
    default Admission onConnect(Connection connection) {
        return Admission.accept();
    }

    /** The TLS handshake of a connection completed; {@link Connection#tls()} is now present. */
    default Admission onTlsEstablished(Connection connection) {
        return Admission.accept();
    }

    /**
     * A client logs in. An authenticator checks {@link Login#password()} here; a refusal's reason code
     * reaches the client (MQTT CONNACK).
     */
    default Admission onLogin(Login login) {
        return Admission.accept();
    }

    /** A client logged out or its connection closed; {@code reason} says why in plain words. */
    default void onLogout(Session session, String reason) {
    }

    /** A client subscribes. Refusing gives the client a failure for this filter only. */
    default Admission onSubscribe(Session session, Subscription subscription) {
        return Admission.accept();
    }

    /** A client removed a subscription. */
    default void onUnsubscribe(Session session, String topicFilter) {
    }

    /**
     * A message entered the broker (published by a client or sent by a module). Pass it, consume it
     * (no subscriber sees it), pass a changed copy, or decide later.
     *
     * @param message the message as changed by the modules before this one
     * @param sender the publisher's session; for messages sent through {@link HostServices#send} a
     *        session named after the sending module
     */
    default Verdict onMessage(Message message, Session sender) {
        return Verdict.pass();
    }

    /**
     * A message is about to be delivered to one subscriber. Consuming it skips this subscriber only;
     * a changed copy is what this subscriber receives.
     */
    default Verdict onDelivery(Message message, Session recipient) {
        return Verdict.pass();
    }

    /**
     * A module of the login, subscribe or message chain decided with a reason ({@link Decision}): for an
     * audit log. Observation only, after the chain ran; only modules that implement this method are called,
     * so nothing is collected when none does.
     *
     * @since 1.1
     */
    default void onDecision(Decision decision) {
    }

    /** A message changed state: sent, delivered, read, expired or failed. Observation only. */
    default void onStatus(MessageStatus status) {
    }

    /**
     * A call is being set up (see {@link Call} for the topic convention). Consuming the message refuses
     * the call: the callee never sees it.
     */
    default Verdict onCall(Call call) {
        return Verdict.pass();
    }

    /** A call changed state after set-up (ringing, answered, ended, ...). Observation only. */
    default void onCallStatus(Call call) {
    }

    /** A session opened. Keep per-session state with {@link Session#setState}. */
    default void onSessionOpen(Session session) {
    }

    /** A session's connection closed; the session may live on (persistent sessions). */
    default void onSessionClose(Session session) {
    }

    /** A session ended for good: release anything kept for it. */
    default void onSessionFree(Session session) {
    }

    /**
     * A broker worker thread started, or this module joined while it runs. Called on that worker's own
     * thread, so per-worker resources can be created there and kept with {@link Worker#setState}.
     */
    default void onWorkerStart(Worker worker) {
    }

    /** A worker thread stops, or this module leaves the chain; called on that worker's thread. */
    default void onWorkerStop(Worker worker) {
    }
}
