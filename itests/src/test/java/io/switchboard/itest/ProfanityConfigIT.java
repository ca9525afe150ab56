package io.switchboard.itest;

import static org.awaitility.Awaitility.await;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;

import io.switchboard.api.Message;
import io.switchboard.api.MessageModule;
import io.switchboard.api.ReasonCode;
import io.switchboard.api.Session;
import io.switchboard.api.Verdict;
import io.switchboard.api.admin.ChainEvent;
import io.switchboard.api.admin.ModuleInfo;
import io.switchboard.api.broker.ClientSession;
import io.switchboard.api.broker.PublishResult;
import io.switchboard.itest.support.Inbox;
import io.switchboard.itest.support.SwitchboardTestSupport;
import org.junit.Before;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Constants;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.service.cm.Configuration;

/**
 * The profanity module is reconfigured live, without a restart: through Configuration Admin, and
 * through a {@code .cfg} file that FileInstall watches. A bad value ({@code mode=SHOUT}, a ranking of
 * {@code abc}) is logged naming the module, the attribute, the value and what is expected, and the module
 * keeps working on its last good configuration, in its place in the chain.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class ProfanityConfigIT extends SwitchboardTestSupport {

    private final AtomicInteger probes = new AtomicInteger();
    private Inbox inbox;
    private ClientSession publisher;

    @Before
    public void clients() {
        inbox = subscriber("cfg-sub", "cfg/#");
        publisher = publisher("cfg-pub");
    }

    @Test
    public void configurationAdminChangesApplyLiveAndABadValueKeepsTheLastGoodOne() throws Exception {
        Configuration configuration = factoryConfiguration(PROFANITY_PID, "live", Map.of(
                "words", "darn",
                "mode", "MASK",
                Constants.SERVICE_RANKING, 10));
        String live = awaitModuleOf(configuration.getPid());
        awaitPayload("darn masked", "darn it", "**** it");

        update(configuration, Map.of("words", "heck"));
        awaitPayload("the new word list: heck masked", "heck no", "**** no");
        assertEquals("darn is no longer listed", "darn it", roundTrip("darn it").payloadText());

        update(configuration, Map.of("mode", "CONSUME"));
        await("mode CONSUME: heck consumed").until(() -> roundTrip("heck no") == null);
        PublishResult consumed = publish(publisher, "cfg/consumed", "heck no");
        assertFalse("consumed", consumed.routed());
        assertEquals(ReasonCode.IMPLEMENTATION_SPECIFIC_ERROR, consumed.reasonCode());
        assertTrue("the reason names the module: " + consumed.reason(), consumed.reason().contains(live));
        assertEquals("clean text passes", "fine words", roundTrip("fine words").payloadText());

        int logged = logLines().size();
        update(configuration, Map.of("mode", "SHOUT"));
        String line = awaitLogLine("rejecting mode=SHOUT for instance 'live'", logged,
                l -> l.contains("live") && l.contains("mode") && l.contains("SHOUT"));
        assertTrue("logged as an error: " + line, line.contains("ERROR"));
        assertNull("the last good configuration (CONSUME heck) still consumes", roundTrip("heck no"));
        assertEquals("and still lets other words pass", "darn it", roundTrip("darn it").payloadText());
        assertEquals("still in the chain", "ACTIVE", module(live).orElseThrow().state());
        assertEquals("still ranked by the last good configuration", 10, module(live).orElseThrow().ranking());
        String shown = module(live).orElseThrow().reason();
        assertTrue("the shell shows the rejected attribute beside the module: " + shown,
                shown != null && shown.contains("mode") && shown.contains("SHOUT"));

        update(configuration, Map.of("mode", "MASK"));
        awaitPayload("a good configuration after the bad one applies", "heck no", "**** no");
        assertNull("a good configuration clears the problem", module(live).orElseThrow().reason());
    }

    @Test
    public void anInstanceThatFailedOnABadConfigurationJoinsTheChainOnceItIsFixed() throws Exception {
        Configuration configuration = factoryConfiguration(PROFANITY_PID, "fixme", Map.of("words", " ", "mode", "MASK"));
        ModuleInfo failed = await("the bad instance to be listed as FAILED").until(() -> modules().stream()
                .filter(m -> "FAILED".equals(m.state()) && m.name().endsWith(":fixme")).findFirst().orElse(null),
                Objects::nonNull);
        assertTrue("the reason names the attribute: " + failed.reason(), failed.reason().contains("words"));

        update(configuration, Map.of("words", "zonk"));

        awaitModuleOf(configuration.getPid());
        awaitPayload("the fixed instance masks", "zonk it", "**** it");
    }

    @Test
    public void aCfgFileWatchedByFileInstallConfiguresTheModuleLive() throws Exception {
        Path cfg = configDir().resolve(PROFANITY_PID + "-file.cfg");
        onCleanup(() -> {
            if (Files.deleteIfExists(cfg)) {
                await("FileInstall to delete the configuration of " + cfg.getFileName()).until(() -> pidOf(cfg) == null);
            }
        });
        write(cfg, "# written by ProfanityConfigIT\n"
                + "words = darn\n"
                + "mode = MASK\n"
                + "service.ranking = 5\n");
        String pid = await("FileInstall to create a configuration from " + cfg.getFileName()).until(() -> pidOf(cfg),
                Objects::nonNull);
        assertEquals("<factoryPid>-<name>.cfg becomes the factory configuration <factoryPid>~<name>",
                PROFANITY_PID + "~file", pid);
        String name = awaitModuleOf(pid);
        awaitPayload("darn masked by " + name, "darn it", "**** it");

        write(cfg, "# written by ProfanityConfigIT, changed\n"
                + "words = heck, frick\n"
                + "mode = MASK\n"
                + "service.ranking = 5\n");
        awaitPayload("the changed file's words masked", "heck no, frick", "**** no, *****");
        assertEquals("darn no longer listed", "darn it", roundTrip("darn it").payloadText());
        assertEquals("the same instance, changed live", name, awaitModuleOf(pid));

        Files.delete(cfg);
        await("the module of " + pid + " to unregister once its file is gone").until(() -> moduleServices(pid) == 0);
        awaitModuleGone(name);
        assertEquals("no instance, no masking", "heck no", roundTrip("heck no").payloadText());
    }

    @Test
    public void aCfgFileWithValuesThatAreNotIntegerOrBooleanKeepsTheLastGoodConfigurationAndTheChainOrder()
            throws Exception {
        Path cfg = configDir().resolve(PROFANITY_PID + "-typos.cfg");
        configAdmin(); // looked up before the clean-up below that needs it: clean-ups run last first
        onCleanup(() -> {
            if (Files.deleteIfExists(cfg)) {
                await("FileInstall to delete the configuration of " + cfg.getFileName()).until(() -> pidOf(cfg) == null);
            }
        });
        // ranked below the filter: a ranking that fell back to 0 would put the filter after it
        registerModule("typos-neighbour", 5, new MessageModule() {
            @Override
            public Verdict onMessage(Message message, Session sender) {
                return Verdict.pass();
            }
        }, Map.of());
        write(cfg, "# written by ProfanityConfigIT\n"
                + "words = darn\n"
                + "mode = MASK\n"
                + "service.ranking = 10\n");
        String pid = await("FileInstall to create a configuration from " + cfg.getFileName()).until(() -> pidOf(cfg),
                Objects::nonNull);
        String name = awaitModuleOf(pid);
        awaitPayload("darn masked by " + name, "darn it", "**** it");
        awaitMessageChain(List.of(name, "typos-neighbour"));

        int logged = logLines().size();
        write(cfg, "# written by ProfanityConfigIT, an integer that is not one\n"
                + "words = heck\n"
                + "mode = CONSUME\n"
                + "service.ranking = abc\n");
        String line = awaitLogLine("rejecting service.ranking=abc for " + name, logged,
                l -> l.contains(name + ": configuration rejected") && l.contains("service.ranking: 'abc' is not an integer"));
        assertTrue("logged as an error: " + line, line.contains("ERROR"));
        // DS publishes the rejected configuration after the module refused it: the broker keeps the last good ranking
        awaitLogLine("the broker keeping " + name + "'s last good ranking", logged,
                l -> l.contains(name) && l.contains("service.ranking: 'abc' is not an integer (keeping the last good ranking 10)"));
        assertKeepsTheLastGoodConfiguration(name);

        logged = logLines().size();
        write(cfg, "# written by ProfanityConfigIT, a boolean that is not one\n"
                + "words = heck\n"
                + "mode = CONSUME\n"
                + "whole.words = yes\n"
                + "service.ranking = 10\n");
        awaitLogLine("rejecting whole.words=yes for " + name, logged,
                l -> l.contains(name + ": configuration rejected") && l.contains("whole.words: 'yes' is not true or false"));
        assertKeepsTheLastGoodConfiguration(name);
    }

    /** The words, mode and ranking of the file's first version are in force. */
    private void assertKeepsTheLastGoodConfiguration(String name) {
        assertEquals("the last good configuration still masks darn", "**** it", roundTrip("darn it").payloadText());
        assertEquals("and lets heck pass", "heck no", roundTrip("heck no").payloadText());
        ModuleInfo module = module(name).orElseThrow();
        assertEquals("still in the chain", "ACTIVE", module.state());
        assertEquals("still ranked by the last good configuration", 10, module.ranking());
        assertEquals("the chain order is unchanged", List.of(name, "typos-neighbour"),
                chain(ChainEvent.MESSAGE, List.of(name, "typos-neighbour")));
    }

    /** The PID of the configuration FileInstall made from {@code cfg}, or {@code null}. */
    private String pidOf(Path cfg) {
        try {
            Configuration[] found = configAdmin().listConfigurations("(felix.fileinstall.filename=*/" + cfg.getFileName() + ")");
            return found == null || found.length == 0 ? null : found[0].getPid();
        } catch (IOException | InvalidSyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Publishes {@code payload} on a fresh topic and returns the delivered message, or {@code null}
     * when a module consumed it (the broker reports it not routed).
     */
    private Message roundTrip(String payload) {
        String topic = "cfg/probe/" + probes.incrementAndGet();
        PublishResult result = publish(publisher, topic, payload);
        return result.routed() ? inbox.awaitTopic(topic).message() : null;
    }

    /** Publishes {@code payload} until it arrives as {@code expected} (configuration changes apply asynchronously). */
    private void awaitPayload(String what, String payload, String expected) {
        await(what + " ('" + payload + "' arriving as '" + expected + "')").until(() -> roundTrip(payload),
                m -> expected.equals(m.payloadText()));
    }

    /**
     * Writes a .cfg file as FileInstall should see it: whole (moved into place) and with a newer
     * modification time than the previous version (FileInstall compares time and length).
     */
    private void write(Path cfg, String content) throws IOException {
        Path temp = workDir().resolve(cfg.getFileName() + ".tmp");
        Files.write(temp, content.getBytes(StandardCharsets.ISO_8859_1));
        if (Files.exists(cfg)) {
            FileTime previous = Files.getLastModifiedTime(cfg);
            Files.setLastModifiedTime(temp, FileTime.fromMillis(previous.toMillis() + 2000));
        }
        Files.move(temp, cfg, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
