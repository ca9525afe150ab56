package io.switchboard.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code bench/persistence crash-loss} in smoke mode (300 messages, one run per broker, ~15 s): keeps the
 * persistence benchmark from rotting, and checks the one thing it can at this size: Switchboard loses
 * no acknowledged message to SIGKILL. Mosquitto (when installed) only has to complete its run. Writes
 * under target/ only; the rate and recovery parts share the code paths and run as documented commands.
 */
class PersistenceSmokeIT {

    @Test
    @Timeout(120)
    void acknowledgedMessagesSurviveSigkill() throws Exception {
        String root = Path.of(System.getProperty("switchboard.root", "../..")).toAbsolutePath().normalize().toString();
        String work = Path.of(System.getProperty("bench.smoke.work", "target/bench-smoke")).toAbsolutePath().resolve("crash-loss").toString();
        String[] argv = {"crash-loss", "--smoke", "--no-pin", "--root", root, "--work", work, "--brokers", "switchboard-empty,mosquitto"};
        Args args = new Args(argv, 1, Set.of("smoke", "no-pin", "no-docs"));
        PersistenceBench.Common common = PersistenceBench.common(args, "crash-loss", "");
        assertThat(common.docs).isFalse();
        CrashLoss crashLoss = new CrashLoss(common, args);

        crashLoss.run();

        List<Map<String, Object>> results = crashLoss.results();
        assertThat(results).isNotEmpty().allSatisfy(r -> assertThat(r.get("error")).as(r.toString()).isNull());
        Map<String, Object> switchboard = results.stream().filter(r -> r.get("broker").equals("switchboard-empty")).findFirst().orElseThrow();
        assertThat(switchboard.get("acked")).as(switchboard.toString()).isEqualTo(300L);
        assertThat(switchboard.get("sessionPresent")).as(switchboard.toString()).isEqualTo(true);
        assertThat(switchboard.get("lost")).as(switchboard.toString()).isEqualTo(0L);
        // the store's size is that of its RocksDB directory data/store/, which holds the acknowledged messages
        assertThat(((Number) switchboard.get("storeBytesAfterKill")).longValue()).as(switchboard.toString()).isPositive();
    }
}
