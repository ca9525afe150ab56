package io.switchboard.module.chatbot.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;
import org.apache.felix.service.command.annotations.GogoCommand;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

import io.switchboard.api.MessageModule;

/**
 * The operator's commands, scope {@code chatbot}: {@code chatbot:ask} asks a bot's service a question
 * and prints the answer (sending no message, remembering nothing); {@code chatbot:bots} lists the bots.
 */
@Component(service = ChatbotCommands.class)
@GogoCommand(scope = "chatbot", function = {"ask", "bots"})
public class ChatbotCommands {

    /** The bots of this bundle: one per factory configuration. */
    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            target = "(component.name=" + ChatbotModule.PID + ")")
    volatile List<MessageModule> modules;

    @Descriptor("asks a bot's service a question and prints the answer; sends no message")
    public String ask(
            @Descriptor("the bot (its name or instance name); needed when there are several")
            @Parameter(names = {"-b", "--bot"}, absentValue = "") String bot,
            @Descriptor("answer as if this user asked: their kept conversation goes along")
            @Parameter(names = {"-u", "--user"}, absentValue = "") String user,
            @Descriptor("the question") String... words) {
        String question = words == null ? "" : String.join(" ", words).trim();
        if (question.isEmpty()) {
            throw new IllegalArgumentException("no question: chatbot:ask [-b bot] [-u user] <question>");
        }
        ChatbotModule chatbot = find(bot);
        long waitMillis = chatbot.settings().timeoutMillis() + 1000;
        try {
            return chatbot.ask(question, user).toCompletableFuture().get(waitMillis, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() instanceof CompletionException c && c.getCause() != null ? c.getCause() : e.getCause();
            throw new IllegalStateException(chatbot.name() + ": no answer: " + cause.getMessage(), cause);
        } catch (TimeoutException e) {
            throw new IllegalStateException(chatbot.name() + ": no answer within " + waitMillis + " ms", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    @Descriptor("lists the bots: name, question topic, reply topic, model, endpoint, pending, answered, failed, conversations")
    public String bots() {
        List<ChatbotModule> bots = configuredBots();
        if (bots.isEmpty()) {
            return noBots();
        }
        StringBuilder out = new StringBuilder();
        for (ChatbotModule b : bots) {
            ChatbotSettings s = b.settings();
            out.append(b.name()).append(": bot ").append(s.botName()).append(", questions on ").append(s.topic())
                    .append(", answers on ").append(s.replyTopicPattern()).append(" (or the response topic)\n")
                    .append("  model ").append(s.model()).append(" at ").append(s.endpoint())
                    .append(s.stream() ? ", streaming" : "").append(", timeout ").append(s.timeoutMillis()).append(" ms\n")
                    .append("  pending ").append(b.pendingCount()).append('/').append(s.maxPending())
                    .append(", answered ").append(b.answeredCount()).append(", failed ").append(b.failedCount())
                    .append(", conversations ").append(s.contextTurns() == 0 ? "off"
                            : b.conversations().size() + "/" + s.contextUsers() + " users, " + s.contextTurns() + " turns")
                    .append('\n');
        }
        return out.toString().stripTrailing();
    }

    private ChatbotModule find(String bot) {
        List<ChatbotModule> bots = configuredBots();
        if (bots.isEmpty()) {
            throw new IllegalStateException(noBots());
        }
        if (bot == null || bot.isEmpty()) {
            if (bots.size() > 1) {
                throw new IllegalArgumentException("there are " + bots.size() + " bots, choose one with -b: " + names(bots));
            }
            return bots.get(0);
        }
        for (ChatbotModule b : bots) {
            if (bot.equals(b.name()) || bot.equals(b.settings().botName()) || b.name().endsWith(":" + bot)) {
                return b;
            }
        }
        throw new IllegalArgumentException("no bot '" + bot + "'; the bots are " + names(bots));
    }

    private List<ChatbotModule> configuredBots() {
        List<MessageModule> current = modules;
        List<ChatbotModule> bots = new ArrayList<>();
        if (current != null) {
            for (MessageModule m : current) {
                if (m instanceof ChatbotModule b && b.settings() != null) {
                    bots.add(b);
                }
            }
        }
        bots.sort((a, b) -> a.name().compareTo(b.name()));
        return bots;
    }

    private static List<String> names(List<ChatbotModule> bots) {
        return bots.stream().map(ChatbotModule::name).toList();
    }

    private static String noBots() {
        return "no bot is configured: write configadmin/" + ChatbotModule.PID + "-<name>.cfg (see configadmin/"
                + ChatbotModule.PID + "-example.cfg.example)";
    }
}
