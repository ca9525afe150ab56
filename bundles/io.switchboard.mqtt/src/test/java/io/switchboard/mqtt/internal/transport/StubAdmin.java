package io.switchboard.mqtt.internal.transport;

import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

import io.switchboard.api.Message;
import io.switchboard.api.admin.BrokerAdmin;
import io.switchboard.api.admin.BrokerStats;
import io.switchboard.api.admin.ChainEvent;
import io.switchboard.api.admin.ModuleInfo;
import io.switchboard.api.admin.SessionInfo;
import io.switchboard.api.admin.TraceStep;

/** A broker whose chains hold the modules named in {@link #active}; each handles only {@code onMessage}. */
class StubAdmin implements BrokerAdmin {

    final List<String> active = new CopyOnWriteArrayList<>();

    @Override
    public List<ModuleInfo> modules() {
        throw new AssertionError("the listener must not ask for every module (it inspects the bundles)");
    }

    @Override
    public List<ModuleInfo> chain(ChainEvent event) {
        if (event != ChainEvent.MESSAGE) {
            return List.of();
        }
        return active.stream().map(name -> new ModuleInfo(name, 1, 0, "FILTER", "GA", "1.0.0", "test [1]", "ACTIVE",
                null, Set.of(ChainEvent.MESSAGE), List.of(), "FAIL_OPEN", 5000, null)).toList();
    }

    @Override
    public List<TraceStep> trace(Message message) {
        throw new UnsupportedOperationException();
    }

    @Override
    public void setEnabled(String moduleName, boolean enabled) {
        throw new UnsupportedOperationException();
    }

    @Override
    public BrokerStats stats() {
        throw new UnsupportedOperationException();
    }

    @Override
    public List<SessionInfo> sessions(String search, int limit) {
        throw new UnsupportedOperationException();
    }

    @Override
    public String messageIdGenerator() {
        throw new UnsupportedOperationException();
    }
}
