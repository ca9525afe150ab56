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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.event.Level;

import io.switchboard.api.Message;
import io.switchboard.api.MessageStatus;
import io.switchboard.api.Verdict;
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
        module.modified(null, new HashMap<>(c), Configs.of(AuditConfig.class, c));
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

    /** The broker calls the module only for the kinds of lines it writes: no status events without status lines. */
    @Test
    void publishesTheEventsItWritesAsTheModuleProperty() {
        java.util.concurrent.atomic.AtomicReference<java.util.Dictionary<?, ?>> published = new java.util.concurrent.atomic.AtomicReference<>();
        org.osgi.service.component.ComponentContext felix = (org.osgi.service.component.ComponentContext) java.lang.reflect.Proxy.newProxyInstance(
                getClass().getClassLoader(), new Class<?>[] {org.apache.felix.scr.component.ExtComponentContext.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("setServiceProperties")) {
                        published.set((java.util.Dictionary<?, ?>) args[0]);
                    }
                    return null;
                });
        Map<String, Object> configuration = new HashMap<>(Map.of("events", "message, decision", "service.ranking", 100));
        AuditSettings settings = AuditSettings.compile(configuration, Configs.of(AuditConfig.class, configuration), home);

        AuditModule.publishEvents(felix, configuration, settings);

        assertThat((String[]) published.get().get(io.switchboard.api.ModuleProperties.EVENTS))
                .containsExactlyInAnyOrder("MESSAGE", "DECISION");
        assertThat(published.get().get("service.ranking")).isEqualTo(100);
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
    void aBurstAtAModerateRateIsWrittenInAFewWritesNotOneAWrite() throws Exception {
        activate(Map.of());
        for (int i = 0; i < 1000; i++) {
            probe.publish(TestMessages.text("alice", "t", "m" + i)).assertPassed();
        }
        await("the lines written", () -> module.stats().written() == 1000);

        // the writer lingers 20 ms for a batch to gather once a line arrived (the queue of 10,000 is far from an
        // eighth full): a write per line would take 1000 writes; fewer than 500 needs the burst to last 10 s
        assertThat(module.stats().writes()).isLessThan(500);
    }

    @Test
    void linesReachTheFileWithoutAnyFurtherLine() throws Exception {
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
    void byDefaultMessagesAndDecisionsAreWrittenAndStatusesAreOptIn() throws Exception {
        activateExactly(Map.of());
        Message hello = TestMessages.text("alice", "chat/room", "hello");

        probe.message(hello).from(alice).assertPassed();
        probe.status(FakeStatus.builder(MessageStatus.State.DELIVERED).message(hello).recipient("bob").build());
        module.onDecision(new TestDecision(io.switchboard.api.Decision.Subject.LOGIN, "auth", true, "password checked",
                "c1", "alice", null, 1_000L));
        module.deactivate();
        active = false;

        List<String> lines = lines(home.resolve("logs/audit.jsonl"));
        assertThat(lines).hasSize(2);
        assertThat(JsonLine.object(lines.get(0))).containsEntry("event", "message");
        assertThat(JsonLine.object(lines.get(1))).containsEntry("event", "decision").containsEntry("decision", "allowed");
        assertThat(new AuditCommands(module).stats()).contains("events           [message, decision]",
                "overflow         wait (lossless");
    }

    @Test
    void aFullQueueHoldsBackOnlyThePublisherWhoseLineWaitsAndLosesNothing() throws Exception {
        module.host = host;
        Map<String, String> config = Map.of("queue.size", "2", "max.payload.bytes", "100");
        module.start(config, Configs.of(AuditConfig.class, config), home, false);
        active = true;

        List<io.switchboard.testkit.VerdictResult> results = new java.util.ArrayList<>();
        for (int i = 0; i < 5; i++) {
            results.add(probe.publish(TestMessages.text("alice", "t", "m" + i)));
        }
        results.get(0).assertPassed();
        results.get(1).assertPassed();
        for (int i = 2; i < 5; i++) {
            assertThat(results.get(i).isPending()).as("message %d waits for room for its line", i).isTrue();
        }
        assertThat(module.stats().queue().waiting()).isEqualTo(3);
        assertThat(module.stats().dropped()).isZero();

        module.startWriter();
        for (int i = 2; i < 5; i++) {
            results.get(i).assertPassed(); // once its line is queued
        }
        module.deactivate();
        active = false;

        List<String> lines = lines(home.resolve("logs/audit.jsonl"));
        assertThat(lines).extracting(l -> JsonLine.object(l).get("payload")).containsExactly("m0", "m1", "m2", "m3", "m4");
        assertThat(module.stats().queue().waited()).isEqualTo(3);
        assertThat(module.stats().dropped()).isZero();
        assertThat(host.logs(Level.WARN)).noneSatisfy(line -> assertThat(line).contains("dropped"));
    }

    @Test
    void statusAndDecisionLinesNeverWaitTheyHaveAnAllowanceAndHoldBackTheNextMessage() throws Exception {
        module.host = host;
        Map<String, String> config = Map.of("queue.size", "2", "events", "message,status,decision", "max.payload.bytes", "100");
        module.start(config, Configs.of(AuditConfig.class, config), home, false);
        active = true;
        Message m = TestMessages.text("alice", "t", "m");

        probe.publish(m).assertPassed();
        probe.publish(m).assertPassed();
        for (int i = 0; i < 3; i++) { // the queue is full: two fit in the allowance, the third is dropped
            probe.status(FakeStatus.builder(MessageStatus.State.SENT).message(m).build());
        }
        io.switchboard.testkit.VerdictResult held = probe.publish(m);

        assertThat(held.isPending()).as("the next message waits").isTrue();
        assertThat(module.stats().queue().droppedObservations()).isEqualTo(1);
        module.startWriter();
        held.assertPassed();
        module.deactivate();
        active = false;

        assertThat(lines(home.resolve("logs/audit.jsonl"))).hasSize(5);
        assertThat(host.logs(Level.WARN)).anySatisfy(line -> assertThat(line).contains("dropped 1 lines",
                "1 status or decision lines beyond the queue's allowance", "THE AUDIT LOG IS INCOMPLETE"));
        assertThat(new AuditCommands(module).stats()).contains("lines dropped    1   ** THE AUDIT LOG IS INCOMPLETE **");
    }

    /**
     * The promise of the shipped configuration: under a flood far faster than the writer (four publishers, each
     * publishing its next message as soon as the previous one is decided, as the broker keeps a publisher's
     * order; a queue of 64 lines), every message line is written, each publisher's in order, and none dropped.
     */
    @Test
    void aFloodFarFasterThanTheWriterLosesNoMessageLine() throws Exception {
        Map<String, String> config = Map.of("queue.size", "64"); // otherwise the shipped defaults
        activateExactly(config);
        int publishers = 4;
        int perPublisher = 25_000;
        ExecutorService threads = Executors.newFixedThreadPool(publishers);
        try {
            List<Future<Long>> waits = new java.util.ArrayList<>();
            for (int p = 0; p < publishers; p++) {
                FakeSession session = FakeSession.of("pub" + p);
                waits.add(threads.submit(() -> {
                    long waited = 0;
                    for (int i = 0; i < perPublisher; i++) {
                        Message message = Message.builder("flood/" + session.user()).id(i).from(session.user())
                                .payload("x").build();
                        Verdict verdict = module.onMessage(message, session);
                        if (verdict.kind() == Verdict.Kind.LATER) {
                            waited++;
                            assertThat(verdict.stage().toCompletableFuture().get(10, java.util.concurrent.TimeUnit.SECONDS)
                                    .kind()).isEqualTo(Verdict.Kind.PASS);
                        }
                    }
                    return waited;
                }));
            }
            long waited = 0;
            for (Future<Long> w : waits) {
                waited += w.get();
            }
            assertThat(waited).as("the flood outran the writer: publishers were held back").isPositive();
        } finally {
            threads.shutdownNow();
        }
        module.deactivate();
        active = false;

        // oldest first: the rotated files (10 MiB each by default), then the current one
        List<String> lines = new java.util.ArrayList<>();
        for (int i = 5; i >= 1; i--) {
            lines.addAll(lines(home.resolve("logs/audit.jsonl." + i)));
        }
        lines.addAll(lines(home.resolve("logs/audit.jsonl")));
        assertThat(module.stats().rotations()).isLessThan(5); // nothing rotated away
        assertThat(lines).hasSize(publishers * perPublisher);
        Map<String, Long> next = new HashMap<>();
        for (String line : lines) {
            Map<String, Object> json = JsonLine.object(line);
            String from = (String) json.get("from");
            long expected = next.getOrDefault(from, 0L);
            assertThat(json.get("id")).as("%s's lines in order", from).isEqualTo(expected);
            next.put(from, expected + 1);
        }
        assertThat(module.stats().dropped()).isZero();
        assertThat(module.stats().written()).isEqualTo(publishers * perPublisher);
    }

    @Test
    void deactivationWritesTheWaitingLinesAndLetsTheirPublishersGo() throws Exception {
        module.host = host;
        module.start(Map.of("queue.size", "1"), Configs.of(AuditConfig.class, Map.of("queue.size", "1")), home, false);
        active = true;
        probe.publish(TestMessages.text("t", "a")).assertPassed();
        CompletableFuture<Verdict> waiting = probe.publish(TestMessages.text("t", "b")).decision().stage()
                .toCompletableFuture();

        module.startWriter();
        module.deactivate();
        active = false;

        assertThat(waiting).isCompletedWithValue(Verdict.pass());
        assertThat(lines(home.resolve("logs/audit.jsonl"))).hasSize(2);
        probe.publish(TestMessages.text("t", "after")).assertPassed(); // a call racing deactivation: passes, counted
        assertThat(module.stats().queue().droppedClosed()).isEqualTo(1);
    }

    @Test
    void badEventsOrOverflowAreRefusedNamingTheAttribute() {
        module.host = host;

        assertThatIllegalArgumentException()
                .isThrownBy(() -> start(Map.of("events", "message, statuses")))
                .withMessage("audit: invalid configuration: events: 'statuses' is not one of message, decision, status");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> start(Map.of("events", "")))
                .withMessageStartingWith("audit: invalid configuration: events: is required: one or more of message, "
                        + "decision, status");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> start(Map.of("overflow", "block")))
                .withMessage("audit: invalid configuration: overflow: 'block' is not wait or drop");
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
