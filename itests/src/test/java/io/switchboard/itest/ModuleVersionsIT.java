package io.switchboard.itest;

import static org.awaitility.Awaitility.await;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import io.switchboard.api.Message;
import io.switchboard.api.admin.ChainEvent;
import io.switchboard.api.admin.ModuleInfo;
import io.switchboard.itest.support.FixtureBundle;
import io.switchboard.itest.support.Inbox;
import io.switchboard.itest.support.SwitchboardTestSupport;
import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.CommandSession;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;

/**
 * Two versions of one module bundle installed side by side (a newer versioned jar copied next to the
 * old one): only the higher version filters messages, the other is listed SUPERSEDED by it, and the
 * commands that take a module name refuse the name they share until a version is given.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class ModuleVersionsIT extends SwitchboardTestSupport {

    private static final String TAGGER = "io.switchboard.itest.fixture.tagger";

    @Override
    protected Option[] extraOptions() throws Exception {
        return new Option[] {
            fixture("tagger-101", FixtureBundle.of(TAGGER).version("1.0.1").header("Fixture-Tag", "v101")),
            fixture("tagger-102", FixtureBundle.of(TAGGER).version("1.0.2").header("Fixture-Tag", "v102")),
        };
    }

    @Test
    public void onlyTheHigherVersionRunsAndTheSharedNameIsRefusedAsAmbiguous() throws Exception {
        Bundle older = installFixture("tagger-101");
        older.start();
        awaitModule("active", "tagger", m -> "ACTIVE".equals(m.state()));
        Bundle newer = installFixture("tagger-102");
        newer.start();
        ModuleInfo superseded = awaitModule("superseded", "tagger", m -> "SUPERSEDED".equals(m.state()));
        assertEquals("1.0.1", superseded.version());
        assertTrue("reason names the superseding version: " + superseded.reason(),
                superseded.reason().contains("superseded by version 1.0.2"));
        assertEquals("the message chain's taggers", List.of("1.0.2"), admin().chain(ChainEvent.MESSAGE).stream()
                .filter(m -> m.name().equals("tagger")).map(ModuleInfo::version).toList());

        Inbox inbox = subscriber("versions-sub", "versions/#");
        publish(publisher("versions-pub"), "versions/a", "hello");
        Message received = inbox.awaitTopic("versions/a").message();
        assertEquals("tags of the one version in the chain", List.of("v102"), userProperties(received, "tag"));

        String modules = gogo("sb:modules");
        assertTrue("sb:modules shows the older one SUPERSEDED:\n" + modules,
                modules.contains("SUPERSEDED") && modules.contains("superseded by version 1.0.2"));
        String refusal = gogoFailure("sb:config tagger");
        assertTrue("sb:config names the candidates: " + refusal,
                refusal.contains("'tagger' names 2 modules") && refusal.contains("tagger@1.0.1")
                        && refusal.contains("tagger@1.0.2"));
        assertTrue("sb:disable refuses it too", gogoFailure("sb:disable tagger").contains("'tagger' names 2 modules"));
        assertTrue("sb:config with a version", gogo("sb:config tagger@1.0.1").contains(TAGGER + " [" + older.getBundleId() + "]"));

        newer.uninstall(); // the newer jar deleted: the older takes over
        refresh(null);
        await("the older tagger to rejoin the chain").until(() -> module("tagger").orElse(null),
                m -> "ACTIVE".equals(m.state()) && m.version().equals("1.0.1"));
    }

    /** Runs a Gogo command in a fresh session; its result (or output) as text. */
    private String gogo(String command) {
        try (CommandSession session = session()) {
            Object result = session.execute(command);
            return String.valueOf(result);
        } catch (Exception e) {
            throw new AssertionError(command + " failed: " + e, e);
        }
    }

    /** The message of the exception a Gogo command must fail with. */
    private String gogoFailure(String command) {
        try (CommandSession session = session()) {
            Object result = session.execute(command);
            fail(command + " should have failed, returned: " + result);
            return null;
        } catch (Exception e) {
            return String.valueOf(e.getMessage());
        }
    }

    private CommandSession session() {
        CommandProcessor processor = service(CommandProcessor.class, null);
        PrintStream print = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        return processor.createSession(new ByteArrayInputStream(new byte[0]), print, print);
    }
}
