package io.switchboard.module.msgid.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import io.switchboard.testkit.Configs;

class SnowflakeIdsTest {

    private static final long T0 = Instant.parse("2026-11-25T10:00:00Z").toEpochMilli();

    private final AtomicLong clock = new AtomicLong(T0);

    private SnowflakeIds activated(int node) {
        SnowflakeIds ids = new SnowflakeIds(clock::get);
        activate(ids, Map.of("node.id", String.valueOf(node)));
        return ids;
    }

    /** Activates {@code ids} as DS does: the configuration as component properties and as {@link MsgIdConfig}. */
    private static void activate(SnowflakeIds ids, Map<String, ?> configuration) {
        ids.activate(new HashMap<>(configuration), Configs.of(MsgIdConfig.class, configuration));
    }

    private static void modify(SnowflakeIds ids, Map<String, ?> configuration) {
        ids.modified(new HashMap<>(configuration), Configs.of(MsgIdConfig.class, configuration));
    }

    @Test
    void idsCarryTheTimeTheNodeAndASequence() {
        SnowflakeIds ids = activated(3);
        clock.addAndGet(5);

        long first = ids.nextId();
        long second = ids.nextId();

        IdLayout.Decoded d = IdLayout.decode(first);
        assertThat(d.time()).isEqualTo(Instant.ofEpochMilli(T0 + 5));
        assertThat(d.node()).isEqualTo(3);
        assertThat(d.sequence()).isZero();
        assertThat(IdLayout.decode(second).sequence()).isEqualTo(1);
        assertThat(first).isPositive();
    }

    @Test
    void encodeDecodeRoundTrip() {
        long[][] cases = {{0, 0, 1}, {1, 1023, 4095}, {IdLayout.MAX_TIME, 512, 7}, {123_456_789L, 42, 0}};
        for (long[] c : cases) {
            long id = IdLayout.encode(c[0], (int) c[1], c[2]);
            IdLayout.Decoded d = IdLayout.decode(id);
            assertThat(IdLayout.time(id)).isEqualTo(c[0]);
            assertThat(d.time()).isEqualTo(IdLayout.EPOCH.plusMillis(c[0]));
            assertThat(d.node()).isEqualTo(c[1]);
            assertThat(d.sequence()).isEqualTo(c[2]);
            assertThat(id).isPositive();
        }
        assertThatIllegalArgumentException().isThrownBy(() -> IdLayout.decode(0));
        assertThatIllegalArgumentException().isThrownBy(() -> IdLayout.decode(-5));
        assertThatIllegalArgumentException().isThrownBy(() -> IdLayout.encode(0, 1024, 0));
        assertThatIllegalArgumentException().isThrownBy(() -> IdLayout.encode(0, 0, 4096));
    }

    @Test
    void idsIncreaseWithTheClock() {
        SnowflakeIds ids = activated(1);
        long previous = 0;
        for (int i = 0; i < 10_000; i++) {
            if (i % 7 == 0) {
                clock.incrementAndGet();
            }
            long id = ids.nextId();
            assertThat(id).isGreaterThan(previous);
            previous = id;
        }
    }

    @Test
    void aSequenceOverflowBorrowsTheNextMillisecondInsteadOfWaiting() {
        SnowflakeIds ids = activated(0);
        clock.incrementAndGet();
        List<Long> made = new ArrayList<>();

        for (int i = 0; i < 3 * 4096; i++) {
            made.add(ids.nextId()); // the clock stands still
        }

        assertThat(new HashSet<>(made)).hasSize(made.size());
        assertThat(made).isSorted();
        assertThat(IdLayout.decode(made.get(4095)).time()).isEqualTo(Instant.ofEpochMilli(T0 + 1));
        assertThat(IdLayout.decode(made.get(4096)).time()).isEqualTo(Instant.ofEpochMilli(T0 + 2));
        assertThat(IdLayout.decode(made.get(4096)).sequence()).isZero();
        assertThat(ids.borrowed()).isEqualTo(2);

        clock.addAndGet(10); // the clock overtakes the borrowed time: back to real time
        assertThat(IdLayout.decode(ids.nextId()).time()).isEqualTo(Instant.ofEpochMilli(T0 + 11));
    }

