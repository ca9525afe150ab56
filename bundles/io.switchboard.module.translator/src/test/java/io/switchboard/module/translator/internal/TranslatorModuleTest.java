package io.switchboard.module.translator.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.felix.scr.component.ExtComponentContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.event.Level;

import io.switchboard.api.HttpRequest;
import io.switchboard.api.Message;
import io.switchboard.api.ReasonCode;
import io.switchboard.api.UserProperty;
import io.switchboard.api.admin.ChainEvent;
import io.switchboard.testkit.FakeHost;
import io.switchboard.testkit.FakeSession;
import io.switchboard.testkit.HttpExchange;
import io.switchboard.testkit.HttpScript;
import io.switchboard.testkit.ModuleInstance;
import io.switchboard.testkit.TestMessages;

/** The translator on the test kit's scripted HTTP: what it asks, what it passes on, what it does on failure. */
class TranslatorModuleTest {

    private static final String URL = "http://translate.test:5000";
    private static final Map<String, Object> CONFIG = Map.of(
            "url", URL,
            "rules", "chat/fr/#:fr>en, chat/de/#:de>en, chat/any/#:auto>en",
            ".api.key", "s3cret",
            "timeout", "2000");
    private static final ObjectMapper JSON = new ObjectMapper();

    private ModuleInstance<TranslatorModule, TranslatorConfig> translator;

    @AfterEach
    void close() {
        if (translator != null) {
            translator.host().close();
        }
    }

    /**
     * The translator on {@code host}, not yet activated; its component context records the service
     * properties it publishes (Felix SCR's).
     */
    static ModuleInstance<TranslatorModule, TranslatorConfig> newTranslator(FakeHost host) {
        TranslatorModule module = new TranslatorModule();
        module.host = host;
        return ModuleInstance.builder(module, TranslatorConfig.class).pid(TranslatorModule.PID).host(host)
                .componentProperty("switchboard.module.type", "FILTER").componentProperty("switchboard.module.maturity", "BETA")
                .onActivate((m, call) -> m.activate(call.componentContext(ExtComponentContext.class), call.properties(), call.config()))
                .onModified((m, call) -> m.modified(call.componentContext(ExtComponentContext.class), call.properties(), call.config()))
                .build();
    }

    /** A translator activated with {@code configuration}, on a scripted host. */
    private static ModuleInstance<TranslatorModule, TranslatorConfig> activated(Map<String, ?> configuration) {
        return newTranslator(new FakeHost("io.switchboard.module.translator")).activate(configuration);
    }

    private static Map<String, Object> config(Object... changes) {
        Map<String, Object> config = new HashMap<>(CONFIG);
        for (int i = 0; i < changes.length; i += 2) {
            config.put((String) changes[i], changes[i + 1]);
        }
        return config;
    }

    private static String answer(String translated) {
        return "{\"translatedText\": \"" + translated + "\"}";
    }

    /** An answer nested {@code depth} deep: arrays beside the translation, inside the document's object. */
    private static String nestedAnswer(int depth, String translated) {
        int arrays = depth - 1;
        return "{\"padding\":" + "[".repeat(arrays) + "]".repeat(arrays) + "," + answer(translated).substring(1);
    }

    // ---- translating ----

    @Test
    void translatesAMessageOnARuleTopicKeepingTheOriginalInAUserProperty() {
        translator = activated(CONFIG);
        translator.host().onHttp(URL + "/translate", HttpScript.status(200)
                .header("Content-Type", "application/json").body(answer("Hello, world")));
        Message original = TestMessages.builder("chat/fr/lobby").from("alice").qos(1).retain(true)
                .payload("Bonjour, le monde").userProperty("lang", "fr").correlationData(new byte[] {7}).build();

        Message translated = translator.probe().message(original).from(FakeSession.of("alice"))
                .assertReplacedWithPayload("Hello, world");

        assertThat(translated.userProperties()).containsExactly(
                new UserProperty("lang", "fr"),
                new UserProperty(TranslatorModule.TRANSLATED_FROM, "Bonjour, le monde"),
                new UserProperty(TranslatorModule.TRANSLATED_SOURCE, "fr"),
                new UserProperty(TranslatorModule.TRANSLATED_TARGET, "en"));
        assertThat(translated.toBuilder().payload(original.payloadBytes()).payloadUtf8(true)
                .userProperties(original.userProperties()).build())
                .as("everything else unchanged").isEqualTo(original);
        assertThat(translator.module().translatedCount()).isEqualTo(1);
    }

