package io.switchboard.shell.internal;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

import io.switchboard.api.Message;
import io.switchboard.api.admin.BrokerAdmin;
import io.switchboard.api.admin.BrokerStats;
import io.switchboard.api.admin.ChainEvent;
import io.switchboard.api.admin.ModuleInfo;
import io.switchboard.api.admin.SessionInfo;
import io.switchboard.api.admin.TraceStep;

/** A {@link BrokerAdmin} that answers what the test put in and records what it was asked. */
final class FakeBrokerAdmin implements BrokerAdmin {

    final List<ModuleInfo> modules = new ArrayList<>();
    final Map<ChainEvent, List<ModuleInfo>> chains = new EnumMap<>(ChainEvent.class);
    final List<TraceStep> traceSteps = new ArrayList<>();
    final List<String> switches = new ArrayList<>();
    BrokerStats stats = new BrokerStats(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
    Message traced;
    final List<SessionInfo> sessions = new ArrayList<>();
    final List<String> searches = new ArrayList<>();

    @Override
    public List<ModuleInfo> modules() {
        return List.copyOf(modules);
    }

    @Override
    public List<ModuleInfo> chain(ChainEvent event) {
        return List.copyOf(chains.getOrDefault(event, List.of()));
    }

    @Override
    public List<TraceStep> trace(Message message) {
        traced = message;
        return List.copyOf(traceSteps);
    }

    @Override
    public void setEnabled(String moduleName, boolean enabled) {
        switches.add(moduleName + "=" + enabled);
    }

    @Override
    public BrokerStats stats() {
        return stats;
    }

    @Override
    public List<SessionInfo> sessions(String search, int limit) {
        searches.add(search + " limit " + limit);
        return sessions.subList(0, Math.min(limit, sessions.size()));
    }

    @Override
    public String messageIdGenerator() {
        return "built-in (time-ordered counter)";
    }
}
