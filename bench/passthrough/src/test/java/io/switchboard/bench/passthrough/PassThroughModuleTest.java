package io.switchboard.bench.passthrough;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

import org.junit.jupiter.api.Test;

import io.switchboard.api.Message;
import io.switchboard.api.Verdict;
import io.switchboard.api.admin.ChainEvent;
import io.switchboard.testkit.FakeSession;
import io.switchboard.testkit.ModuleProbe;
import io.switchboard.testkit.TestMessages;

class PassThroughModuleTest {

    private final ModuleProbe probe = ModuleProbe.of(new PassThroughModule());

    @Test
    void joinsTheMessageAndTheDeliveryChainsOnly() {
        assertThat(probe.handledEvents()).containsExactlyInAnyOrder(ChainEvent.MESSAGE, ChainEvent.DELIVERY);
    }

    @Test
    void passesEveryMessageUnchanged() {
        Message message = TestMessages.text("alice", "bench/run/0", "payload");

        assertThat(probe.publish(message).assertPassed().verdict()).isSameAs(Verdict.pass());
        assertThat(probe.message(message).to(FakeSession.of("bob")).assertPassed().verdict()).isSameAs(Verdict.pass());
    }

    @Test
    void theThreeBenchmarkConfigurationsHaveDistinctRankings() throws IOException {
        var rankings = new java.util.HashSet<String>();
        for (int i = 1; i <= 3; i++) {
            Properties cfg = new Properties();
            try (var in = Files.newInputStream(Path.of("src/main/config/io.switchboard.bench.passthrough-" + i + ".cfg"))) {
                cfg.load(in);
            }
            rankings.add(cfg.getProperty("service.ranking"));
        }
        assertThat(rankings).hasSize(3).allSatisfy(r -> assertThat(Integer.parseInt(r)).isPositive());
    }
}