    @Test
    void asksTheLibreTranslateApi() throws IOException {
        translator = activated(CONFIG);
        translator.host().onAnyHttp(HttpScript.ok(answer("Good morning")));

        translator.probe().publish(TestMessages.text("bob", "chat/de/room", "Guten \"Morgen\"\n")).assertReplaced();

        HttpRequest request = translator.host().requests().get(0);
        assertThat(request.method()).isEqualTo("POST");
        assertThat(request.uri()).hasToString(URL + "/translate");
        assertThat(request.contentType()).isEqualTo("application/json");
        assertThat(request.accept()).isEqualTo("application/json");
        assertThat(request.totalTimeout()).isEqualTo(Duration.ofMillis(2000));
        assertThat(JSON.readTree(request.body())).isEqualTo(JSON.valueToTree(Map.of(
                "q", "Guten \"Morgen\"\n", "source", "de", "target", "en", "format", "text", "api_key", "s3cret")));
    }

    @Test
    void sendsNoApiKeyWhenNoneIsConfigured() throws IOException {
        Map<String, Object> config = config();
        config.remove(".api.key");
        translator = activated(config);
        translator.host().onAnyHttp(HttpScript.ok(answer("Hello")));

        translator.probe().publish(TestMessages.text("alice", "chat/fr/x", "Salut")).assertReplaced();

        assertThat(JSON.readTree(translator.host().requests().get(0).body()))
                .isEqualTo(JSON.valueToTree(Map.of("q", "Salut", "source", "fr", "target", "en", "format", "text")));
    }

    @Test
    void autoSourceReportsTheDetectedLanguage() throws IOException {
        translator = activated(CONFIG);
        translator.host().onAnyHttp(HttpScript.ok(
                "{\"detectedLanguage\": {\"confidence\": 92.0, \"language\": \"it\"}, \"translatedText\": \"Good evening\"}"));

        Message translated = translator.probe().publish(TestMessages.text("carol", "chat/any/room", "Buonasera"))
                .assertReplacedWithPayload("Good evening");

        assertThat(translated.userProperty(TranslatorModule.TRANSLATED_SOURCE)).isEqualTo("it");
        assertThat(JSON.readTree(translator.host().requests().get(0).body()).path("source").textValue()).isEqualTo("auto");
    }

    @Test
    void theFirstMatchingRuleWins() {
        translator = activated(config("rules", "chat/fr/vip:fr>de, chat/fr/#:fr>en"));
        translator.host().onAnyHttp(HttpScript.ok(answer("x")));

        translator.probe().publish(TestMessages.text("a", "chat/fr/vip", "Salut")).assertReplaced();
        translator.probe().publish(TestMessages.text("a", "chat/fr/other", "Salut")).assertReplaced();

        assertThat(translator.host().requests()).extracting(r -> JSON.readTree(r.body()).path("target").textValue())
                .containsExactly("de", "en");
    }

    // ---- passing without asking ----

    @Test
    void passesWhatItDoesNotTranslateWithoutAsking() {
        translator = activated(config("max.chars", "10"));

        translator.probe().publish(TestMessages.text("a", "news/fr", "Bonjour")).assertPassed();
        translator.probe().publish(TestMessages.text("a", "chat/fr/x", "")).assertPassed();
        translator.probe().publish(TestMessages.text("a", "chat/fr/x", "   ")).assertPassed();
        translator.probe().publish(TestMessages.text("a", "chat/fr/x", "beaucoup trop long")).assertPassed();
        translator.probe().publish(TestMessages.binary("a", "chat/fr/x", new byte[] {(byte) 0xFF, 0x41, (byte) 0xC3})).assertPassed();
        translator.probe().publish(TestMessages.builder("chat/fr/x").from("a").payload("Salut")
                .userProperty(TranslatorModule.TRANSLATED_FROM, "Hi").build()).assertPassed();

        assertThat(translator.host().requests()).as("no request made").isEmpty();
    }

    @Test
    void handlesOnlyMessages() {
        translator = activated(CONFIG);

        assertThat(translator.probe().handledEvents()).containsExactly(ChainEvent.MESSAGE);
    }

    // ---- failures ----

    @Test
    void aFailedTranslationPassesTheOriginalByDefault() {
        translator = activated(CONFIG);
        translator.host().onAnyHttp(HttpScript.respond(500, "{\"error\": \"model not loaded\"}"));

        translator.probe().publish(TestMessages.text("a", "chat/fr/x", "Salut")).assertPassed();

        assertThat(translator.host().logs(Level.WARN)).singleElement().asString()
                .contains("translator").contains("passed untranslated").contains("HTTP 500: model not loaded");
        assertThat(translator.module().failedCount()).isEqualTo(1);
    }

