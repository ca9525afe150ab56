package io.switchboard.core.internal.modules;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import io.switchboard.api.Message;
import io.switchboard.api.MessageModule;
import io.switchboard.api.ModuleProperties;
import io.switchboard.api.Session;
import io.switchboard.api.Verdict;
import io.switchboard.api.admin.ChainEvent;
import io.switchboard.core.internal.FakeOsgi;
import org.junit.jupiter.api.Test;

/** The quarantine's window and thread cap, on a registry of its own and a clock the test moves. */
class QuarantineTest {

    private final ModuleRegistry registry = new ModuleRegistry();
    private long now = 1_000_000;
    /** 3 failures or timeouts within 10 s; 2 abandoned threads at most. */
    private final Quarantine quarantine = new Quarantine(registry, () -> now, new Quarantine.Settings(3, 10_000, 2));
    private final ModuleEntry flaky = module("flaky");

    private ModuleEntry module(String name) {
        return registry.add(FakeOsgi.reference(FakeOsgi.bundle("module." + name), Map.of(ModuleProperties.NAME, name)),
                new MessageModule() {
                    @Override
                    public Verdict onMessage(Message message, Session sender) {
                        return Verdict.pass();
                    }
                }).entry();
    }

    private boolean inMessageChain(ModuleEntry entry) {
        return java.util.List.of(registry.chains().of(ChainEvent.MESSAGE)).contains(entry);
    }

    @Test
    void quarantinesAtTheThresholdWithinTheWindowAndSaysWhy() {
        quarantine.lapsed(flaky, "failed: java.lang.IllegalStateException: one");
        now += 4_000;
        quarantine.lapsed(flaky, "timed out after 200 ms");
        assertThat(inMessageChain(flaky)).isTrue();

        now += 5_999; // the first is 9.999 s old: still inside the window
        quarantine.lapsed(flaky, "failed: java.lang.IllegalStateException: three");

        assertThat(inMessageChain(flaky)).isFalse();
        assertThat(flaky.health.quarantineReason())
                .isEqualTo("3 failures or timeouts within 10000 ms, the last: failed: java.lang.IllegalStateException: three");
        assertThat(flaky.health.lastError()).isEqualTo(
                new ModuleHealth.LastError("failed: java.lang.IllegalStateException: three", now));
    }

    @Test
    void failuresOlderThanTheWindowDoNotCount() {
        quarantine.lapsed(flaky, "failed: a");
        now += 6_000;
        quarantine.lapsed(flaky, "failed: b");
        now += 4_000; // the first is 10 s old: out of the window
        quarantine.lapsed(flaky, "failed: c");
        now += 5_000;
        quarantine.lapsed(flaky, "failed: d"); // b is 9 s old: b, c, d

        assertThat(inMessageChain(flaky)).isFalse();
        assertThat(flaky.health.quarantineReason()).startsWith("3 failures or timeouts").endsWith("the last: failed: d");
    }

    @Test
    void failuresOfOneModuleDoNotCountForAnother() {
        ModuleEntry steady = module("steady");
        quarantine.lapsed(flaky, "failed: a");
        quarantine.lapsed(steady, "failed: b");
        quarantine.lapsed(flaky, "failed: c");

        assertThat(inMessageChain(flaky)).isTrue();
        assertThat(inMessageChain(steady)).isTrue();
    }

    @Test
    void enablingReadmitsAndStartsAFreshWindow() {
        for (int i = 0; i < 3; i++) {
            quarantine.lapsed(flaky, "failed: " + i);
        }
        assertThat(inMessageChain(flaky)).isFalse();

        assertThat(registry.setEnabled("flaky", true)).isSameAs(flaky);
        assertThat(inMessageChain(flaky)).isTrue();
        quarantine.lapsed(flaky, "failed: again");
        quarantine.lapsed(flaky, "failed: and again");

        assertThat(inMessageChain(flaky)).isTrue(); // the failures before the quarantine no longer count
        assertThat(flaky.health.lastError().what()).isEqualTo("failed: and again");
    }

    @Test
    void zeroFailuresNeverQuarantines() {
        quarantine.configure(new Quarantine.Settings(0, 10_000, 2));
        for (int i = 0; i < 100; i++) {
            quarantine.lapsed(flaky, "failed: " + i);
        }

        assertThat(inMessageChain(flaky)).isTrue();
        assertThat(flaky.health.lastError().what()).isEqualTo("failed: 99");
    }

    @Test
    void abandonsThreadsUpToTheLimitThenQuarantinesTheBlocker() {
        ModuleEntry blocker = module("blocker");
        assertThat(quarantine.reserveAbandonedThread(flaky)).isTrue();
        assertThat(quarantine.reserveAbandonedThread(flaky)).isTrue();
        assertThat(quarantine.abandonedThreads()).isEqualTo(2);

        assertThat(quarantine.reserveAbandonedThread(blocker)).isFalse();
        assertThat(inMessageChain(blocker)).isFalse();
        assertThat(blocker.health.quarantineReason()).contains("2 worker threads were already abandoned")
                .contains("max.abandoned.threads");
        assertThat(inMessageChain(flaky)).isTrue();

        quarantine.abandonedThreadEnded(); // one blocked call returned: its thread ended
        assertThat(quarantine.reserveAbandonedThread(flaky)).isTrue();
        assertThat(quarantine.abandonedThreads()).isEqualTo(2);
    }

    @Test
    void aModuleThatLeftIsNotQuarantined() {
        registry.remove(flaky.reference, false);
        for (int i = 0; i < 3; i++) {
            quarantine.lapsed(flaky, "failed: " + i);
        }

        assertThat(flaky.health.quarantined()).isFalse();
    }
}
