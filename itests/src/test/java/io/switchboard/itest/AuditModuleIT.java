package io.switchboard.itest;

import static org.awaitility.Awaitility.await;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.CoreOptions.bundle;
import static org.ops4j.pax.exam.CoreOptions.mavenBundle;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

import io.switchboard.api.Message;
import io.switchboard.api.MessageModule;
import io.switchboard.api.ReasonCode;
import io.switchboard.api.Session;
import io.switchboard.api.Verdict;
import io.switchboard.api.admin.ModuleInfo;
import io.switchboard.api.broker.ClientSession;
import io.switchboard.api.broker.PublishResult;
import io.switchboard.itest.support.Inbox;
import io.switchboard.itest.support.Provisioning;
import io.switchboard.itest.support.SwitchboardTestSupport;
import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.CommandSession;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

/**
 * The audit module in a running framework: the configuration file shipped in {@code configadmin/}
 * (through FileInstall) activates it; every message and every refusal become JSON lines while the
 * messages flow as before (status lines are opt-in); removing the configuration flushes the file; topic
 * filters, status lines and {@code audit:stats} work; and under a flood of publishers far faster than the
 * writer the shipped configuration writes every message line (its publishers are held back instead).
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class AuditModuleIT extends SwitchboardTestSupport {

    private static final String PID = "io.switchboard.module.audit";

    @Override
    protected Option[] extraOptions() {
        return new Option[] {
            // the module writes its lines with Jackson's generator, which the distribution ships in bundle/
            mavenBundle("com.fasterxml.jackson.core", "jackson-core").versionAsInProject().startLevel(2),
            bundle(Provisioning.projectBundle("io.switchboard.module.audit").toURI().toString()).startLevel(3),
        };
    }

    @Test
    public void theShippedConfigurationWithMessageLinesAuditsMessagesAndRefusalsWithoutChangingThem() throws Exception {
        Path file = workDir().resolve("audit-shipped/audit.jsonl");
        Path shipped = Path.of(System.getProperty(Provisioning.BUNDLES_DIR_PROPERTY)).resolveSibling("configadmin")
                .resolve(PID + ".cfg").normalize();
        String cfg = Files.readString(shipped, StandardCharsets.ISO_8859_1);
        assertTrue("the shipped file sets the path: " + cfg, cfg.contains("\npath = logs/audit.jsonl\n"));
        assertTrue("the shipped file leaves payloads out: " + cfg, cfg.contains("\nmax.payload.bytes = 0\n"));
        assertTrue("the shipped file keeps every line: " + cfg, cfg.contains("\noverflow = wait\n"));
        assertTrue("the shipped file records decisions (message lines opt-in): " + cfg, cfg.contains("\nevents = decision\n"));
        Path installed = configDir().resolve(PID + ".cfg");
        Path staged = workDir().resolve(PID + ".cfg.tmp");
        // payloads on, to see that the line holds the message unchanged
        Files.writeString(staged, cfg.replace("\npath = logs/audit.jsonl\n",
                "\npath = " + file.toString().replace("\\", "\\\\") + "\n").replace("\nmax.payload.bytes = 0\n",
                "\nmax.payload.bytes = 65536\n").replace("\nevents = decision\n", "\nevents = message, decision\n"),
                StandardCharsets.ISO_8859_1);
        Files.move(staged, installed, StandardCopyOption.ATOMIC_MOVE);
        onCleanup(() -> Files.deleteIfExists(installed));

        ModuleInfo audit = awaitModule("active", "audit", m -> "ACTIVE".equals(m.state()));
        assertEquals("MONITOR", audit.type());
        assertEquals(2000, audit.ranking());
        Inbox inbox = subscriber("audit-sub", "audited/#");
        ClientSession publisher = publisher("audit-pub");
        registerModule("audit-test-consumer", 0, new MessageModule() {
            @Override
            public Verdict onMessage(Message message, Session sender) {
                return message.payloadText().contains("forbidden")
                        ? Verdict.consume(ReasonCode.NOT_AUTHORIZED, "forbidden word") : Verdict.pass();
            }
        }, Map.of());
        awaitMessageChain(List.of("audit", "audit-test-consumer"));

        PublishResult passed = publish(publisher, message("audited/room", "hello \"audit\"\n"));
        PublishResult consumed = publish(publisher, message("audited/room", "forbidden"));

        assertTrue(passed.routed());
        assertEquals("the message arrives unchanged", "hello \"audit\"\n", inbox.awaitTopic("audited/room").text());
        assertFalse(consumed.routed());
        String passedLine = awaitLine(file, "\"event\":\"message\",", "\"id\":" + passed.messageId() + ",");
        assertTrue(passedLine, passedLine.contains("\"payload\":\"hello \\\"audit\\\"\\n\""));
        assertTrue(passedLine, passedLine.contains("\"from\":\"audit-pub\""));
        awaitLine(file, "\"event\":\"message\",", "\"id\":" + consumed.messageId() + ",", "\"payload\":\"forbidden\"");
        // who refused it and why: a decision line (status lines are opt-in)
        awaitLine(file, "\"event\":\"decision\"", "\"subject\":\"message\"", "\"module\":\"audit-test-consumer\"",
                "\"decision\":\"refused\"", "\"reason\":\"forbidden word\"", "\"client\":\"audit-pub\"");
        assertTrue("no status lines unless asked for", lines(file).stream().noneMatch(l -> l.contains("\"event\":\"status\"")));
        ModuleInfo after = module("audit").orElseThrow();
        assertEquals("a monitor only passes: " + after.counters(), after.counters().calls(), after.counters().passes());

        // removing the configuration takes the module out and leaves every line in the file
        Files.delete(installed);
        awaitModuleGone("audit");
        PublishResult unaudited = publish(publisher, message("audited/room", "after"));
        inbox.awaitTopic("audited/room");
        assertTrue(lines(file).stream().noneMatch(l -> l.contains("\"id\":" + unaudited.messageId() + ",")));
        assertTrue(lines(file).stream().allMatch(l -> l.startsWith("{") && l.endsWith("}")));
    }

    @Test
    public void topicFiltersAndTheStatsCommand() throws Exception {
        Path file = workDir().resolve("audit-topics/audit.jsonl");
        configuration(PID, Map.of("path", file.toString(), "switchboard.module.topics", "kept/#",
                "max.payload.bytes", "0", "events", "message, status"));
        awaitModule("active with its topics", "audit", m -> "ACTIVE".equals(m.state()) && m.topics().equals(List.of("kept/#")));
        ClientSession publisher = publisher("audit-topics-pub");

        PublishResult kept = publish(publisher, "kept/1", "secret payload");
        PublishResult skipped = publish(publisher, "skipped/1", "not audited");

        String line = awaitLine(file, "\"event\":\"message\",", "\"id\":" + kept.messageId() + ",");
        assertFalse("no payload with max.payload.bytes=0: " + line, line.contains("secret"));
        assertTrue(line, line.contains("\"size\":14"));
        awaitLine(file, "\"event\":\"status\"", "\"id\":" + kept.messageId() + ",", "\"state\":\"SENT\"");
        assertTrue(lines(file).stream().noneMatch(l -> l.contains("\"id\":" + skipped.messageId() + ",")));

        String stats = await("audit:stats to count the lines").until(() -> gogo("audit:stats"),
                s -> s.contains("lines written") && !s.contains("lines written    0"));
        assertTrue(stats, stats.contains("current file     " + file));
        assertTrue(stats, stats.contains("lines dropped    0"));
    }

    /**
     * The issue's promise: with the shipped configuration and message lines on (and a queue of 16 lines, so that the in-process
     * publishers, which hand the broker all their messages at once, outrun the writer by far), every message
     * line is written, in each publisher's order, none dropped; the publishers were held back instead.
     */
    @Test
    public void underAFloodFasterThanTheWriterTheShippedConfigurationWritesEveryMessageLine() throws Exception {
        Path file = workDir().resolve("audit-flood/audit.jsonl");
        Path shipped = Path.of(System.getProperty(Provisioning.BUNDLES_DIR_PROPERTY)).resolveSibling("configadmin")
                .resolve(PID + ".cfg").normalize();
        String cfg = Files.readString(shipped, StandardCharsets.ISO_8859_1);
        assertTrue(cfg, cfg.contains("\nqueue.size = 10000\n"));
        Path installed = configDir().resolve(PID + ".cfg");
        Path staged = workDir().resolve(PID + ".cfg.tmp");
        Files.writeString(staged, cfg.replace("\npath = logs/audit.jsonl\n", "\npath = " + file.toString().replace("\\", "\\\\")
                + "\n").replace("\nqueue.size = 10000\n", "\nqueue.size = 16\n").replace("\nevents = decision\n",
                "\nevents = message, decision\n"), StandardCharsets.ISO_8859_1);
        Files.move(staged, installed, StandardCopyOption.ATOMIC_MOVE);
        onCleanup(() -> Files.deleteIfExists(installed));
        awaitModule("active", "audit", m -> "ACTIVE".equals(m.state()));
        awaitMessageChain(List.of("audit"));

        int publishers = 4;
        int perPublisher = 10_000;
        List<java.util.concurrent.CompletableFuture<PublishResult>> results = new java.util.ArrayList<>();
        for (int p = 0; p < publishers; p++) {
            ClientSession publisher = publisher("flood-" + p);
            for (int i = 0; i < perPublisher; i++) {
                results.add(publisher.publish(Message.builder("flood/" + p).qos(0).payload(Integer.toString(i)).build())
                        .toCompletableFuture());
            }
        }
        java.util.concurrent.CompletableFuture.allOf(results.toArray(new java.util.concurrent.CompletableFuture<?>[0]))
                .get(120, java.util.concurrent.TimeUnit.SECONDS);
        String stats = gogo("audit:stats");

        // removing the configuration writes what is queued and closes the file
        Files.delete(installed);
        awaitModuleGone("audit");

        List<String> all = new java.util.ArrayList<>();
        for (int i = 5; i >= 1; i--) {
            all.addAll(lines(file.resolveSibling(file.getFileName() + "." + i)));
        }
        all.addAll(lines(file));
        java.util.Map<String, Long> ids = results.stream().map(java.util.concurrent.CompletableFuture::join)
                .collect(Collectors.toMap(r -> "\"id\":" + r.messageId() + ",", r -> r.messageId()));
        long written = all.stream().filter(l -> l.contains("\"topic\":\"flood/")).filter(l -> {
            int from = l.indexOf("\"id\":");
            return ids.containsKey(l.substring(from, l.indexOf(',', from) + 1));
        }).count();
        assertEquals("every message line written (" + stats + ")", publishers * perPublisher, written);
        assertTrue(stats, stats.contains("lines dropped    0 "));
        assertFalse("the flood outran the writer and publishers waited: " + stats, stats.contains("waited for room  0 "));
    }

    /** Waits for a line of {@code file} containing every one of {@code parts}. */
    private String awaitLine(Path file, String... parts) {
        return await("a line of " + file + " with " + List.of(parts)).until(
                () -> lines(file).stream().filter(l -> List.of(parts).stream().allMatch(l::contains)).findFirst().orElse(null),
                Objects::nonNull);
    }

    private static List<String> lines(Path file) {
        try {
            return Files.exists(file) ? Files.readAllLines(file, StandardCharsets.UTF_8).stream().collect(Collectors.toList())
                    : List.of();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Runs a Gogo command in a fresh session; its result (or output) as text. */
    private String gogo(String command) {
        CommandProcessor processor = service(CommandProcessor.class, null);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream print = new PrintStream(out, true, StandardCharsets.UTF_8);
        try (CommandSession session = processor.createSession(new ByteArrayInputStream(new byte[0]), print, print)) {
            Object result = session.execute(command);
            return result != null ? String.valueOf(result) : out.toString(StandardCharsets.UTF_8);
        } catch (Exception e) {
            throw new AssertionError(command + " failed: " + e, e);
        }
    }
}
