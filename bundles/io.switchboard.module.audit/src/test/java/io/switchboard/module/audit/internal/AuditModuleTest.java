package io.switchboard.module.audit.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.event.Level;

import io.switchboard.api.Message;
import io.switchboard.api.MessageStatus;
import io.switchboard.api.admin.ChainEvent;
import io.switchboard.testkit.Configs;
import io.switchboard.testkit.FakeHost;
import io.switchboard.testkit.FakeSession;
import io.switchboard.testkit.FakeStatus;
import io.switchboard.testkit.ModuleProbe;
import io.switchboard.testkit.TestMessages;

class AuditModuleTest {

    private static final Duration WAIT = Duration.ofSeconds(5);

    @TempDir
    Path home;

    private final FakeHost host = new FakeHost("io.switchboard.module.audit");
    private final AuditModule module = new AuditModule();
    private final ModuleProbe probe = ModuleProbe.of(module).with(host);
    private final FakeSession alice = FakeSession.of("alice");
    private boolean active;

    @AfterEach
    void stop() throws InterruptedException {
        if (active) {
            module.deactivate();
        }
        host.close();
    }

    /** Activates with {@code configuration}, payloads included (the lines are told apart by them) unless it says otherwise. */
    private void activate(Map<String, ?> configuration) {
        activateExactly(withPayloads(configuration));
    }

    private void activateExactly(Map<String, ?> configuration) {
        module.host = host;
        start(configuration);
        active = true;
    }

    private static Map<String, ?> withPayloads(Map<String, ?> configuration) {
        Map<String, Object> c = new HashMap<>(configuration);
        c.putIfAbsent("max.payload.bytes", 1000);
        return c;
    }

    /** Starts the module as DS activates it: with the configuration as component properties and as {@link AuditConfig}. */
    private void start(Map<String, ?> configuration) {
        module.start(configuration, Configs.of(AuditConfig.class, configuration), home);
    }

    private void modify(Map<String, ?> configuration) {
        Map<String, ?> c = withPayloads(configuration);
        module.modified(new HashMap<>(c), Configs.of(AuditConfig.class, c));
    }