    @Test
    void onErrorConsumeConsumesWithAnUnspecifiedError() {
        translator = activated(config("on.error", "consume"));
        translator.host().onAnyHttp(HttpScript.failure(new HttpTimeoutException("total timeout of 2000 ms")));

        var verdict = translator.probe().publish(TestMessages.text("a", "chat/fr/x", "Salut"))
                .assertConsumed(ReasonCode.UNSPECIFIED_ERROR);

        assertThat(verdict.reason()).isEqualTo("translation failed");
    }

    @Test
    void malformedAnswersAreFailures() {
        translator = activated(config("on.error", "CONSUME"));
        translator.host().onAnyHttp(HttpScript.ok("<html>Bad gateway</html>"));
        translator.probe().publish(TestMessages.text("a", "chat/fr/x", "Salut")).assertConsumed();

        translator.host().onAnyHttp(HttpScript.ok("{\"text\": \"Hello\"}"));
        translator.probe().publish(TestMessages.text("a", "chat/fr/x", "Salut")).assertConsumed();

        translator.host().onAnyHttp(HttpScript.ok("{\"translatedText\": 42}"));
        translator.probe().publish(TestMessages.text("a", "chat/fr/x", "Salut")).assertConsumed();

        assertThat(translator.host().logs()).anySatisfy(l -> assertThat(l.toString()).contains("malformed answer"));
        assertThat(translator.module().failedCount()).isEqualTo(3);
    }

    @Test
    void anAnswerIsOneJsonDocumentNestedNoDeeperThanTheLimit() {
        translator = activated(config("on.error", "CONSUME"));
        translator.host().onAnyHttp(HttpScript.ok(answer("Hello") + " " + answer("again")));
        translator.probe().publish(TestMessages.text("a", "chat/fr/x", "Salut")).assertConsumed();

        translator.host().onAnyHttp(HttpScript.ok(nestedAnswer(LibreTranslate.MAX_JSON_DEPTH + 1, "Hello")));
        translator.probe().publish(TestMessages.text("a", "chat/fr/x", "Salut")).assertConsumed();

        translator.host().onAnyHttp(HttpScript.ok(nestedAnswer(LibreTranslate.MAX_JSON_DEPTH, "Hello")));
        translator.probe().publish(TestMessages.text("a", "chat/fr/x", "Salut")).assertReplacedWithPayload("Hello");
        assertThat(translator.module().failedCount()).isEqualTo(2);
    }

    @Test
    void aRunOfFailuresIsLoggedOnceAndTheRecoveryToo() {
        translator = activated(CONFIG);
        translator.host().onAnyHttp(HttpScript.failure(new ConnectException("Connection refused")));
        for (int i = 0; i < 3; i++) {
            translator.probe().publish(TestMessages.text("a", "chat/fr/x", "Salut")).assertPassed();
        }
        translator.host().onAnyHttp(HttpScript.ok(answer("Hi")));
        translator.probe().publish(TestMessages.text("a", "chat/fr/x", "Salut")).assertReplacedWithPayload("Hi");

        assertThat(translator.host().logs(Level.WARN)).hasSize(1);
        assertThat(translator.host().logs(Level.INFO)).anySatisfy(l -> assertThat(l).contains("after 3 failed"));
    }

    @Test
    void decidesOnlyWhenTheServiceAnswers() {
        translator = activated(CONFIG);

        var result = translator.probe().publish(TestMessages.text("a", "chat/fr/x", "Salut"));
        result.assertStillPendingAfter(Duration.ofMillis(50));
        HttpExchange exchange = translator.host().awaitExchange(Duration.ofSeconds(5));
        exchange.respond(200, answer("Hi"));

        result.assertReplacedWithPayload("Hi");
    }

    // ---- configuration ----

    @Test
    void publishesTopicsTimeoutAndPolicyDerivedFromTheConfiguration() {
        translator = activated(config("service.ranking", "50", "on.error", "CONSUME"));

        Map<String, Object> properties = translator.lastPublishedProperties();

        assertThat((String[]) properties.get("switchboard.module.topics")).containsExactly("chat/fr/#", "chat/de/#", "chat/any/#");
        assertThat(properties.get("switchboard.module.timeout")).isEqualTo(3000L);
        assertThat(properties.get("switchboard.module.failure.policy")).isEqualTo("FAIL_CLOSED");
        assertThat(properties.get("service.ranking")).as("as configured: the broker reads a .cfg string").isEqualTo("50");
        assertThat(properties.get(".api.key")).as("the key stays private").isNull();
        assertThat(properties.get("url")).isEqualTo(URL);
    }

