package io.switchboard.observability.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.switchboard.api.admin.BrokerStats;
import io.switchboard.api.admin.ModuleCounters;
import io.switchboard.store.MemoryStateStore;
import org.junit.jupiter.api.Test;
import org.osgi.framework.Constants;
import org.osgi.service.component.runtime.dto.ComponentConfigurationDTO;

class ReadinessTest {

    private static final ModuleCounters NONE = new ModuleCounters(0, 0, 0, 0, 0, 0, 0, 0);
    private static final BrokerStats STATS = new BrokerStats(1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 16);
    private static final FakeAdmin AUTH_ACTIVE = new FakeAdmin(STATS, List.of(FakeAdmin.module("auth", "ACTIVE", NONE),
            FakeAdmin.module("old", "SUPERSEDED", NONE)));

    @Test
    void readyWhenStoreCoreListenersAndMandatoryModulesAreThere() {
        Listeners.Listener tcp = Listeners.from(configuration("tcp", ComponentConfigurationDTO.ACTIVE, null, "auth"));
        Readiness.Report report = Readiness.evaluate(new MemoryStateStore(), AUTH_ACTIVE, List.of(tcp));
        assertThat(report.ready()).isTrue();
        assertThat(report.missing()).isEmpty();
        assertThat(report.listeners()).containsExactly(Map.entry("tcp", true));
    }

    @Test
    void namesEachMissingPart() {
        Listeners.Listener gated = Listeners.from(configuration("gated", ComponentConfigurationDTO.ACTIVE, null,
                new String[] {"auth, old", "ghost"}));
        Listeners.Listener broken = Listeners.from(configuration("ws", ComponentConfigurationDTO.FAILED_ACTIVATION,
                "MQTT listener 'ws' cannot bind port 9001: Address already in use\n\tat ...", null));
        Readiness.Report report = Readiness.evaluate(null, AUTH_ACTIVE, List.of(gated, broken));
        assertThat(report.ready()).isFalse();
        assertThat(report.missing()).containsExactly(
                "store: not open (no StateStore service; the log says why)",
                "listener 'ws': not listening: MQTT listener 'ws' cannot bind port 9001: Address already in use",
                "module 'old': required by listener 'gated', not active",
                "module 'ghost': required by listener 'gated', not active");
        assertThat(report.listeners()).containsEntry("gated", true).containsEntry("ws", false);
    }

    @Test
    void notReadyWithoutCoreOrListeners() {
        Readiness.Report report = Readiness.evaluate(new MemoryStateStore(), null, List.of());
        assertThat(report.missing()).containsExactly(
                "core: the broker core is not running (no BrokerAdmin service)",
                "listeners: no MQTT listener is configured (configadmin/io.switchboard.mqtt.listener-*.cfg)");
    }

    @Test
    void aListenerIsNamedByItsNamePropertyElseItsPid() {
        ComponentConfigurationDTO named = configuration("file", ComponentConfigurationDTO.ACTIVE, null, null);
        named.properties.put("name", "renamed");
        assertThat(Listeners.from(named).name()).isEqualTo("renamed");
        assertThat(Listeners.from(configuration("tls", ComponentConfigurationDTO.ACTIVE, null, null)).name()).isEqualTo("tls");
    }

    static ComponentConfigurationDTO configuration(String pidName, int state, String failure, Object mandatory) {
        ComponentConfigurationDTO c = new ComponentConfigurationDTO();
        c.state = state;
        c.failure = failure;
        Map<String, Object> properties = new HashMap<>();
        properties.put(Constants.SERVICE_PID, Listeners.COMPONENT + "~" + pidName);
        if (mandatory != null) {
            properties.put(Listeners.MANDATORY_MODULES, mandatory);
        }
        c.properties = properties;
        return c;
    }
}
