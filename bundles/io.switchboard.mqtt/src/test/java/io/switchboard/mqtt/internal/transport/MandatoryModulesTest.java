package io.switchboard.mqtt.internal.transport;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.Socket;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import io.switchboard.mqtt.internal.ListenerInfo;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The mandatory-modules gate each connection's {@link ListenerInfo} carries. */
class MandatoryModulesTest {

    static EventLoops loops;
    @TempDir
    Path home;

    @BeforeAll
    static void startLoops() {
        loops = new EventLoops();
        loops.activate(Configs.of(EventLoops.Config.class, Map.of()));
    }

    @AfterAll
    static void stopLoops() {
        loops.deactivate();
    }

    @Test
    void namesTheMissingModulesUntilEachIsActive() throws Exception {
        try (TestListener t = new TestListener("tcp", loops, home)
                .start(Map.of("port", 0, "host", "127.0.0.1", "mandatory.modules", "auth, audit:main"));
                Socket client = Net.connect(t.port())) {
            Net.exchange(client);
            Supplier<String> gate = t.protocol.connections.poll(5, TimeUnit.SECONDS).missingModules();

            assertThat(gate.get()).isEqualTo("listener 'tcp' requires modules auth, audit:main, not active in the broker");
            t.admin.active.add("audit:main");
            assertThat(gate.get()).isEqualTo("listener 'tcp' requires module auth, not active in the broker");
            t.admin.active.add("auth");
            assertThat(gate.get()).as("every module active").isNull();
            t.admin.active.remove("auth");
            assertThat(gate.get()).as("a module that leaves closes the door again").contains("auth");
        }
    }

    @Test
    void aBrokerThatCannotAnswerKeepsTheDoorClosed() {
        MandatoryModules gate = new MandatoryModules("tcp", java.util.List.of("auth"), new StubAdmin() {
            @Override
            public java.util.List<io.switchboard.api.admin.ModuleInfo> chain(io.switchboard.api.admin.ChainEvent event) {
                throw new IllegalStateException("core stopped");
            }
        });
        assertThat(gate.missing()).startsWith("listener 'tcp' cannot check its mandatory modules [auth]");
    }
}