    @Test
    void activationRefusesABadConfigurationNamingTheAttribute() {
        ModuleInstance<TranslatorModule, TranslatorConfig> fresh = newTranslator(new FakeHost("io.switchboard.module.translator"));
        translator = fresh;

        assertThatIllegalArgumentException().isThrownBy(() -> fresh.activate(config("rules", "chat/#:fr")))
                .withMessage("translator: invalid configuration: rules: 'chat/#:fr' is not <topic filter>:<source>><target> "
                        + "(e.g. chat/fr/#:fr>en)");
        assertThat(fresh.publishedProperties()).isEmpty();
    }

    @Test
    void aBadLiveChangeIsReportedAndTheLastGoodSettingsStay() {
        translator = activated(CONFIG);
        TranslatorSettings good = translator.module().settings();

        translator.modify(config("on.error", "DROP"));

        assertThat(translator.host().lastProblem()).isEqualTo(
                "translator: configuration rejected, keeping the last good one: on.error: 'DROP' is not one of [PASS_ORIGINAL, CONSUME]");
        assertThat(translator.module().settings()).isSameAs(good);
        assertThat(translator.publishedProperties()).as("the last good service properties stay").hasSize(1);

        translator.modify(config("rules", "chat/es/#:es>en"));

        assertThat(translator.host().lastProblem()).as("a good change clears the problem").isNull();
        assertThat((String[]) translator.lastPublishedProperties().get("switchboard.module.topics")).containsExactly("chat/es/#");
        translator.host().onAnyHttp(HttpScript.ok(answer("Hello")));
        translator.probe().publish(TestMessages.text("a", "chat/fr/x", "Salut")).assertPassed();
        translator.probe().publish(TestMessages.text("a", "chat/es/x", "Hola")).assertReplacedWithPayload("Hello");
    }

    @Test
    void aChangeWithAnIntegerThatCannotBeReadIsRejectedWholeNamingTheModuleAttributeValueAndExpectation() {
        translator = activated(CONFIG);
        TranslatorSettings good = translator.module().settings();

        // the rules come first: nothing of this configuration may be applied when a later attribute is bad
        translator.modify(config("rules", "chat/es/#:es>en", "on.error", "CONSUME", "max.chars", "abc"));

        assertThat(translator.host().lastProblem()).isEqualTo("translator: configuration rejected, keeping the last good one: "
                + "max.chars: 'abc' is not an integer of at least 1");
        assertThat(translator.module().settings()).isSameAs(good);
        assertThat(translator.publishedProperties()).as("the last good service properties stay").hasSize(1);
        assertThat((String[]) translator.lastPublishedProperties().get("switchboard.module.topics"))
                .containsExactly("chat/fr/#", "chat/de/#", "chat/any/#");
    }

    // ---- the command ----

    @Test
    void theCommandTranslatesWithoutSendingAnything() {
        translator = activated(CONFIG);
        translator.host().onAnyHttp(HttpScript.ok(
                "{\"detectedLanguage\": {\"language\": \"fr\"}, \"translatedText\": \"Hello\"}"));
        TranslatorCommands commands = new TranslatorCommands();
        commands.module = translator.module();

        assertThat(commands.translate("Bonjour")).isEqualTo("Hello\n(detected source language: fr)");
        assertThat(commands.translate("Hallo", "de", "es")).isEqualTo("Hello\n(detected source language: fr)");

        assertThat(translator.host().requests()).extracting(r -> JSON.readTree(r.body()))
                .extracting(body -> body.path("source").textValue() + ">" + body.path("target").textValue())
                .containsExactly("auto>en", "de>es");
        assertThat(translator.host().sent()).isEmpty();
    }

    @Test
    void theCommandSaysWhatIsWrong() {
        translator = activated(CONFIG);
        translator.host().onAnyHttp(HttpScript.respond(400, "{\"error\": \"es is not supported\"}"));
        TranslatorCommands commands = new TranslatorCommands();

        assertThatIllegalStateException().isThrownBy(() -> commands.translate("Hola"))
                .withMessageContaining("not configured").withMessageContaining("io.switchboard.module.translator.cfg");

        commands.module = translator.module();
        assertThatIllegalStateException().isThrownBy(() -> commands.translate("Hola", "es", "en"))
                .withMessage("translation failed: HTTP 400: es is not supported");
        assertThatIllegalArgumentException().isThrownBy(() -> commands.translate(" "));
    }
}
