package io.switchboard.module.chatbot.internal;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

import org.apache.felix.scr.component.ExtComponentContext;
import org.osgi.framework.Constants;
import org.osgi.service.component.ComponentContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.Designate;

import io.switchboard.api.HostServices;
import io.switchboard.api.Maturity;
import io.switchboard.api.Message;
import io.switchboard.api.MessageModule;
import io.switchboard.api.ModuleProperties;
import io.switchboard.api.ModuleType;
import io.switchboard.api.Session;
import io.switchboard.api.SwitchboardModule;
import io.switchboard.api.TopicFilters;
import io.switchboard.api.Verdict;
import io.switchboard.module.chatbot.internal.ChatCompletions.ChatFailed;
import io.switchboard.module.chatbot.internal.Conversations.Turn;

/**
 * A chatbot: consumes each question published to its topic, asks an OpenAI-compatible chat-completions
 * service, and sends the answer back to the asker through {@link HostServices#send}: on the question's
 * MQTT 5 response topic if it has one, else on the configured reply topic ({@code bot/reply/<user>}),
 * with {@code refId} = the question's id, the correlation data copied, and the bot's name as sender.
 * When the service fails, is too slow or too busy, the asker gets a short error answer, not silence.
 *
 * <p>What it shows a module author, beyond the profanity module:
 * <ul>
 * <li>Answering instead of deciding later: the question is consumed at once ({@link Verdict#consume()}:
 * its publisher does not wait for the service) and the answer is a new message sent when the HTTP
 * exchange ends, from whichever thread completes it. Setting {@code refId} links it to the question, which also
 * carries the broker's hop count over, so bots answering bots cannot loop.</li>
 * <li>Streaming HTTP: with {@code stream=true} the answer is read piece by piece from server-sent events
 * in {@link io.switchboard.api.HttpListener#onBody} ({@link ChatCompletions.StreamListener}).</li>
 * <li>Bounded state: per-user conversations ({@link Conversations}) and a cap on questions waiting
 * for the service ({@code max.pending}).</li>
 * <li>Factory configurations: each {@code io.switchboard.module.chatbot~<name>} is one bot.</li>
 * </ul>
 */
@Component(
        name = ChatbotModule.PID,
        configurationPid = ChatbotModule.PID,
        configurationPolicy = ConfigurationPolicy.REQUIRE,
        immediate = true,
        service = MessageModule.class)
@Designate(ocd = ChatbotConfig.class, factory = true)
@SwitchboardModule(
        name = ChatbotModule.BASE_NAME,
        type = ModuleType.ROUTER,
        maturity = Maturity.BETA,
        description = "Answers questions on a bot topic through an OpenAI-compatible service")
public final class ChatbotModule implements MessageModule {

    /** The factory PID: configurations are {@code io.switchboard.module.chatbot~<name>}, one bot each. */
    static final String PID = "io.switchboard.module.chatbot";
    /** The module's name; an instance is {@code chatbot:<name>} unless configured otherwise. */
    static final String BASE_NAME = "chatbot";
    /** User property of an error answer: the cause in a word or two ({@code timeout}, {@code http 500}, {@code busy}...). */
    static final String ERROR_PROPERTY = "chatbot-error";


    /** Logs under the module's name, sends, HTTP, and reports rejected configurations so the shell shows them. */
    @Reference
    HostServices host;

    /** The last good settings; replaced whole, read once per question. */
    private volatile ChatbotSettings settings;
    private volatile String name = BASE_NAME;
    private volatile boolean active;
    /** Per-user context; sized by the configuration. */
    private final Conversations conversations = new Conversations(0, 1);

    private final AtomicInteger pending = new AtomicInteger();
    private final LongAdder answered = new LongAdder();
    private final LongAdder failed = new LongAdder();
    /** Failures since the last answer: the first is logged as a warning, the rest at debug. */
    private final AtomicLong failuresInARow = new AtomicLong();

