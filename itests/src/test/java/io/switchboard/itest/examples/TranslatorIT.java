package io.switchboard.itest.examples;

import static org.awaitility.Awaitility.await;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import io.switchboard.api.Message;
import io.switchboard.api.ReasonCode;
import io.switchboard.api.admin.ModuleInfo;
import io.switchboard.api.broker.ClientSession;
import io.switchboard.api.broker.PublishResult;
import io.switchboard.itest.support.Inbox;
import io.switchboard.itest.support.SwitchboardTestSupport;
import org.apache.felix.service.command.CommandProcessor;
import org.junit.Before;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.service.cm.Configuration;

/**
 * The translator in a running framework, against a local service playing LibreTranslate: messages on a
 * rule's topic arrive translated (the original in a user property), the rest untouched; a live change to
 * {@code on.error = CONSUME} makes a failing service consume messages with 0x80; a bad change keeps the
 * last good configuration and shows in the module list; {@code translator:translate} works; the shipped
 * {@code .cfg.example} does not activate the module.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class TranslatorIT extends SwitchboardTestSupport {

    private static final String PID = "io.switchboard.module.translator";

    private ExampleModules.Service service;

    @Override
    protected Option[] extraOptions() {
        return new Option[] {ExampleModules.jackson(), ExampleModules.moduleBundle("io.switchboard.module.translator")};
    }

    @Before
    public void startService() throws Exception {
        service = new ExampleModules.Service();
        onCleanup(service::close);
    }

    @Test
    public void translatesOnRuleTopicsAndAppliesLiveChanges() throws Exception {
        service.answer(200, "application/json", "{\"translatedText\": \"Good morning\"}");
        Configuration configuration = configuration(PID, Map.of("url", service.url(), "rules", "tr/fr/#:fr>en",
                "timeout", "2000"));
        awaitModule("active", "translator", m -> "ACTIVE".equals(m.state()));
        Inbox inbox = subscriber("tr-sub", "tr/#");
        ClientSession publisher = publisher("tr-pub");

        assertTrue(publish(publisher, "tr/fr/lobby", "Bonjour").routed());
        Message translated = inbox.awaitTopic("tr/fr/lobby").message();
        assertEquals("Good morning", translated.payloadText());
        assertEquals("Bonjour", translated.userProperty("translated-from"));
        assertEquals("en", translated.userProperty("translated-target"));
        assertTrue("the service got the text: " + service.bodies, service.bodies.get(0).contains("\"q\":\"Bonjour\""));
        assertTrue(publish(publisher, "tr/de/lobby", "Guten Morgen").routed());
        assertEquals("not a rule topic: untouched", "Guten Morgen", inbox.awaitTopic("tr/de/lobby").text());
        ModuleInfo info = awaitModule("to publish its rules' filters as its topics", "translator",
                m -> java.util.List.of("tr/fr/#").equals(m.topics()));
        assertEquals("budget = timeout + 1 s", 3000, info.timeoutMillis());

        service.answer(500, "application/json", "{\"error\": \"model not loaded\"}");
        update(configuration, Map.of("on.error", "CONSUME"));
        await("the module to fail closed")
                .until(() -> "FAIL_CLOSED".equals(module("translator").orElseThrow().failurePolicy()));
        PublishResult consumed = publish(publisher, "tr/fr/lobby", "Au revoir");
        assertFalse("consumed: " + consumed, consumed.routed());
        assertEquals(ReasonCode.UNSPECIFIED_ERROR, consumed.reasonCode());

        update(configuration, Map.of("on.error", "DROP"));
        String shown = await("the rejected change beside the module").until(() -> module("translator").orElseThrow().reason(),
                r -> r.contains("on.error"));
        assertTrue(shown, shown.contains("DROP"));
        assertEquals("the last good policy stays", "FAIL_CLOSED", module("translator").orElseThrow().failurePolicy());

        service.answer(200, "application/json", "{\"translatedText\": \"Hello\"}");
        CommandProcessor gogo = service(CommandProcessor.class, null);
        assertEquals("Hello", ExampleModules.gogo(gogo, "translator:translate Salut fr en").trim());
    }

    @Test
    public void theShippedExampleDoesNotActivateTheModule() throws Exception {
        Path example = ExampleModules.shipped(PID + ".cfg.example");
        assertTrue("shipped: " + example, Files.isRegularFile(example));
        Path installed = ExampleModules.install(example, configDir(), workDir());
        onCleanup(() -> Files.deleteIfExists(installed));
        ExampleModules.awaitFileInstallScan(this::configAdmin, configDir(), workDir());

        assertNull("no configuration from " + installed.getFileName(), configAdmin().listConfigurations("(service.pid=" + PID + ")"));
        awaitModule("waiting for a configuration", PID, m -> "UNSATISFIED".equals(m.state()));
    }
}
