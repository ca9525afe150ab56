package io.switchboard.core.internal.sessions;

import io.switchboard.api.Admission;
import io.switchboard.api.ReasonCode;
import io.switchboard.api.Session;
import io.switchboard.api.Verdict;
import io.switchboard.api.broker.LoginRequest;
import io.switchboard.core.internal.chain.ChainRun;
import io.switchboard.core.internal.modules.ModuleEntry;

/**
 * Who a login is, as its chain establishes it: the user a module accepted it as ({@link Admission#authenticated}),
 * else anonymous for network clients and the given name for in-process ones (see {@link Session#user()}). Two
 * modules establishing different users, or a reserved name, refuse the login: an identity must be unambiguous.
 * Written by the login's chain run, read once the run is done (the run's steps hand over through its worker).
 */
final class LoginIdentity {

    static final String RESERVED_PREFIX = "module:";

    private volatile String established;
    private volatile String establishedBy;

    /** {@code entry}'s admission as the chain's verdict, remembering the user it establishes. */
    Verdict judge(ModuleEntry entry, Admission admission) {
        if (admission != null && admission.stage() != null) {
            return Verdict.later(admission.stage().thenApply(a -> judge(entry, a)));
        }
        String user = admission == null ? null : admission.user();
        if (user == null) {
            return ChainRun.toVerdict(admission);
        }
        if (reserved(user)) {
            return Verdict.consume(ReasonCode.NOT_AUTHORIZED, "module '" + entry.name() + "' established the reserved user name '"
                    + user + "'");
        }
        if (established != null && !established.equals(user)) {
            return Verdict.consume(ReasonCode.NOT_AUTHORIZED, "modules '" + establishedBy + "' and '" + entry.name()
                    + "' established different users ('" + established + "', '" + user + "')");
        }
        established = user;
        establishedBy = entry.name();
        return ChainRun.toVerdict(admission);
    }

    /** The user a module established, or {@code null} when none vouched for one. */
    String established() {
        return established;
    }

    /** The session's user once the chain accepted {@code request}. */
    String userOf(LoginRequest request) {
        if (established != null) {
            return established;
        }
        if (request.connection() != null) {
            return Session.ANONYMOUS;
        }
        return request.userName() != null && !request.userName().isEmpty() ? request.userName() : request.clientId();
    }

    /** Why an in-process login may not take the name it gives, or null. */
    static String reservedNameProblem(String user) {
        return user.startsWith(RESERVED_PREFIX) ? "user names starting with '" + RESERVED_PREFIX
                + "' are the broker's modules'" : null;
    }

    private static boolean reserved(String user) {
        return user.equals(Session.ANONYMOUS) || user.startsWith(RESERVED_PREFIX);
    }
}
