package io.switchboard.module.chatbot.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.AttributeType;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * The configuration of one bot (factory PID {@value ChatbotModule#PID}). Values are only read here;
 * {@link ChatbotSettings#compile} checks them. A member name maps to a property name with {@code _} as
 * {@code .} ({@code system_prompt} is {@code system.prompt}; a leading {@code _} gives the private
 * {@code .api.key}).
 */
@ObjectClassDefinition(
        name = "Switchboard chatbot",
        description = "Answers the messages published to a bot topic through an OpenAI-compatible chat-completions "
                + "service. One factory configuration per bot.")
@interface ChatbotConfig {

    @AttributeDefinition(name = "Endpoint URL",
            description = "Base URL of the OpenAI-compatible service (required), e.g. http://localhost:11434 or "
                    + "https://api.openai.com; the module POSTs to <url>/v1/chat/completions.")
    String url();

    @AttributeDefinition(name = "Model",
            description = "The model to ask (required), e.g. gpt-4o-mini or llama3.2.")
    String model();

    @AttributeDefinition(name = "API key",
            description = "Sent as 'Authorization: Bearer <key>'; empty sends none. Private (leading dot): not "
                    + "published with the module's service properties.",
            type = AttributeType.PASSWORD,
            required = false)
    String _api_key() default "";

    @AttributeDefinition(name = "System prompt",
            description = "The system message that starts every conversation; empty sends none.",
            required = false)
    String system_prompt() default "You are a helpful assistant. Answer briefly.";

    @AttributeDefinition(name = "Bot name",
            description = "The user the answers come from. Empty: the configuration's name (helpdesk for "
                    + "io.switchboard.module.chatbot~helpdesk).",
            required = false)
    String bot_name() default "";

    @AttributeDefinition(name = "Question topic",
            description = "The topic filter questions are published to. Empty: bot/<bot name>.",
            required = false)
    String topic() default "";

    @AttributeDefinition(name = "Reply topic",
            description = "Where the answer goes when the question has no MQTT 5 response topic; {user} is the asker, "
                    + "{bot} the bot name.")
    String reply_topic() default "bot/reply/{user}";

    @AttributeDefinition(name = "Timeout (ms)",
            description = "Time allowed for one answer, connecting included; with streaming also the longest silence "
                    + "between two chunks.")
    long timeout() default 30000;

    @AttributeDefinition(name = "Stream",
            description = "true: ask for server-sent events (stream: true) and collect the answer chunk by chunk; "
                    + "false: one JSON answer.")
    boolean stream() default false;

    @AttributeDefinition(name = "Maximum tokens",
            description = "max_tokens of each request; 0 sends none (the service's default).")
    int max_tokens() default 0;

    @AttributeDefinition(name = "Context turns",
            description = "How many earlier questions and answers of the same user are sent along; 0: none, "
                    + "every question stands alone.")
    int context_turns() default 0;

    @AttributeDefinition(name = "Context users",
            description = "For how many users a conversation is kept; the least recently active is forgotten first.")
    int context_users() default 100;

    @AttributeDefinition(name = "Maximum pending",
            description = "How many questions may wait for the service at once; more are answered with the error answer.")
    int max_pending() default 16;

    @AttributeDefinition(name = "Error answer",
            description = "The answer when the service fails, is too slow, is busy or answers nonsense.")
    String error_answer() default "Sorry, I cannot answer right now. Please try again later.";

    @AttributeDefinition(name = "Ranking",
            description = "Place in the module chain: higher runs earlier.")
    int service_ranking() default 0;

    @AttributeDefinition(name = "Instance name",
            description = "The name in logs and the shell. Empty: chatbot:<name> for the factory configuration "
                    + "<factoryPid>~<name>.",
            required = false)
    String switchboard_module_name() default "";
}
