package io.switchboard.module.chatbot.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.TextNode;
import org.apache.felix.scr.component.ExtComponentContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.event.Level;

import io.switchboard.api.HttpRequest;
import io.switchboard.api.Message;
import io.switchboard.api.admin.ChainEvent;
import io.switchboard.testkit.FakeHost;
import io.switchboard.testkit.FakeSession;
import io.switchboard.testkit.HttpExchange;
import io.switchboard.testkit.HttpScript;
import io.switchboard.testkit.ModuleInstance;
import io.switchboard.testkit.SentMessage;
import io.switchboard.testkit.TestMessages;

/** A bot on the test kit's scripted HTTP: what it asks, what it answers, and what it answers when things fail. */
class ChatbotModuleTest {

    private static final String URL = "http://llm.test:8080";
    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<String, Object> CONFIG = Map.of(
            "url", URL,
            "model", "tiny-1",
            ".api.key", "sk-test",
            "system.prompt", "Be brief.",
            "timeout", "2000");

    private ModuleInstance<ChatbotModule, ChatbotConfig> bot;

    @AfterEach
    void close() {
        if (bot != null) {
            bot.host().close();
        }
    }

    /**
     * The bot configured by {@code io.switchboard.module.chatbot~<configName>} on {@code host}, not yet
     * activated; its component context records the service properties it publishes (Felix SCR's).
     */
    static ModuleInstance<ChatbotModule, ChatbotConfig> newBot(String configName, FakeHost host) {
        ChatbotModule module = new ChatbotModule();
        module.host = host;
        return ModuleInstance.builder(module, ChatbotConfig.class).pid(ChatbotModule.PID).factoryConfiguration(configName)
                .host(host).componentProperty("switchboard.module.type", "ROUTER")
                .onActivate((m, call) -> m.activate(call.componentContext(ExtComponentContext.class), call.properties(), call.config()))
                .onModified((m, call) -> m.modified(call.componentContext(ExtComponentContext.class), call.properties(), call.config()))
                .build();
    }

    private static ModuleInstance<ChatbotModule, ChatbotConfig> activated(String configName, Map<String, ?> configuration) {
        return newBot(configName, new FakeHost("io.switchboard.module.chatbot")).activate(configuration);
    }

    private static Map<String, Object> config(Object... changes) {
        Map<String, Object> config = new HashMap<>(CONFIG);
        for (int i = 0; i < changes.length; i += 2) {
            config.put((String) changes[i], changes[i + 1]);
        }
        return config;
    }

    private static String completion(String content) {
        return "{\"id\":\"c1\",\"object\":\"chat.completion\",\"choices\":[{\"index\":0,\"message\":"
                + "{\"role\":\"assistant\",\"content\":" + TextNode.valueOf(content) + "},\"finish_reason\":\"stop\"}]}";
    }

