package io.switchboard.itest.examples;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import io.switchboard.api.Message;
import io.switchboard.api.Subscription;
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

/**
 * The chatbot in a running framework, against a local service playing an OpenAI-compatible API: a
 * question to the bot's topic is consumed and answered on the asker's reply topic (or its response
 * topic) with refId and correlation data; a streamed answer arrives whole; a failing service gets the
 * error answer; {@code chatbot:ask} works; the shipped {@code .cfg.example} does not create a bot.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class ChatbotIT extends SwitchboardTestSupport {

    private static final String PID = "io.switchboard.module.chatbot";

    private ExampleModules.Service service;

    @Override
    protected Option[] extraOptions() {
        return new Option[] {ExampleModules.jackson(), ExampleModules.moduleBundle("io.switchboard.module.chatbot")};
    }

    @Before
    public void startService() throws Exception {
        service = new ExampleModules.Service();
        onCleanup(service::close);
    }

    private static String completion(String content) {
        return "{\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"" + content + "\"}}]}";
    }

    /** Logs {@code user} in, subscribed to {@code filter}. */
    private ClientSession user(String user, Inbox inbox, String filter) {
        ClientSession session = login(user, inbox);
        assertTrue(get(session.subscribe(Subscription.of(filter, 1)), "subscribe " + user).isAccepted());
        return session;
    }

    @Test
    public void answersTheAskerAndSaysSoWhenItCannot() throws Exception {
        service.answer(200, "application/json", completion("MQTT is a publish/subscribe protocol."));
        String bot = awaitModuleOf(factoryConfiguration(PID, "helpdesk", Map.of("url", service.url(), "model", "tiny-1",
                "timeout", "2000", "error.answer", "Not now.")).getPid());
        assertEquals("chatbot:helpdesk", bot);
        // the module publishes its topic filter right after activation: wait for the chain to see it
        awaitModule("limited to its topic", bot, m -> List.of("bot/helpdesk").equals(m.topics()));
        Inbox aliceInbox = new Inbox("alice");
        ClientSession alice = user("alice", aliceInbox, "bot/reply/alice");
        Inbox eavesdropper = subscriber("cb-all", "bot/helpdesk");

        PublishResult asked = publish(alice, Message.builder("bot/helpdesk").qos(1).payload("What is MQTT?")
                .correlationData(new byte[] {4, 2}).build());
        assertFalse("the question is consumed", asked.routed());
        Message answer = aliceInbox.awaitTopic("bot/reply/alice").message();
        assertEquals("MQTT is a publish/subscribe protocol.", answer.payloadText());
        assertEquals("helpdesk", answer.from());
        assertEquals(asked.messageId(), answer.refId());
        assertArrayEquals(new byte[] {4, 2}, answer.correlationData());
        assertTrue("the service got the question: " + service.bodies, service.bodies.get(0).contains("What is MQTT?"));

        Inbox responses = subscriber("cb-responses", "inbox/#");
        publish(alice, Message.builder("bot/helpdesk").qos(1).payload("once more").responseTopic("inbox/alice/8").build());
        assertEquals("on the response topic", "MQTT is a publish/subscribe protocol.",
                responses.awaitTopic("inbox/alice/8").text());

        service.answer(503, "application/json", "{\"error\": {\"message\": \"overloaded\"}}");
        publish(alice, "bot/helpdesk", "and now?");
        Message error = aliceInbox.await("the error answer", m -> "Not now.".equals(m.payloadText())).message();
        assertEquals("http 503", error.userProperty("chatbot-error"));
        assertEquals("nobody but the bot saw the questions", 0, eavesdropper.size());

        service.answer(200, "application/json", completion("Dry run."));
        CommandProcessor gogo = service(CommandProcessor.class, null);
        assertEquals("Dry run.", ExampleModules.gogo(gogo, "chatbot:ask -b helpdesk are you there").trim());
    }

    @Test
    public void aStreamedAnswerArrivesWhole() throws Exception {
        service.handle(exchange -> {
            exchange.getResponseHeaders().set("Content-Type", "text/event-stream");
            exchange.sendResponseHeaders(200, 0);
            try (OutputStream out = exchange.getResponseBody()) {
                for (String piece : List.of("Hel", "lo ", "wörld")) {
                    out.write(("data: {\"choices\":[{\"delta\":{\"content\":\"" + piece + "\"}}]}\n\n")
                            .getBytes(StandardCharsets.UTF_8));
                    out.flush();
                }
                out.write("data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8));
            }
        });
        awaitModuleOf(factoryConfiguration(PID, "streamer", Map.of("url", service.url(), "model", "tiny-1",
                "stream", "true", "bot.name", "ada", "reply.topic", "answers/{bot}/{user}")).getPid());
        Inbox bobInbox = new Inbox("bob");
        ClientSession bob = user("bob", bobInbox, "answers/ada/bob");

        publish(bob, "bot/ada", "greet me");

        Message answer = bobInbox.awaitTopic("answers/ada/bob").message();
        assertEquals("Hello wörld", answer.payloadText());
        assertEquals("ada", answer.from());
        assertNull(answer.userProperty("chatbot-error"));
    }

    @Test
    public void theShippedExampleCreatesNoBot() throws Exception {
        Path example = ExampleModules.shipped(PID + "-example.cfg.example");
        assertTrue("shipped: " + example, Files.isRegularFile(example));
        Path installed = ExampleModules.install(example, configDir(), workDir());
        onCleanup(() -> Files.deleteIfExists(installed));
        ExampleModules.awaitFileInstallScan(this::configAdmin, configDir(), workDir());

        assertNull("no configuration from " + installed.getFileName(),
                configAdmin().listConfigurations("(service.factoryPid=" + PID + ")"));
        assertEquals(0, moduleServices(PID + "~example"));
    }
}
