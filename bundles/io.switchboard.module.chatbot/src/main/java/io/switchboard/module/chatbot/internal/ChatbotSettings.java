package io.switchboard.module.chatbot.internal;

import io.switchboard.api.TopicFilters;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.function.Supplier;

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
     * Checks {@code config}.
     *
     * @param instance the factory configuration's name ({@code helpdesk} for {@code <factoryPid>~helpdesk}),
     *        the default bot name
     * @throws IllegalArgumentException if a value is wrong; the message starts with the attribute's
     *         name, e.g. {@code "model: is required"}
     */
    static ChatbotSettings compile(ChatbotConfig config, String instance) {
        URI endpoint = checkUrl(read("url", config::url));
        String model = trimmed(read("model", config::model));
        if (model.isEmpty()) {
            throw invalid("model", "is required (e.g. gpt-4o-mini, llama3.2)");
        }
        String apiKey = trimmed(read(".api.key", config::_api_key));
        String systemPrompt = trimmed(read("system.prompt", config::system_prompt));
        String botName = trimmed(read("bot.name", config::bot_name));
        if (botName.isEmpty()) {
            botName = instance == null || instance.isBlank() ? "bot" : instance.trim();
        }
        String topic = trimmed(read("topic", config::topic));
        if (topic.isEmpty()) {
            topic = "bot/" + botName;
        }
        String problem = TopicFilters.problem(topic);
        if (problem != null) {
            throw invalid("topic", "'" + topic + "' is not a valid MQTT topic filter: " + problem);
        }
        String replyTopic = trimmed(read("reply.topic", config::reply_topic));
        String example = replyTopic.replace("{user}", "alice").replace("{bot}", "bot");
        if (replyTopic.isEmpty() || TopicFilters.problem(example) != null || example.contains("+") || example.contains("#")) {
            throw invalid("reply.topic", "'" + replyTopic + "' is not a topic name (no wildcards; {user} and {bot} "
                    + "are replaced), e.g. bot/reply/{user}");
        }
        if (!replyTopic.contains("{user}")) {
            throw invalid("reply.topic", "'" + replyTopic + "' must contain {user}, or every asker gets everyone's answers");
        }
        long timeout = read("timeout", config::timeout);
        boolean stream = read("stream", config::stream);
        if (timeout < 1 || timeout > MAX_TIMEOUT_MILLIS) {
            throw invalid("timeout", "must be between 1 and " + MAX_TIMEOUT_MILLIS + " ms, got " + timeout);
        }
        int maxTokens = read("max.tokens", config::max_tokens);
        if (maxTokens < 0) {
            throw invalid("max.tokens", "must be 0 (none sent) or more, got " + maxTokens);
        }
        int turns = read("context.turns", config::context_turns);
        if (turns < 0 || turns > MAX_CONTEXT_TURNS) {
            throw invalid("context.turns", "must be between 0 and " + MAX_CONTEXT_TURNS + ", got " + turns);
        }
        int users = read("context.users", config::context_users);
        if (users < 1 || users > MAX_CONTEXT_USERS) {
            throw invalid("context.users", "must be between 1 and " + MAX_CONTEXT_USERS + ", got " + users);
        }
        int maxPending = read("max.pending", config::max_pending);
        if (maxPending < 1 || maxPending > MAX_PENDING) {
            throw invalid("max.pending", "must be between 1 and " + MAX_PENDING + ", got " + maxPending);
        }
        String errorAnswer = trimmed(read("error.answer", config::error_answer));
        if (errorAnswer.isEmpty()) {
            throw invalid("error.answer", "must not be empty: an asker should learn that no answer comes");
        }
        int ranking = read("service.ranking", config::service_ranking);
        String name = trimmed(read("switchboard.module.name", config::switchboard_module_name));
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

    // ---- validation: every message names the attribute first ----

    private static URI checkUrl(String value) {
        String url = trimmed(value);
        if (url.isEmpty()) {
            throw invalid("url", "is required (the base URL of the service, e.g. http://localhost:11434)");
        }
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw invalid("url", "'" + url + "' is not a URL: " + e.getMessage());
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null) {
            throw invalid("url", "must be an http:// or https:// URL with a host, got '" + url + "'");
        }
        if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
            throw invalid("url", "must not have a query or fragment (the module appends /v1/chat/completions), got '"
                    + url + "'");
        }
        String base = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
        return URI.create(base + "/v1/chat/completions");
    }

    private static String trimmed(String value) {
        return value == null ? "" : value.trim();
    }

    /** Reads one attribute; DS throws when it cannot convert a value (e.g. "ten" as a number). */
    private static <T> T read(String attribute, Supplier<T> member) {
        try {
            return member.get();
        } catch (RuntimeException e) {
            throw invalid(attribute, "cannot be read: " + e.getMessage());
        }
    }

    private static IllegalArgumentException invalid(String attribute, String problem) {
        return new IllegalArgumentException(attribute + ": " + problem);
    }
}
