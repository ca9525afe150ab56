package io.switchboard.core.internal.sessions;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

import io.switchboard.api.Connection;
import io.switchboard.api.Subscription;
import io.switchboard.api.admin.SessionInfo;
import io.switchboard.core.internal.routing.SubscriptionTree;

/** The admin view of the client sessions: a searchable, bounded list of {@link SessionInfo}. */
public final class SessionViews {

    private SessionViews() {
    }

    /** Those of {@code sessions} that match {@code search} (see {@code BrokerAdmin.sessions}), by client id, at most {@code limit}. */
    public static List<SessionInfo> list(Collection<SessionImpl> sessions, String search, int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be at least 1, not " + limit);
        }
        String needle = search == null ? "" : search.trim().toLowerCase(Locale.ROOT);
        List<SessionInfo> matching = new ArrayList<>();
        for (SessionImpl s : sessions) {
            if (s.isClosed()) {
                continue;
            }
            SessionInfo info = info(s);
            if (needle.isEmpty() || matches(info, needle)) {
                matching.add(info);
            }
        }
        matching.sort(Comparator.comparing(SessionInfo::clientId));
        return matching.size() > limit ? List.copyOf(matching.subList(0, limit)) : matching;
    }

    static SessionInfo info(SessionImpl s) {
        boolean online = s.isOnline();
        Connection c = online ? s.connection() : null;
        List<Subscription> subscriptions = new ArrayList<>();
        for (SubscriptionTree.Entry e : s.subscriptions().values()) {
            subscriptions.add(e.subscription());
        }
        subscriptions.sort(Comparator.comparing(Subscription::topicFilter));
        return new SessionInfo(s.id(), s.clientId(), s.user(), s.protocol(), c == null ? null : c.listener(),
                c == null ? null : address(c.remoteAddress()), online, subscriptions);
    }

    private static String address(InetSocketAddress a) {
        if (a == null) {
            return null;
        }
        String host = a.getAddress() != null ? a.getAddress().getHostAddress() : a.getHostString();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + a.getPort();
    }

    private static boolean matches(SessionInfo s, String needle) {
        if (contains(s.clientId(), needle) || contains(s.user(), needle) || contains(s.protocol(), needle)
                || contains(s.listener(), needle) || contains(s.remoteAddress(), needle)) {
            return true;
        }
        for (Subscription sub : s.subscriptions()) {
            if (contains(sub.topicFilter(), needle)) {
                return true;
            }
        }
        return false;
    }

    private static boolean contains(String value, String needle) {
        return value != null && value.toLowerCase(Locale.ROOT).contains(needle);
    }
}
