package io.switchboard.module.chatbot.internal;

import java.net.URI;
import java.util.Map;

import io.switchboard.api.ConfigReader;
import io.switchboard.api.TopicFilters;

/**
 * A checked {@link ChatbotConfig}: immutable, built once per configuration change by {@link #compile},
 * the only place where configuration values are validated. Activation and live changes share it, so
 * both refuse the same values with the same words.
 */
final class ChatbotSettings {

    /** The longest timeout accepted: ten minutes. */
    static final long MAX_TIMEOUT_MILLIS = 600_000;
    static final int MAX_CONTEXT_TURNS = 100;
    static final int MAX_CONTEXT_USERS = 100_000;
    static final int MAX_PENDING = 10_000;

    private final URI endpoint;
    private final String model;
    private final String apiKey;
    private final String systemPrompt;
    private final String botName;
    private final String topic;
    private final String replyTopic;
    private final long timeoutMillis;
    private final boolean stream;
    private final int maxTokens;
    private final int contextTurns;
    private final int contextUsers;
    private final int maxPending;
    private final String errorAnswer;
    private final int ranking;
    private final String configuredName;

    private ChatbotSettings(URI endpoint, String model, String apiKey, String systemPrompt, String botName,
            String topic, String replyTopic, long timeoutMillis, boolean stream, int maxTokens, int contextTurns,
            int contextUsers, int maxPending, String errorAnswer, int ranking, String configuredName) {
        this.endpoint = endpoint;
        this.model = model;
        this.apiKey = apiKey;
        this.systemPrompt = systemPrompt;
        this.botName = botName;
        this.topic = topic;
        this.replyTopic = replyTopic;
        this.timeoutMillis = timeoutMillis;
        this.stream = stream;
        this.maxTokens = maxTokens;
        this.contextTurns = contextTurns;
        this.contextUsers = contextUsers;
        this.maxPending = maxPending;
        this.errorAnswer = errorAnswer;
        this.ranking = ranking;
        this.configuredName = configuredName;
    }

    /**
     * Reads and checks every attribute of {@code config} (whose component properties are {@code properties}).
     *
     * @param instance the factory configuration's name ({@code helpdesk} for {@code <factoryPid>~helpdesk}),
     *        the default bot name
     * @throws IllegalArgumentException if a value is wrong; the message names the attribute, the value
     *         and what is expected, e.g. {@code "timeout: 'abc' is not an integer from 1 to 600000"}
     */
    static ChatbotSettings compile(Map<String, ?> properties, ChatbotConfig config, String instance) {
        ConfigReader in = ConfigReader.of(properties);
        URI endpoint = URI.create(in.httpUrl("url", config::url, "http://localhost:11434") + "/v1/chat/completions");
        String model = in.text("model", config::model);
        if (model.isEmpty()) {
            throw ConfigReader.invalid("model", "is required (e.g. gpt-4o-mini, llama3.2)");
        }
        String apiKey = in.text(".api.key", config::_api_key);
        String systemPrompt = in.text("system.prompt", config::system_prompt);
        String botName = in.text("bot.name", config::bot_name);
        if (botName.isEmpty()) {
            botName = instance == null || instance.isBlank() ? "bot" : instance.trim();
        }
        String topic = in.text("topic", config::topic);
        if (topic.isEmpty()) {
            topic = "bot/" + botName;
        }
        String problem = TopicFilters.problem(topic);
        if (problem != null) {
            throw ConfigReader.invalid("topic", "'" + topic + "' is not a valid MQTT topic filter: " + problem);
        }
        String replyTopic = in.text("reply.topic", config::reply_topic);
        String example = replyTopic.replace("{user}", "alice").replace("{bot}", "bot");
        if (replyTopic.isEmpty() || TopicFilters.problem(example) != null || example.contains("+") || example.contains("#")) {
            throw ConfigReader.invalid("reply.topic", "'" + replyTopic + "' is not a topic name (no wildcards; {user} "
                    + "and {bot} are replaced), e.g. bot/reply/{user}");
        }
        if (!replyTopic.contains("{user}")) {
            throw ConfigReader.invalid("reply.topic",
                    "'" + replyTopic + "' must contain {user}, or every asker gets everyone's answers");
        }
        long timeout = in.longInteger("timeout", config::timeout, 1, MAX_TIMEOUT_MILLIS);
        boolean stream = in.bool("stream", config::stream);
        int maxTokens = in.integer("max.tokens", config::max_tokens, 0, Integer.MAX_VALUE);
        int turns = in.integer("context.turns", config::context_turns, 0, MAX_CONTEXT_TURNS);
        int users = in.integer("context.users", config::context_users, 1, MAX_CONTEXT_USERS);
        int maxPending = in.integer("max.pending", config::max_pending, 1, MAX_PENDING);
        String errorAnswer = in.text("error.answer", config::error_answer);
        if (errorAnswer.isEmpty()) {
            throw ConfigReader.invalid("error.answer", "is required: an asker should learn that no answer comes");
        }
        int ranking = in.integer("service.ranking", config::service_ranking, Integer.MIN_VALUE, Integer.MAX_VALUE);
        String name = in.text("switchboard.module.name", config::switchboard_module_name);
        return new ChatbotSettings(endpoint, model, apiKey, systemPrompt, botName, topic, replyTopic, timeout, stream,
                maxTokens, turns, users, maxPending, errorAnswer, ranking, name);
    }

    /** Where questions go: {@code <url>/v1/chat/completions}. */
    URI endpoint() {
        return endpoint;
    }

    String model() {
        return model;
    }

    /** The API key, trimmed; empty for none. */
    String apiKey() {
        return apiKey;
    }

    /** The system prompt, trimmed; empty for none. */
    String systemPrompt() {
        return systemPrompt;
    }

    /** The user the answers come from. */
    String botName() {
        return botName;
    }

    /** The topic filter of the questions: the module's {@code switchboard.module.topics}. */
    String topic() {
        return topic;
    }

    /** The topic of the answer to {@code user} when the question names no response topic. */
    String replyTopic(String user) {
        return replyTopic.replace("{user}", user).replace("{bot}", botName);
    }

    /** The reply topic as configured, with its placeholders. */
    String replyTopicPattern() {
        return replyTopic;
    }

    long timeoutMillis() {
        return timeoutMillis;
    }

    boolean stream() {
        return stream;
    }

    /** {@code max_tokens}; 0 for none. */
    int maxTokens() {
        return maxTokens;
    }

    /** Earlier turns sent along; 0 for none. */
    int contextTurns() {
        return contextTurns;
    }

    int contextUsers() {
        return contextUsers;
    }

    int maxPending() {
        return maxPending;
    }

    String errorAnswer() {
        return errorAnswer;
    }

    int ranking() {
        return ranking;
    }

    /** The configured {@code switchboard.module.name}, trimmed; may be empty. */
    String configuredName() {
        return configuredName;
    }

    /** A one-line summary for the log; never shows the API key or the prompt. */
    @Override
    public String toString() {
        return "bot " + botName + " on " + topic + ", answers to " + replyTopic + ", endpoint " + endpoint
                + ", model " + model + (stream ? ", streaming" : "") + ", timeout " + timeoutMillis + " ms, context "
                + (contextTurns == 0 ? "none" : contextTurns + " turns for " + contextUsers + " users")
                + ", max pending " + maxPending + ", ranking " + ranking + (apiKey.isEmpty() ? ", no API key" : ", with API key");
    }
}
