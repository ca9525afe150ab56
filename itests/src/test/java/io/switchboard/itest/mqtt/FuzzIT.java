package io.switchboard.itest.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import io.switchboard.itest.mqtt.support.Broker;
import io.switchboard.itest.mqtt.support.BrokerExtension;
import io.switchboard.itest.mqtt.support.PacketFuzzer;
import io.switchboard.itest.mqtt.support.RoundTrip;
import io.switchboard.itest.mqtt.support.Transport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Malformed and mutated MQTT packets ({@link PacketFuzzer}) against the distribution: throughout, a
 * well-behaved client must still get its messages round trip, the broker must stay up, and its heap
 * after a GC must come back to where it was, and its log must show no error of its own. {@code mvn verify} fuzzes for {@value #SMOKE_SECONDS} s;
 * the long run: {@code mvn -B verify -pl itests -Dit.test=FuzzIT -Dswitchboard.fuzz.seconds=600}
 * (a seed to replay: {@code -Dswitchboard.fuzz.seed=<seed>}, printed by every run).
 */
@ExtendWith(BrokerExtension.class)
@BrokerExtension.Dedicated
class FuzzIT {

    private static final int SMOKE_SECONDS = 30;
    /** How much more heap after a GC the broker may hold at the end than after the warm-up. */
    private static final long HEAP_MARGIN_BYTES = 16L << 20;

    @Test
    void mutatedPacketsLeaveTheBrokerServingAndItsHeapFlat(Broker broker) throws Exception {
        broker.assumeDistribution();
        long seconds = Long.getLong("switchboard.fuzz.seconds", SMOKE_SECONDS);
        long seed = Long.getLong("switchboard.fuzz.seed", System.nanoTime());
        System.out.println("FuzzIT: seed " + seed + ", " + seconds + " s (replay with -Dswitchboard.fuzz.seed=" + seed + ")");
        PacketFuzzer fuzzer = new PacketFuzzer(seed, broker.host(), broker.port(Transport.TCP));

        for (int i = 0; i < 200; i++) {
            fuzzer.round(); // warm-up: the code paths are loaded and compiled before the baseline
        }
        RoundTrip.check(broker);
        long baseline = broker.heapUsedAfterGc();

        long end = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
        long nextCheck = System.nanoTime();
        while (System.nanoTime() < end) {
            fuzzer.round();
            if (System.nanoTime() >= nextCheck) {
                RoundTrip.check(broker);
                nextCheck = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            }
        }
        RoundTrip.check(broker);
        long after = broker.heapUsedAfterGc();
        System.out.println("FuzzIT: " + fuzzer.summary() + "; heap after GC " + baseline / 1024 + " KiB -> " + after / 1024 + " KiB");
        assertThat(after).as("heap after GC (KiB) at the end vs after the warm-up (seed " + seed + ")")
                .isLessThan(baseline + HEAP_MARGIN_BYTES);
        assertThat((broker.log() + "\n" + broker.console()).lines().filter(l -> l.contains(" ERROR ") || l.contains("Exception")))
                .as("bad input is the client's fault, never an error of the broker's (seed " + seed + ")").isEmpty();
    }
}