    private List<String> lines(Path file) throws IOException {
        return Files.exists(file) ? Files.readAllLines(file, StandardCharsets.UTF_8) : List.of();
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime() - deadline).as("waiting for " + what).isNegative();
            Thread.sleep(5);
        }
    }

    /** A decision as the broker hands it to observers. */
    private record TestDecision(Subject subject, String module, boolean accepted, String reason, String clientId,
            String user, String topic, long timestamp) implements io.switchboard.api.Decision {
    }

    @Test
    void writesALinePerMessageStatusAndDecisionAndAlwaysPasses() throws Exception {
        activate(Map.of("events", "message, decision, status"));
        Message hello = TestMessages.text("alice", "chat/room", "hello");

        probe.message(hello).from(alice).assertPassed();
        probe.status(FakeStatus.builder(MessageStatus.State.DELIVERED).message(hello).recipient("bob").build());
        module.onDecision(new TestDecision(io.switchboard.api.Decision.Subject.SUBSCRIBE, "auth", false,
                "acl:4 topic deny secret/#", "c1", "alice", "secret/#", 1_000L));
        module.deactivate();
        active = false;

        List<String> lines = lines(home.resolve("logs/audit.jsonl"));
        assertThat(lines).hasSize(3);
        assertThat(JsonLine.object(lines.get(0))).containsEntry("event", "message").containsEntry("id", hello.id())
                .containsEntry("payload", "hello").containsEntry("client", "alice");
        assertThat(JsonLine.object(lines.get(1))).containsEntry("event", "status").containsEntry("state", "DELIVERED")
                .containsEntry("recipient", "bob");
        assertThat(JsonLine.object(lines.get(2))).containsEntry("event", "decision").containsEntry("subject", "subscribe")
                .containsEntry("module", "auth").containsEntry("decision", "refused")
                .containsEntry("reason", "acl:4 topic deny secret/#").containsEntry("user", "alice")
                .containsEntry("topic", "secret/#");
        assertThat(probe.handledEvents()).containsExactlyInAnyOrder(ChainEvent.MESSAGE, ChainEvent.STATUS, ChainEvent.DECISION);
    }

    @Test
    void byDefaultTheFileIsTheBrokersOwnAndHoldsNoPayloads() throws Exception {
        activateExactly(Map.of());
        probe.message(TestMessages.text("alice", "chat/room", "a secret")).from(alice).assertPassed();
        module.deactivate();
        active = false;

        Path file = home.resolve("logs/audit.jsonl");
        assertThat(JsonLine.object(lines(file).get(0))).containsEntry("size", 8L).doesNotContainKey("payload");
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
                .as("readable by the broker's user only").isEqualTo("rw-------");
    }

    @Test
    void linesAreFlushedAsSoonAsTheQueueRunsEmpty() throws Exception {
        activate(Map.of());
        Path file = home.resolve("logs/audit.jsonl");

        probe.publish(TestMessages.text("alice", "t", "one"));

        await("the line in the file", () -> {
            try {
                return lines(file).size() == 1;
            } catch (IOException e) {
                return false;
            }
        });
        assertThat(module.stats().written()).isEqualTo(1);
    }

    @Test
    void anAbsolutePathIsUsedAsItIs(@TempDir Path elsewhere) throws Exception {
        Path file = elsewhere.resolve("a/b/audit.log");
        activate(Map.of("path", file.toString()));

        probe.publish(TestMessages.text("t", "x"));
        module.deactivate();
        active = false;

        assertThat(lines(file)).hasSize(1);
        assertThat(home.resolve("logs")).doesNotExist();
    }

    @Test
    void rotatesKeepingMaxFilesAndWholeLines() throws Exception {
        activate(Map.of("max.file.size", "400", "max.files", "2"));
        for (int i = 0; i < 30; i++) {
            probe.publish(TestMessages.text("alice", "chat/room", "message number " + i));
        }
        module.deactivate();
        active = false;

        Path file = home.resolve("logs/audit.jsonl");
        List<String> current = lines(file);
        List<String> one = lines(home.resolve("logs/audit.jsonl.1"));
        List<String> two = lines(home.resolve("logs/audit.jsonl.2"));
        assertThat(home.resolve("logs/audit.jsonl.3")).doesNotExist();
        assertThat(Files.size(file)).isLessThanOrEqualTo(400);
        assertThat(Files.size(home.resolve("logs/audit.jsonl.1"))).isLessThanOrEqualTo(400);
        // newest in the current file, then .1, then .2: consecutive, each line whole
        List<String> kept = new java.util.ArrayList<>(two);
        kept.addAll(one);
        kept.addAll(current);
        assertThat(kept).isNotEmpty().allSatisfy(line -> JsonLine.object(line));
        assertThat(JsonLine.object(kept.get(kept.size() - 1))).containsEntry("payload", "message number 29");
        for (int i = 1; i < kept.size(); i++) {
            String previous = (String) JsonLine.object(kept.get(i - 1)).get("payload");
            String next = (String) JsonLine.object(kept.get(i)).get("payload");
            assertThat(Integer.parseInt(next.substring(15))).isEqualTo(Integer.parseInt(previous.substring(15)) + 1);
        }
        assertThat(module.stats().rotations()).isPositive();
    }

    @Test
    void withNoRotatedFilesKeptTheFileStartsOver() throws Exception {
        activate(Map.of("max.file.size", "300", "max.files", "0"));
        for (int i = 0; i < 10; i++) {
            probe.publish(TestMessages.text("alice", "chat/room", "message number " + i));
        }
        module.deactivate();
        active = false;

        assertThat(home.resolve("logs/audit.jsonl.1")).doesNotExist();
        assertThat(lines(home.resolve("logs/audit.jsonl"))).last().asString().contains("message number 9");
    }

    @Test
    void withOverflowDropAFullQueueDropsAndCountsWithoutBlockingAndTheWriterWarns() throws Exception {
        module.host = host;
        Map<String, String> config = Map.of("queue.size", "2", "overflow", "drop");
        module.start(config, Configs.of(AuditConfig.class, config), home, false);
        active = true;

        for (int i = 0; i < 5; i++) {
            probe.publish(TestMessages.text("alice", "t", "m" + i)).assertPassed(); // returns at once, queue full or not
        }
        assertThat(module.stats().dropped()).isEqualTo(3);
        assertThat(module.stats().queued()).isEqualTo(2);

        module.startWriter();
        module.deactivate();
        active = false;

        assertThat(lines(home.resolve("logs/audit.jsonl"))).hasSize(2);
        assertThat(host.logs(Level.WARN)).anySatisfy(line -> assertThat(line).contains("dropped 3 lines",
                "THE AUDIT LOG IS INCOMPLETE"));
    }

    @Test
    void activationRefusesABadConfigurationNamingTheAttribute() {
        module.host = host;

        assertThatIllegalArgumentException()
                .isThrownBy(() -> start(Map.of("max.files", "-1")))
                .withMessage("audit: invalid configuration: max.files: '-1' is not an integer from 0 to 1000");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> start(Map.of("max.file.size", "ten")))
                .withMessage("audit: invalid configuration: max.file.size: 'ten' is not an integer of at least 1");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> start(Map.of("path", " ")))
                .withMessage("audit: invalid configuration: path: is required: the audit file");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> start(Map.of("service.ranking", "top")))
                .withMessage("audit: invalid configuration: service.ranking: 'top' is not an integer");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> start(Map.of("switchboard.module.topics", "a/#/b")))
                .withMessage("audit: invalid configuration: switchboard.module.topics: 'a/#/b' is not a valid MQTT topic "
                        + "filter: '#' must be a whole level and the last one");
    }

    @Test
    void aBadChangeKeepsTheLastGoodSettingsAndAGoodOneMovesTheFile() throws Exception {
        activate(Map.of());
        Map<String, Object> bad = new HashMap<>(Map.of("queue.size", "0"));

        modify(bad);

        assertThat(host.lastProblem()).isEqualTo(
                "audit: configuration rejected, keeping the last good one: queue.size: '0' is not an integer from 1 to 10000000");
        probe.publish(TestMessages.text("t", "still written"));
        await("the line written before the next change", () -> module.stats().written() == 1); // changes apply between lines

        modify(Map.of("path", "other/audit.jsonl"));
        assertThat(host.lastProblem()).isNull();
        probe.publish(TestMessages.text("t", "moved"));
        module.deactivate();
        active = false;

        assertThat(lines(home.resolve("logs/audit.jsonl"))).singleElement().asString().contains("still written");
        assertThat(lines(home.resolve("other/audit.jsonl"))).singleElement().asString().contains("moved");
    }

    @Test
    void aChangeWithAnIntegerThatCannotBeReadIsRejectedWholeNamingTheModuleAttributeValueAndExpectation() throws Exception {
        activate(Map.of());

        // the path comes first: nothing of this configuration may be applied when a later attribute is bad
        modify(Map.of("path", "other/audit.jsonl", "max.files", "abc"));

        assertThat(host.lastProblem()).isEqualTo(
                "audit: configuration rejected, keeping the last good one: max.files: 'abc' is not an integer from 0 to 1000");
        probe.publish(TestMessages.text("t", "still here"));
        module.deactivate();
        active = false;

        assertThat(lines(home.resolve("logs/audit.jsonl"))).singleElement().asString().contains("still here");
        assertThat(home.resolve("other/audit.jsonl")).doesNotExist();
    }

    @Test
    void anUnwritableFileIsReportedAndTheModuleGoesOn() throws Exception {
        Files.writeString(home.resolve("blocker"), "a file where a directory should be");
        activate(Map.of("path", "blocker/audit.jsonl"));

        probe.publish(TestMessages.text("t", "lost")).assertPassed();
        await("the problem to be reported", () -> host.lastProblem() != null);
        assertThat(host.lastProblem()).startsWith("audit: path: cannot write to " + home.resolve("blocker/audit.jsonl"));

        modify(Map.of("path", "logs/audit.jsonl"));
        probe.publish(TestMessages.text("t", "written"));
        module.deactivate();
        active = false;

        assertThat(lines(home.resolve("logs/audit.jsonl"))).singleElement().asString().contains("written");
        assertThat(module.stats().failed()).isEqualTo(1);
        assertThat(host.problems()).last().isNull();
    }

    @Test
    void theStatsCommand() throws Exception {
        activate(Map.of("queue.size", "100"));
        probe.publish(TestMessages.text("t", "x"));
        await("the line written", () -> module.stats().written() == 1);

        String stats = new AuditCommands(module).stats();

        assertThat(stats).contains("lines written    1", "lines dropped    0", "queued now       0 of 100",
                "current file     " + home.resolve("logs/audit.jsonl"));
    }
}
