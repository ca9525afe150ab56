package io.switchboard.module.chatbot.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.switchboard.testkit.Configs;

class ChatbotSettingsTest {

    private static ChatbotSettings compile(String instance, Object... keyValues) {
        Map<String, Object> config = new HashMap<>(Map.of("url", "http://localhost:11434", "model", "llama3.2"));
        for (int i = 0; i < keyValues.length; i += 2) {
            config.put((String) keyValues[i], keyValues[i + 1]);
        }
        return ChatbotSettings.compile(config, Configs.of(ChatbotConfig.class, config), instance);
    }

    private static void assertRefused(String expectedMessage, Object... keyValues) {
        assertThatIllegalArgumentException().isThrownBy(() -> compile("helpdesk", keyValues)).withMessage(expectedMessage);
    }

    @Test
    void defaultsComeFromTheInstanceName() {
        ChatbotSettings s = compile("helpdesk");

        assertThat(s.endpoint()).hasToString("http://localhost:11434/v1/chat/completions");
        assertThat(s.botName()).isEqualTo("helpdesk");
        assertThat(s.topic()).isEqualTo("bot/helpdesk");
        assertThat(s.replyTopic("alice")).isEqualTo("bot/reply/alice");
        assertThat(s.systemPrompt()).isEqualTo("You are a helpful assistant. Answer briefly.");
        assertThat(s.apiKey()).isEmpty();
        assertThat(s.timeoutMillis()).isEqualTo(30_000);
        assertThat(s.stream()).isFalse();
        assertThat(s.maxTokens()).isZero();
        assertThat(s.contextTurns()).isZero();
        assertThat(s.contextUsers()).isEqualTo(100);
        assertThat(s.maxPending()).isEqualTo(16);
        assertThat(s.errorAnswer()).startsWith("Sorry");
        assertThat(compile(null).botName()).isEqualTo("bot");
        assertThat(s.toString()).contains("no API key").doesNotContain("helpful");
    }

    @Test
    void readsEverything() {
        ChatbotSettings s = compile("x", "url", "https://api.example.com/", "model", " gpt-4o-mini ", ".api.key", " sk-1 ",
                "bot.name", "ada", "topic", "ask/ada/#", "reply.topic", "answers/{bot}/{user}", "system.prompt", " ",
                "timeout", "5000", "stream", "true", "max.tokens", "200", "context.turns", "3", "context.users", "50",
                "max.pending", "4", "error.answer", "No.", "service.ranking", "7", "switchboard.module.name", "ada-bot");

        assertThat(s.endpoint()).hasToString("https://api.example.com/v1/chat/completions");
        assertThat(s.model()).isEqualTo("gpt-4o-mini");
        assertThat(s.apiKey()).isEqualTo("sk-1");
        assertThat(s.botName()).isEqualTo("ada");
        assertThat(s.topic()).isEqualTo("ask/ada/#");
        assertThat(s.replyTopic("bob")).isEqualTo("answers/ada/bob");
        assertThat(s.systemPrompt()).isEmpty();
        assertThat(s.stream()).isTrue();
        assertThat(s.maxTokens()).isEqualTo(200);
        assertThat(s.contextTurns()).isEqualTo(3);
        assertThat(s.contextUsers()).isEqualTo(50);
        assertThat(s.maxPending()).isEqualTo(4);
        assertThat(s.errorAnswer()).isEqualTo("No.");
        assertThat(s.ranking()).isEqualTo(7);
        assertThat(s.configuredName()).isEqualTo("ada-bot");
        assertThat(s.toString()).contains("with API key").doesNotContain("sk-1");
    }

    @Test
    void namesTheAttributeOfEachProblem() {
        assertRefused("url: is required (the base URL of the service, e.g. http://localhost:11434)", "url", "");
        assertRefused("url: 'file:/tmp' is not an http:// or https:// URL with a host", "url", "file:/tmp");
        assertRefused("model: is required (e.g. gpt-4o-mini, llama3.2)", "model", " ");
        assertRefused("topic: 'bot/#/x' is not a valid MQTT topic filter: '#' must be a whole level and the last one",
                "topic", "bot/#/x");
        assertRefused("topic: 'bot/a+' is not a valid MQTT topic filter: '+' must be a whole level", "bot.name", "a+");
        assertRefused("reply.topic: 'bot/+/{user}' is not a topic name (no wildcards; {user} and {bot} are replaced), "
                + "e.g. bot/reply/{user}", "reply.topic", "bot/+/{user}");
        assertRefused("reply.topic: 'bot/replies' must contain {user}, or every asker gets everyone's answers",
                "reply.topic", "bot/replies");
        assertRefused("timeout: '0' is not an integer from 1 to 600000", "timeout", "0");
        assertRefused("timeout: 'soon' is not an integer from 1 to 600000", "timeout", "soon");
        assertRefused("stream: 'yes' is not true or false", "stream", "yes");
        assertRefused("max.tokens: '-5' is not an integer of at least 0", "max.tokens", "-5");
        assertRefused("context.turns: '101' is not an integer from 0 to 100", "context.turns", "101");
        assertRefused("context.users: '0' is not an integer from 1 to 100000", "context.users", "0");
        assertRefused("max.pending: '0' is not an integer from 1 to 10000", "max.pending", "0");
        assertRefused("error.answer: is required: an asker should learn that no answer comes", "error.answer", "");
        assertRefused("service.ranking: 'ten' is not an integer", "service.ranking", "ten");
    }
}