    @Test
    void whenTheClockGoesBackIdsGoOnFromTheLastOne() {
        SnowflakeIds ids = activated(2);
        clock.addAndGet(1000);
        long before = ids.nextId();

        clock.addAndGet(-500); // an NTP step back
        long after = ids.nextId();
        long later = ids.nextId();

        assertThat(after).isGreaterThan(before);
        assertThat(later).isGreaterThan(after);
        assertThat(IdLayout.time(after)).isEqualTo(IdLayout.time(before));
        assertThat(ids.clockWentBack()).isEqualTo(2);

        clock.addAndGet(501); // the clock is past the last id's time again
        assertThat(IdLayout.decode(ids.nextId()).time()).isEqualTo(Instant.ofEpochMilli(T0 + 1001));
    }

    @Test
    void uniqueAndIncreasingPerThreadUnderConcurrency() throws Exception {
        SnowflakeIds ids = new SnowflakeIds(); // the real clock
        activate(ids, Map.of("node.id", 77));
        int threads = 8;
        int perThread = 100_000;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<long[]>> results = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Callable<long[]> task = () -> {
                start.await();
                long[] out = new long[perThread];
                for (int i = 0; i < perThread; i++) {
                    out[i] = ids.nextId();
                }
                return out;
            };
            results.add(pool.submit(task));
        }
        start.countDown();
        Set<Long> all = new HashSet<>();
        for (Future<long[]> f : results) {
            long[] out = f.get(60, TimeUnit.SECONDS);
            for (int i = 0; i < out.length; i++) {
                assertThat(all.add(out[i])).as("duplicate id %d", out[i]).isTrue();
                if (i > 0) {
                    assertThat(out[i]).as("increasing within a thread").isGreaterThan(out[i - 1]);
                }
                assertThat(IdLayout.node(out[i])).isEqualTo(77);
            }
        }
        pool.shutdown();
        assertThat(all).hasSize(threads * perThread);
        assertThat(ids.generated()).isEqualTo(threads * perThread);
    }

    @Test
    void aNodeChangeAppliesToTheNextIdWhichIsLaterThanAllBefore() {
        SnowflakeIds ids = activated(1);
        long before = ids.nextId();

        modify(ids, Map.of("node.id", "2"));
        long after = ids.nextId();
        modify(ids, Map.of("node.id", "1"));
        long back = ids.nextId();

        assertThat(IdLayout.node(after)).isEqualTo(2);
        assertThat(after).isGreaterThan(before);
        assertThat(back).isGreaterThan(after).isNotEqualTo(before);
        assertThat(IdLayout.node(back)).isEqualTo(1);
    }

    @Test
    void aBadNodeIdIsRefusedNamingTheAttribute() {
        SnowflakeIds ids = new SnowflakeIds(clock::get);

        assertThatIllegalArgumentException()
                .isThrownBy(() -> activate(ids, Map.of("node.id", "1024")))
                .withMessage("msgid: invalid configuration: node.id: '1024' is not an integer from 0 to 1023");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> activate(ids, Map.of("node.id", "one")))
                .withMessage("msgid: invalid configuration: node.id: 'one' is not an integer from 0 to 1023");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> activate(ids, Map.of("node.id", "1", "service.ranking", "high")))
                .withMessage("msgid: invalid configuration: service.ranking: 'high' is not an integer");

        SnowflakeIds running = activated(5);
        modify(running, Map.of("node.id", "-1"));
        assertThat(running.node()).as("the last good node stays").isEqualTo(5);
        assertThat(IdLayout.node(running.nextId())).isEqualTo(5);
    }

    @Test
    void aChangeWithARankingThatIsNotAnIntegerIsRejectedWholeAndTheNodeStays() {
        SnowflakeIds running = activated(5);

        // the node comes first: nothing of this configuration may be applied when a later attribute is bad
        modify(running, Map.of("node.id", "6", "service.ranking", "abc"));

        assertThat(running.node()).isEqualTo(5);
        assertThat(IdLayout.node(running.nextId())).isEqualTo(5);
    }

    @Test
    void withoutConfigurationTheNodeIs0() {
        SnowflakeIds ids = new SnowflakeIds(clock::get);
        activate(ids, Map.of());

        assertThat(IdLayout.node(ids.nextId())).isZero();
    }

    @Test
    void commands() {
        SnowflakeIds ids = activated(9);
        MsgIdCommands commands = new MsgIdCommands(ids);

        long id = commands.next();

        assertThat(commands.decode(id)).isEqualTo(String.join("\n",
                "id        " + id,
                "time      " + Instant.ofEpochMilli(T0) + " (" + IdLayout.time(id) + " ms since 2024-01-01T00:00:00Z)",
                "node      9",
                "sequence  1")); // the activation took sequence 0 of this millisecond
        assertThatIllegalArgumentException().isThrownBy(() -> commands.decode(0)).withMessageContaining("must be positive");
    }
}
