package io.switchboard.console.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.switchboard.api.Subscription;
import io.switchboard.api.admin.BrokerAdmin;
import io.switchboard.api.admin.BrokerStats;
import io.switchboard.api.admin.ChainEvent;
import io.switchboard.api.admin.ModuleCounters;
import io.switchboard.api.admin.ModuleInfo;
import io.switchboard.api.admin.SessionInfo;
import io.switchboard.api.admin.TraceStep;
import io.switchboard.store.StateStore;

/**
 * The admin API's records as JSON-ready trees (maps, lists, strings, numbers, booleans) for the console's
 * endpoints. Text is passed on as it is: JSON encoding escapes it, and the page only ever puts it into the
 * document as text.
 */
final class Views {

    private static final double NANOS_PER_MICRO = 1000.0;

    private Views() {
    }

    /** {@code /console/api/overview}: counters, every module, the chain of each event that has one, the store. */
    static Map<String, Object> overview(BrokerAdmin admin, StateStore store) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("core", admin != null);
        if (admin != null) {
            out.put("stats", stats(admin.stats()));
            out.put("modules", admin.modules().stream().map(Views::module).toList());
            List<Object> chains = new ArrayList<>();
            for (ChainEvent event : ChainEvent.values()) {
                List<ModuleInfo> chain = admin.chain(event);
                if (!chain.isEmpty()) {
                    Map<String, Object> c = new LinkedHashMap<>();
                    c.put("event", event.name());
                    c.put("callback", event.callback());
                    c.put("modules", chain.stream().map(Views::module).toList());
                    chains.add(c);
                }
            }
            out.put("chains", chains);
        }
        out.put("store", store == null ? null : store(store.status()));
        return out;
    }

    static Map<String, Object> stats(BrokerStats s) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("uptimeMillis", s.uptimeMillis());
        out.put("sessions", s.sessions());
        out.put("subscriptions", s.subscriptions());
        out.put("modules", s.modules());
        out.put("published", s.published());
        out.put("routed", s.routed());
        out.put("consumed", s.consumed());
        out.put("deliveries", s.deliveries());
        out.put("delivered", s.delivered());
        out.put("failed", s.failed());
        out.put("expired", s.expired());
        out.put("inFlight", s.inFlight());
        out.put("abandonedThreads", s.abandonedThreads());
        return out;
    }

    static Map<String, Object> module(ModuleInfo m) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("name", m.name());
        out.put("serviceId", m.serviceId());
        out.put("ranking", m.ranking());
        out.put("type", m.type());
        out.put("maturity", m.maturity());
        out.put("version", m.version());
        out.put("bundle", m.bundle());
        out.put("state", m.state());
        out.put("reason", m.reason());
        out.put("events", m.events() == null ? List.of() : m.events().stream().map(ChainEvent::name).sorted().toList());
        out.put("topics", m.topics() == null ? List.of() : m.topics());
        out.put("failurePolicy", m.failurePolicy());
        out.put("timeoutMillis", m.timeoutMillis());
        ModuleCounters c = m.counters();
        out.put("calls", c.calls());
        out.put("passes", c.passes());
        out.put("consumes", c.consumes());
        out.put("replaces", c.replaces());
        out.put("errors", c.errors());
        out.put("timeouts", c.timeouts());
        out.put("meanMicros", c.meanMicros());
        out.put("maxMicros", c.maxNanos() / NANOS_PER_MICRO);
        out.put("lastError", m.lastError());
        out.put("lastErrorTime", m.lastErrorTime() == null ? null : m.lastErrorTime().toString());
        return out;
    }

    static Map<String, Object> store(StateStore.Status s) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("location", s.location());
        out.put("sync", s.sync());
        out.put("diskBytes", s.diskBytes());
        out.put("openMillis", s.openMillis());
        out.put("recovered", s.recovered());
        out.put("commits", s.batches());
        out.put("failedCommits", s.failedBatches());
        out.put("pending", s.pending());
        return out;
    }

    static List<Object> sessions(List<SessionInfo> sessions) {
        List<Object> out = new ArrayList<>(sessions.size());
        for (SessionInfo s : sessions) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", s.id());
            m.put("clientId", s.clientId());
            m.put("user", s.user());
            m.put("protocol", s.protocol());
            m.put("listener", s.listener());
            m.put("remoteAddress", s.remoteAddress());
            m.put("online", s.online());
            List<Object> subscriptions = new ArrayList<>();
            for (Subscription sub : s.subscriptions()) {
                Map<String, Object> x = new LinkedHashMap<>();
                x.put("filter", sub.topicFilter());
                x.put("qos", sub.qos());
                x.put("noLocal", sub.noLocal());
                x.put("retainAsPublished", sub.retainAsPublished());
                subscriptions.add(x);
            }
            m.put("subscriptions", subscriptions);
            out.add(m);
        }
        return out;
    }

    static List<Object> history(List<History.Point> points) {
        List<Object> out = new ArrayList<>(points.size());
        for (History.Point p : points) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("t", p.epochMillis());
            m.put("published", p.publishedPerSecond());
            m.put("delivered", p.deliveredPerSecond());
            m.put("chainMicros", p.chainMicros());
            m.put("modules", p.moduleMicros());
            out.add(m);
        }
        return out;
    }

    static List<Object> trace(List<TraceStep> steps) {
        List<Object> out = new ArrayList<>(steps.size());
        for (TraceStep s : steps) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("module", s.module());
            m.put("decision", s.decision());
            m.put("micros", s.nanos() / NANOS_PER_MICRO);
            m.put("payloadAfter", s.payloadAfter());
            out.add(m);
        }
        return out;
    }
}
