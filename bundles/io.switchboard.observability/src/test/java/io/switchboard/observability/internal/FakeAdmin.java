package io.switchboard.observability.internal;

import java.util.List;
import java.util.Set;

import io.switchboard.api.Message;
import io.switchboard.api.admin.BrokerAdmin;
import io.switchboard.api.admin.BrokerStats;
import io.switchboard.api.admin.ChainEvent;
import io.switchboard.api.admin.ModuleCounters;
import io.switchboard.api.admin.ModuleInfo;
import io.switchboard.api.admin.SessionInfo;
import io.switchboard.api.admin.TraceStep;

/** A broker admin answering with fixed stats and modules; the ACTIVE ones make up the MESSAGE chain. */
record FakeAdmin(BrokerStats stats, List<ModuleInfo> modules) implements BrokerAdmin {

    static ModuleInfo module(String name, String state, ModuleCounters counters) {
        return new ModuleInfo(name, 1, 0, "FILTER", "GA", "1.0.0", "io.switchboard.module.x [7]", state, "",
                Set.of(ChainEvent.MESSAGE), List.of(), "FAIL_OPEN", 1000, counters);
    }

    @Override
    public List<ModuleInfo> chain(ChainEvent event) {
        return event == ChainEvent.MESSAGE ? modules.stream().filter(m -> m.state().equals("ACTIVE")).toList() : List.of();
    }

    @Override
    public List<TraceStep> trace(Message message) {
        throw new AssertionError("scraping metrics or health must not run a trace");
    }

    @Override
    public void setEnabled(String moduleName, boolean enabled) {
        throw new AssertionError("scraping metrics or health must not switch a module");
    }

    @Override
    public List<SessionInfo> sessions(String search, int limit) {
        throw new AssertionError("scraping metrics or health must not list sessions");
    }

    @Override
    public String messageIdGenerator() {
        return "default";
    }
}