    private static String sse(String... pieces) {
        StringBuilder out = new StringBuilder();
        for (String piece : pieces) {
            out.append("data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":").append(TextNode.valueOf(piece))
                    .append("}}]}\n\n");
        }
        return out.append("data: [DONE]\n\n").toString();
    }

    /** A completion nested {@code depth} deep: arrays beside the answer, inside the document's object. */
    private static String nestedCompletion(int depth, String content) {
        int arrays = depth - 1;
        return "{\"padding\":" + "[".repeat(arrays) + "]".repeat(arrays) + "," + completion(content).substring(1);
    }

    private Message ask(String from, String text) {
        Message question = TestMessages.text(from, "bot/helpdesk", text);
        bot.probe().message(question).from(FakeSession.of(from)).assertConsumed();
        return question;
    }

    private SentMessage awaitAnswer() {
        return bot.host().awaitSent(1, WAIT).get(0);
    }

    private JsonNode requestBody(int index) throws IOException {
        return JSON.readTree(bot.host().requests().get(index).body());
    }

    // ---- answering ----

    @Test
    void consumesTheQuestionAndAnswersTheAskerOnItsReplyTopic() {
        bot = activated("helpdesk", CONFIG);
        bot.host().onAnyHttp(HttpScript.status(200).header("Content-Type", "application/json")
                .body(completion("\n\nMQTT is a publish/subscribe protocol. ")));
        Message question = TestMessages.builder("bot/helpdesk").from("alice").qos(1).payload("What is MQTT?")
                .correlationData(new byte[] {1, 2, 3}).build();

        bot.probe().message(question).from(FakeSession.of("alice")).assertConsumed();
        SentMessage answer = awaitAnswer();

        assertThat(answer.topic()).isEqualTo("bot/reply/alice");
        assertThat(answer.text()).isEqualTo("MQTT is a publish/subscribe protocol.");
        assertThat(answer.from()).isEqualTo("helpdesk");
        assertThat(answer.message().refId()).isEqualTo(question.id());
        assertThat(answer.message().correlationData()).containsExactly(1, 2, 3);
        assertThat(answer.message().qos()).isEqualTo(1);
        assertThat(answer.message().userProperty(ChatbotModule.ERROR_PROPERTY)).isNull();
        assertThat(bot.module().answeredCount()).isEqualTo(1);
    }

    @Test
    void answersOnTheQuestionsResponseTopicWhenItHasOne() {
        bot = activated("helpdesk", CONFIG);
        bot.host().onAnyHttp(HttpScript.ok(completion("42")));

        bot.probe().message(TestMessages.builder("bot/helpdesk").from("alice").payload("6*7?")
                .responseTopic("inbox/alice/req-9").build()).from(FakeSession.of("alice")).assertConsumed();

        assertThat(awaitAnswer().topic()).isEqualTo("inbox/alice/req-9");
    }

    @Test
    void asksTheChatCompletionsApi() throws IOException {
        bot = activated("helpdesk", config("max.tokens", "64"));
        bot.host().onAnyHttp(HttpScript.ok(completion("Hi")));

        ask("alice", "Hello \"bot\"");
        awaitAnswer();

        HttpRequest request = bot.host().requests().get(0);
        assertThat(request.method()).isEqualTo("POST");
        assertThat(request.uri()).hasToString(URL + "/v1/chat/completions");
        assertThat(request.contentType()).isEqualTo("application/json");
        assertThat(request.headers()).anySatisfy(h -> assertThat(h).containsExactly("Authorization", "Bearer sk-test"));
        assertThat(request.totalTimeout()).isEqualTo(Duration.ofMillis(2000));
        assertThat(request.streaming()).isFalse();
        assertThat(requestBody(0)).isEqualTo(JSON.valueToTree(Map.of(
                "model", "tiny-1",
                "messages", List.of(Map.of("role", "system", "content", "Be brief."),
                        Map.of("role", "user", "content", "Hello \"bot\"")),
                "stream", false,
                "max_tokens", 64)));
    }

    @Test
    void keepsABoundedConversationPerUser() throws IOException {
        bot = activated("helpdesk", config("context.turns", "2", "system.prompt", ""));
        bot.host().onAnyHttp(HttpScript.ok(completion("ok")));

        for (int i = 1; i <= 3; i++) {
            ask("alice", "q" + i);
            bot.host().awaitSent(i, WAIT);
        }
        ask("bob", "hello");
        bot.host().awaitSent(4, WAIT);

        assertThat(requestBody(2).path("messages")).isEqualTo(JSON.valueToTree(List.of(
                Map.of("role", "user", "content", "q1"), Map.of("role", "assistant", "content", "ok"),
                Map.of("role", "user", "content", "q2"), Map.of("role", "assistant", "content", "ok"),
                Map.of("role", "user", "content", "q3"))));
        assertThat(requestBody(3).path("messages")).as("bob's conversation is his own")
                .isEqualTo(JSON.valueToTree(List.of(Map.of("role", "user", "content", "hello"))));
        assertThat(bot.module().conversations().history("alice")).extracting(Conversations.Turn::question)
                .containsExactly("q2", "q3");
    }

    @Test
    void ignoresWhatIsNotAQuestionForIt() {
        bot = activated("helpdesk", CONFIG);

        bot.probe().publish(TestMessages.text("alice", "bot/other", "hi")).assertPassed();
        bot.probe().publish(TestMessages.text("alice", "bot/helpdesk", "   ")).assertConsumed();
        bot.probe().publish(TestMessages.binary("alice", "bot/helpdesk", new byte[] {(byte) 0xC3, 0x28})).assertConsumed();

        assertThat(bot.host().requests()).isEmpty();
        assertThat(bot.host().sent()).isEmpty();
    }

    @Test
    void handlesOnlyMessages() {
        bot = activated("helpdesk", CONFIG);

        assertThat(bot.probe().handledEvents()).containsExactly(ChainEvent.MESSAGE);
    }

    // ---- streaming ----

    @Test
    void collectsAStreamedAnswerFromServerSentEvents() throws IOException {
        bot = activated("helpdesk", config("stream", "true"));
        String events = ": keep-alive\n\ndata: {\"choices\":[{\"delta\":{\"role\":\"assistant\"}}]}\n\n" + sse("Grü", "ße ", "😀!");
        byte[] bytes = events.getBytes(StandardCharsets.UTF_8);
        HttpScript script = HttpScript.status(200).header("Content-Type", "text/event-stream");
        for (int i = 0; i < bytes.length; i += 7) { // chunks that split lines and characters
            script.body(java.util.Arrays.copyOfRange(bytes, i, Math.min(bytes.length, i + 7)));
        }
        bot.host().onAnyHttp(script);

        ask("alice", "Grüß mich");

        assertThat(awaitAnswer().text()).isEqualTo("Grüße 😀!");
        HttpRequest request = bot.host().requests().get(0);
        assertThat(request.streaming()).isTrue();
        assertThat(request.accept()).isEqualTo("text/event-stream");
        assertThat(requestBody(0).path("stream").booleanValue()).isTrue();
    }

    @Test
    void aServiceThatDoesNotStreamIsReadAsOneAnswer() {
        bot = activated("helpdesk", config("stream", "true"));
        bot.host().onAnyHttp(HttpScript.status(200).header("Content-Type", "application/json").body(completion("whole")));

        ask("alice", "hi");

        assertThat(awaitAnswer().text()).isEqualTo("whole");
    }

    @Test
    void aBrokenStreamGetsTheErrorAnswer() {
        bot = activated("helpdesk", config("stream", "true"));
        bot.host().onAnyHttp(HttpScript.status(200).header("Content-Type", "text/event-stream")
                .body("data: {\"choices\":[{\"delta\":{\"content\":\"half\"}}]}\n\ndata: {oops}\n\n"));

        ask("alice", "hi");

        SentMessage answer = awaitAnswer();
        assertThat(answer.text()).isEqualTo(bot.module().settings().errorAnswer());
        assertThat(answer.message().userProperty(ChatbotModule.ERROR_PROPERTY)).isEqualTo("malformed answer");
    }

    @Test
    void anErrorInTheStreamGetsTheErrorAnswer() {
        bot = activated("helpdesk", config("stream", "true"));
        bot.host().onAnyHttp(HttpScript.status(200).header("Content-Type", "text/event-stream")
                .body("data: {\"error\":{\"message\":\"overloaded\"}}\n\n"));

        ask("alice", "hi");

        assertThat(awaitAnswer().message().userProperty(ChatbotModule.ERROR_PROPERTY)).isEqualTo("failed");
        assertThat(bot.host().logs(Level.WARN)).singleElement().asString().contains("overloaded");
    }

    @Test
    void aStreamingErrorStatusGetsTheErrorAnswer() {
        bot = activated("helpdesk", config("stream", "true"));
        bot.host().onAnyHttp(HttpScript.status(429).header("Content-Type", "application/json")
                .body("{\"error\":{\"message\":\"Rate limit reached\",\"type\":\"requests\"}}"));

        ask("alice", "hi");

        assertThat(awaitAnswer().message().userProperty(ChatbotModule.ERROR_PROPERTY)).isEqualTo("http 429");
        assertThat(bot.host().logs(Level.WARN)).singleElement().asString().contains("HTTP 429: Rate limit reached");
    }

    // ---- failures: an error answer, never silence ----

    @Test
    void failuresGetTheErrorAnswerNamingTheCause() {
        bot = activated("helpdesk", config("error.answer", "Not now."));
        Map<String, HttpScript> causes = Map.of(
                "http 500", HttpScript.respond(500, "{\"error\":{\"message\":\"boom\"}}"),
                "timeout", HttpScript.failure(new HttpTimeoutException("header timeout of 2000 ms")),
                "unreachable", HttpScript.failure(new ConnectException("Connection refused")),
                "malformed answer", HttpScript.ok("<html>gateway</html>"),
                "empty answer", HttpScript.ok(completion("  \n")));
        int n = 0;
        for (Map.Entry<String, HttpScript> cause : causes.entrySet()) {
            bot.host().onAnyHttp(cause.getValue());
            ask("alice", "question " + n);
            SentMessage answer = bot.host().awaitSent(++n, WAIT).get(n - 1);

            assertThat(answer.text()).as(cause.getKey()).isEqualTo("Not now.");
            assertThat(answer.topic()).isEqualTo("bot/reply/alice");
            assertThat(answer.message().userProperty(ChatbotModule.ERROR_PROPERTY)).isEqualTo(cause.getKey());
        }
        assertThat(bot.module().failedCount()).isEqualTo(5);
        assertThat(bot.host().logs(Level.WARN)).as("a run of failures is logged once").hasSize(1);
    }

    @Test
    void anAnswerIsOneJsonDocumentNestedNoDeeperThanTheLimit() {
        bot = activated("helpdesk", CONFIG);
        List<String> malformed = List.of(completion("one") + " " + completion("two"),
                nestedCompletion(ChatCompletions.MAX_JSON_DEPTH + 1, "too deep"));
        for (int n = 1; n <= malformed.size(); n++) {
            bot.host().onAnyHttp(HttpScript.ok(malformed.get(n - 1)));
            ask("alice", "question " + n);
            SentMessage answer = bot.host().awaitSent(n, WAIT).get(n - 1);

            assertThat(answer.message().userProperty(ChatbotModule.ERROR_PROPERTY)).as(malformed.get(n - 1))
                    .isEqualTo("malformed answer");
        }
        bot.host().onAnyHttp(HttpScript.ok(nestedCompletion(ChatCompletions.MAX_JSON_DEPTH, "just deep enough")));
        ask("alice", "last question");

        assertThat(bot.host().awaitSent(3, WAIT).get(2).text()).isEqualTo("just deep enough");
    }

    @Test
    void tooManyPendingQuestionsGetTheErrorAnswerAtOnce() {
        bot = activated("helpdesk", config("max.pending", "1"));

        ask("alice", "slow question");
        ask("bob", "another");

        SentMessage busy = awaitAnswer();
        assertThat(busy.topic()).isEqualTo("bot/reply/bob");
        assertThat(busy.message().userProperty(ChatbotModule.ERROR_PROPERTY)).isEqualTo("busy");
        assertThat(bot.module().pendingCount()).isEqualTo(1);

        HttpExchange slow = bot.host().awaitExchange(WAIT);
        slow.respond(200, completion("finally"));
        assertThat(bot.host().awaitSent(2, WAIT).get(1).text()).isEqualTo("finally");
        assertThat(bot.module().pendingCount()).isZero();
    }

    @Test
    void anAnswerThatCannotBeSentIsLogged() {
        bot = activated("helpdesk", CONFIG);
        bot.host().onAnyHttp(HttpScript.ok(completion("hi")));
        bot.host().refuseSends(() -> new IllegalStateException("hop limit"));

        ask("alice", "hello");

        bot.host().awaitLog(Level.WARN, "cannot answer alice on 'bot/reply/alice': hop limit", WAIT);
    }

    @Test
    void aUserNameThatMakesNoTopicIsLogged() {
        bot = activated("helpdesk", CONFIG);
        bot.host().onAnyHttp(HttpScript.ok(completion("hi")));

        ask("eve+", "hello");

        bot.host().awaitLog(Level.WARN, "cannot answer eve+ on 'bot/reply/eve+'", WAIT);
        assertThat(bot.host().sent()).isEmpty();
    }

    @Test
    void aDeactivatedBotDoesNotAnswer() {
        bot = activated("helpdesk", CONFIG);
        ask("alice", "hello");
        HttpExchange exchange = bot.host().awaitExchange(WAIT);

        bot.module().deactivate();
        exchange.respond(200, completion("too late"));
        exchange.await(WAIT);

        assertThat(bot.host().sent()).isEmpty();
    }

    // ---- configuration ----

    @Test
    void publishesTheQuestionTopicOverTheConfiguration() {
        bot = activated("helpdesk", config("service.ranking", "20"));

        assertThat((String[]) bot.lastPublishedProperties().get("switchboard.module.topics")).containsExactly("bot/helpdesk");
        assertThat(bot.lastPublishedProperties().get("service.ranking")).as("as configured").isEqualTo("20");
        assertThat(bot.lastPublishedProperties().get("switchboard.module.type")).isEqualTo("ROUTER");
        assertThat(bot.lastPublishedProperties().get(".api.key")).isNull();
        assertThat(bot.module().name()).isEqualTo("chatbot:helpdesk");
    }

    @Test
    void activationRefusesABadConfigurationNamingTheAttribute() {
        ModuleInstance<ChatbotModule, ChatbotConfig> fresh = newBot("helpdesk", new FakeHost("io.switchboard.module.chatbot"));
        bot = fresh;

        assertThatIllegalArgumentException().isThrownBy(() -> fresh.activate(config("model", "")))
                .withMessage("chatbot:helpdesk: invalid configuration: model: is required (e.g. gpt-4o-mini, llama3.2)");
    }

    @Test
    void aLiveChangeAppliesAndABadOneIsReported() {
        bot = activated("helpdesk", config("context.turns", "3"));
        bot.host().onAnyHttp(HttpScript.ok(completion("ok")));
        ask("alice", "q1");
        awaitAnswer();

        bot.modify(config("topic", "ask/#", "context.turns", "1"));
        assertThat((String[]) bot.lastPublishedProperties().get("switchboard.module.topics")).containsExactly("ask/#");
        bot.probe().publish(TestMessages.text("alice", "bot/helpdesk", "old topic")).assertPassed();
        bot.probe().publish(TestMessages.text("alice", "ask/anything", "q2")).assertConsumed();
        bot.host().awaitSent(2, WAIT);
        assertThat(bot.module().conversations().history("alice")).hasSize(1);

        bot.modify(config("reply.topic", "replies"));
        assertThat(bot.host().lastProblem()).isEqualTo("chatbot:helpdesk: configuration rejected, keeping the last good one: "
                + "reply.topic: 'replies' must contain {user}, or every asker gets everyone's answers");
        assertThat(bot.module().settings().topic()).isEqualTo("ask/#");
    }

    @Test
    void aChangeWithABooleanThatIsNotTrueOrFalseIsRejectedWholeNamingTheModuleAttributeValueAndExpectation() {
        bot = activated("helpdesk", config());
        ChatbotSettings good = bot.module().settings();

        // the topic comes first: nothing of this configuration may be applied when a later attribute is bad
        bot.modify(config("topic", "ask/#", "stream", "yes"));

        assertThat(bot.host().lastProblem()).isEqualTo("chatbot:helpdesk: configuration rejected, keeping the last good one: "
                + "stream: 'yes' is not true or false");
        assertThat(bot.module().settings()).isSameAs(good);
        assertThat(bot.publishedProperties()).as("the last good service properties stay").hasSize(1);
        assertThat((String[]) bot.lastPublishedProperties().get("switchboard.module.topics")).containsExactly("bot/helpdesk");
    }

    // ---- the commands ----

    @Test
    void askPrintsTheAnswerAndSendsNothing() throws IOException {
        bot = activated("helpdesk", config("context.turns", "2"));
        bot.host().onAnyHttp(HttpScript.ok(completion("ok")));
        ask("alice", "remember me");
        awaitAnswer();
        bot.host().onAnyHttp(HttpScript.ok(completion("Paris.")));
        ChatbotCommands commands = new ChatbotCommands();
        commands.modules = List.of(bot.module());

        assertThat(commands.ask("", "", "What", "is", "the", "capital?")).isEqualTo("Paris.");
        assertThat(commands.ask("helpdesk", "alice", "And", "mine?")).isEqualTo("Paris.");

        assertThat(bot.host().sent()).hasSize(1);
        assertThat(requestBody(1).path("messages")).as("no user: no context").isEqualTo(JSON.valueToTree(List.of(
                Map.of("role", "system", "content", "Be brief."), Map.of("role", "user", "content", "What is the capital?"))));
        assertThat(requestBody(2).path("messages")).as("alice's context goes along").hasSize(4);
        assertThat(bot.module().conversations().history("alice")).as("a dry question is not remembered").hasSize(1);
    }

    @Test
    void theCommandsChooseTheBotAndSayWhatIsWrong() {
        bot = activated("helpdesk", CONFIG);
        ModuleInstance<ChatbotModule, ChatbotConfig> sales = activated("sales", config("bot.name", "sam"));
        try {
            bot.host().onAnyHttp(HttpScript.respond(401, "{\"error\":{\"message\":\"Invalid API key\"}}"));
            sales.host().onAnyHttp(HttpScript.ok(completion("Buy now.")));
            ChatbotCommands commands = new ChatbotCommands();

            assertThatIllegalStateException().isThrownBy(() -> commands.ask("", "", "hi")).withMessageContaining("no bot");
            commands.modules = List.of(bot.module(), sales.module());
            assertThatIllegalArgumentException().isThrownBy(() -> commands.ask("", "", "hi"))
                    .withMessage("there are 2 bots, choose one with -b: [chatbot:helpdesk, chatbot:sales]");
            assertThatIllegalArgumentException().isThrownBy(() -> commands.ask("nobody", "", "hi"))
                    .withMessageContaining("no bot 'nobody'");
            assertThatIllegalArgumentException().isThrownBy(() -> commands.ask("sam", ""));
            assertThat(commands.ask("sam", "", "offer?")).isEqualTo("Buy now.");
            assertThat(commands.ask("chatbot:sales", "", "offer?")).isEqualTo("Buy now.");
            assertThatIllegalStateException().isThrownBy(() -> commands.ask("helpdesk", "", "hi"))
                    .withMessage("chatbot:helpdesk: no answer: HTTP 401: Invalid API key");

            assertThat(commands.bots()).contains("chatbot:helpdesk: bot helpdesk, questions on bot/helpdesk, answers on bot/reply/{user}")
                    .contains("chatbot:sales: bot sam, questions on bot/sam")
                    .contains("model tiny-1 at " + URL + "/v1/chat/completions");
        } finally {
            sales.host().close();
        }
    }
}