    @Activate
    void activate(ComponentContext context, Map<String, Object> properties, ChatbotConfig config) {
        ChatbotSettings compiled;
        try {
            compiled = ChatbotSettings.compile(properties, config, instance(properties));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    instanceName("", properties) + ": invalid configuration: " + e.getMessage(), e);
        }
        conversations.resize(compiled.contextTurns(), compiled.contextUsers());
        apply(context, properties, compiled);
        active = true;
        host.logger().info("{}: activated: {}", name, compiled);
    }

    /** New configuration, applied live (kept conversations are trimmed to the new bounds); a bad one is reported. */
    @Modified
    void modified(ComponentContext context, Map<String, Object> properties, ChatbotConfig config) {
        ChatbotSettings compiled;
        try {
            compiled = ChatbotSettings.compile(properties, config, instance(properties));
        } catch (IllegalArgumentException e) {
            host.reportProblem(this, name + ": configuration rejected, keeping the last good one: " + e.getMessage());
            return;
        }
        host.reportProblem(this, null);
        conversations.resize(compiled.contextTurns(), compiled.contextUsers());
        apply(context, properties, compiled);
        host.logger().info("{}: configuration applied: {}", name, compiled);
    }

    /** Questions still waiting for the service get no answer once the bot is gone. */
    @Deactivate
    void deactivate() {
        active = false;
        host.logger().info("{}: deactivated ({} answered, {} failed, {} pending dropped)", name, answered.sum(), failed.sum(),
                pending.get());
    }

    @Override
    public Verdict onMessage(Message message, Session sender) {
        ChatbotSettings current = settings; // one question, one configuration
        if (!TopicFilters.matches(current.topic(), message.topic())) {
            return Verdict.pass(); // the topic changed since the broker chose this module
        }
        String asker = message.from() != null ? message.from() : sender != null ? sender.user() : "anonymous";
        // checked on the bytes before decoding: a binary payload is never decoded
        String question = message.payloadIsWellFormedUtf8() ? message.payloadText() : "";
        if (question.isBlank()) {
            host.logger().debug("{}: ignored {} from {}: no text", name, message, asker);
            return Verdict.consume();
        }
        if (pending.incrementAndGet() > current.maxPending()) {
            pending.decrementAndGet();
            failed.increment();
            host.logger().debug("{}: too busy ({} questions pending) to answer {}", name, current.maxPending(), asker);
            answer(current, message, asker, current.errorAnswer(), "busy");
            return Verdict.consume();
        }
        List<Turn> history = current.contextTurns() == 0 ? List.of() : conversations.history(asker);
        ChatCompletions.ask(host, current, history, question).whenComplete((answer, failure) -> {
            pending.decrementAndGet();
            if (failure == null) {
                answered(current, message, asker, question, answer);
            } else {
                failed(current, message, asker, failure);
            }
        });
        return Verdict.consume(); // the publisher does not wait: the answer is a message of its own
    }

    /**
     * Asks the service with the settings in force, for the shell: sends no message and remembers
     * nothing. With {@code user}, that user's kept conversation goes along.
     */
    CompletionStage<String> ask(String question, String user) {
        ChatbotSettings current = settings;
        List<Turn> history = user == null || user.isEmpty() || current.contextTurns() == 0 ? List.of()
                : conversations.history(user);
        return ChatCompletions.ask(host, current, history, question);
    }

    /** The settings in force. */
    ChatbotSettings settings() {
        return settings;
    }

    /** The name this instance logs with. */
    String name() {
        return name;
    }

    /** The kept conversations. */
    Conversations conversations() {
        return conversations;
    }

    /** Questions waiting for the service now. */
    int pendingCount() {
        return pending.get();
    }

    /** Questions answered since activation. */
    long answeredCount() {
        return answered.sum();
    }

    /** Questions answered with the error answer since activation. */
    long failedCount() {
        return failed.sum();
    }

    private void answered(ChatbotSettings current, Message question, String asker, String text, String answer) {
        answered.increment();
        long failures = failuresInARow.getAndSet(0);
        if (failures > 0) {
            host.logger().info("{}: answering again after {} failed question(s)", name, failures);
        }
        conversations.add(asker, text, answer);
        answer(current, question, asker, answer, null);
    }

    private void failed(ChatbotSettings current, Message question, String asker, Throwable failure) {
        failed.increment();
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        String kind = cause instanceof ChatFailed chat ? chat.kind : "failed";
        if (failuresInARow.getAndIncrement() == 0) {
            host.logger().warn("{}: no answer for {} (further failures are logged at debug until one succeeds): {}", name, asker,
                    cause.getMessage());
        } else {
            host.logger().debug("{}: no answer for {}: {}", name, asker, cause.getMessage());
        }
        answer(current, question, asker, current.errorAnswer(), kind);
    }

    /** Sends {@code text} to the asker; an error answer carries {@value #ERROR_PROPERTY}. */
    private void answer(ChatbotSettings current, Message question, String asker, String text, String error) {
        if (!active) {
            host.logger().debug("{}: deactivated, not answering {}", name, asker);
            return;
        }
        String topic = question.responseTopic() != null ? question.responseTopic() : current.replyTopic(asker);
        try {
            Message.Builder answer = Message.builder(topic)
                    .from(current.botName())
                    .refId(question.id())
                    .correlationData(question.correlationData())
                    .qos(question.qos())
                    .payload(text);
            if (error != null) {
                answer.userProperty(ERROR_PROPERTY, error);
            }
            host.send(answer.build());
        } catch (RuntimeException e) { // a user name that makes no topic name, the hop limit, the broker stopping
            host.logger().warn("{}: cannot answer {} on '{}': {}", name, asker, topic, e.getMessage());
        }
    }

    private void apply(ComponentContext context, Map<String, Object> properties, ChatbotSettings compiled) {
        settings = compiled;
        name = instanceName(compiled.configuredName(), properties);
        // DS publishes the configuration as it is; the question topic derives from topic, bot.name or the
        // instance, so the module sets it as its topics itself (the broker then calls the bot for nothing
        // else). Standard DS has no way to; Felix SCR (the DS runtime Switchboard ships) has
        // ExtComponentContext, whose properties stay until set again: a rejected change keeps these.
        if (context instanceof ExtComponentContext felix) {
            felix.setServiceProperties(ModuleProperties.withDerived(properties,
                    Map.of(ModuleProperties.TOPICS, new String[] {compiled.topic()})));
        }
    }

    /** The factory configuration's name ({@code helpdesk} for {@code <factoryPid>~helpdesk}), or {@code null}. */
    static String instance(Map<String, Object> properties) {
        Object pid = properties.get(Constants.SERVICE_PID);
        Object factoryPid = properties.get("service.factoryPid");
        String prefix = factoryPid instanceof String f ? f : PID;
        if (pid instanceof String p && p.length() > prefix.length() + 1 && p.startsWith(prefix)) {
            return p.substring(prefix.length() + 1); // after '~' (or '.' for older Configuration Admins)
        }
        return null;
    }

    /** The name as the broker shows it: {@code switchboard.module.name} if configured, else {@code chatbot:<instance>}. */
    static String instanceName(String configured, Map<String, Object> properties) {
        if (!configured.isEmpty() && !configured.equals(BASE_NAME)) {
            return configured;
        }
        String instance = instance(properties);
        return instance == null ? BASE_NAME : BASE_NAME + ":" + instance;
    }
}
