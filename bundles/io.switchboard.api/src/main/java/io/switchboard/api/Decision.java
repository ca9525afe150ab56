package io.switchboard.api;

import org.osgi.annotation.versioning.ProviderType;

/**
 * What one module decided, with the reason it gave, about a login, a subscription or a message: what an
 * observer such as an audit log records ({@link MessageModule#onDecision}). Every refusal of a login or a
 * subscription is one, and every acceptance of them that names its reason (e.g. the password file or the
 * ACL rule that allowed it); of messages only refusals (a message a module consumed), so that the
 * publish path does not pay for observation. A plain pass without a reason is none.
 *
 * @since 1.1
 */
@ProviderType
public interface Decision {

    /** What was decided on. */
    enum Subject {
        /** A client's login ({@link MessageModule#onLogin}). */
        LOGIN,
        /** A subscription ({@link MessageModule#onSubscribe}). */
        SUBSCRIBE,
        /** A published message ({@link MessageModule#onMessage}). */
        MESSAGE
    }

    /** What was decided on. */
    Subject subject();

    /** The name of the module that decided (its {@code switchboard.module.name}). */
    String module();

    /** True when the module let it go on, false when it refused the login or subscription or consumed the message. */
    boolean accepted();

    /** The reason the module gave (or, when its failure policy decided for it, why). */
    String reason();

    /** The client's id. */
    String clientId();

    /**
     * Whose it was: for a login, the user name the client gave (what the module judged; "" if none); for a
     * subscription or a message, the session's user ({@link Session#user()}).
     */
    String user();

    /** The subscription's topic filter or the message's topic; {@code null} for a login. */
    String topic();

    /** When it was decided, epoch milliseconds. */
    long timestamp();
}
