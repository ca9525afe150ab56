package io.switchboard.module.translator.internal;

import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

import org.apache.felix.scr.component.ExtComponentContext;
import org.osgi.service.component.ComponentContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.Designate;

import io.switchboard.api.FailurePolicy;
import io.switchboard.api.HostServices;
import io.switchboard.api.Maturity;
import io.switchboard.api.Message;
import io.switchboard.api.MessageModule;
import io.switchboard.api.ModuleProperties;
import io.switchboard.api.ModuleType;
import io.switchboard.api.ReasonCode;
import io.switchboard.api.Session;
import io.switchboard.api.SwitchboardModule;
import io.switchboard.api.Verdict;
import io.switchboard.module.translator.internal.LibreTranslate.Translation;
import io.switchboard.module.translator.internal.TranslatorSettings.OnError;
import io.switchboard.module.translator.internal.TranslatorSettings.Rule;

/**
 * The translator: sends the text of each message on a configured topic to a LibreTranslate-compatible
 * service and passes the translation on in its place, keeping the original text in the user property
 * {@value #TRANSLATED_FROM}.
 *
 * <p>What it shows a module author, beyond the profanity module:
 * <ul>
 * <li>An asynchronous decision: {@link #onMessage} starts an HTTP request through
 * {@link HostServices#http} and returns {@link Verdict#later} at once; the broker continues the
 * message's chain when the translation (or its failure) arrives, never blocking a worker thread.</li>
 * <li>Module properties derived from the configuration: {@code switchboard.module.topics} are the
 * rules' topic filters (the broker does not even call the module for other topics), the time budget is
 * the HTTP timeout plus {@value #BUDGET_MARGIN_MILLIS} ms, and the failure policy follows
 * {@code on.error}, so the module's own error handling and the broker's agree.</li>
 * <li>A Gogo command beside the module ({@link TranslatorCommands}).</li>
 * </ul>
 */
@Component(
        name = TranslatorModule.PID,
        configurationPid = TranslatorModule.PID,
        configurationPolicy = ConfigurationPolicy.REQUIRE,
        immediate = true,
        service = MessageModule.class)
@Designate(ocd = TranslatorConfig.class)
@SwitchboardModule(
        name = TranslatorModule.BASE_NAME,
        type = ModuleType.FILTER,
        maturity = Maturity.BETA,
        description = "Translates messages through a LibreTranslate-compatible service")
public final class TranslatorModule implements MessageModule {

    /** The configuration PID: {@code configadmin/io.switchboard.module.translator.cfg}. */
    static final String PID = "io.switchboard.module.translator";
    /** The module's default name. */
    static final String BASE_NAME = "translator";

    /** User property of a translated message: the original text. */
    static final String TRANSLATED_FROM = "translated-from";
    /** User property of a translated message: the source language (the detected one for {@code auto}, if told). */
    static final String TRANSLATED_SOURCE = "translated-source";
    /** User property of a translated message: the target language. */
    static final String TRANSLATED_TARGET = "translated-target";

    /** The broker's time budget exceeds the HTTP timeout by this much, so the module's own outcome comes first. */
    static final long BUDGET_MARGIN_MILLIS = 1000;

    /**
     * {@code on.error = CONSUME}: 0x80 "unspecified error" is the PUBACK code for "not accepted, for a
     * reason none of the others names"; the message itself is fine (0x83, 0x99 would blame it).
     */
    static final Verdict CONSUMED = Verdict.consume(ReasonCode.UNSPECIFIED_ERROR, "translation failed");


    /** Logs under the module's name, sends, HTTP, and reports rejected configurations so the shell shows them. */
    @Reference
    HostServices host;

    /** The last good settings; replaced whole, read once per message. */
    private volatile TranslatorSettings settings;
    private volatile String name = BASE_NAME;

    private final LongAdder translated = new LongAdder();
    private final LongAdder failed = new LongAdder();
    /** Failures since the last success: the first is logged as a warning, the rest at debug. */
    private final AtomicLong failuresInARow = new AtomicLong();

    @Activate
    void activate(ComponentContext context, Map<String, Object> properties, TranslatorConfig config) {
        TranslatorSettings compiled;
        try {
            compiled = TranslatorSettings.compile(properties, config);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(BASE_NAME + ": invalid configuration: " + e.getMessage(), e);
        }
        apply(context, properties, compiled);
        host.logger().info("{}: activated: {}", name, compiled);
    }

    /** New configuration, applied live; a bad one is reported and the last good settings stay. */
    @Modified
    void modified(ComponentContext context, Map<String, Object> properties, TranslatorConfig config) {
        TranslatorSettings compiled;
        try {
            compiled = TranslatorSettings.compile(properties, config);
        } catch (IllegalArgumentException e) {
            host.reportProblem(this, name + ": configuration rejected, keeping the last good one: " + e.getMessage());
            return;
        }
        host.reportProblem(this, null);
        apply(context, properties, compiled);
        host.logger().info("{}: configuration applied: {}", name, compiled);
    }

    @Deactivate
    void deactivate() {
        host.logger().info("{}: deactivated ({} translated, {} failed)", name, translated.sum(), failed.sum());
    }

    @Override
    public Verdict onMessage(Message message, Session sender) {
        TranslatorSettings current = settings; // one message, one configuration
        Rule rule = current.ruleFor(message.topic());
        if (rule == null || message.payloadSize() == 0 || message.userProperty(TRANSLATED_FROM) != null) {
            return Verdict.pass(); // not ours, nothing to translate, or translated already
        }
        if (!message.payloadIsWellFormedUtf8()) {
            return Verdict.pass(); // binary: not text, and never decoded
        }
        String text = message.payloadText();
        if (text.isBlank() || text.length() > current.maxChars()) {
            return Verdict.pass();
        }
        CompletionStage<Verdict> decision = LibreTranslate.translate(host, current, text, rule.source(), rule.target())
                .handle((translation, failure) -> failure == null
                        ? translated(message, text, rule, translation)
                        : failed(current, message, failure));
        return Verdict.later(decision);
    }

    /**
     * Translates {@code text} with the settings in force, for the shell; sends no message.
     *
     * @param source a language code, or {@code auto}
     * @param target a language code
     */
    CompletionStage<Translation> translate(String text, String source, String target) {
        return LibreTranslate.translate(host, settings, text, source, target);
    }

    /** The settings in force. */
    TranslatorSettings settings() {
        return settings;
    }

    /** The name this module logs with. */
    String name() {
        return name;
    }

    /** Messages translated since activation. */
    long translatedCount() {
        return translated.sum();
    }

    /** Translations failed since activation. */
    long failedCount() {
        return failed.sum();
    }

    private Verdict translated(Message message, String original, Rule rule, Translation translation) {
        translated.increment();
        long failures = failuresInARow.getAndSet(0);
        if (failures > 0) {
            host.logger().info("{}: translating again after {} failed translation(s)", name, failures);
        }
        String source = translation.detectedLanguage() != null ? translation.detectedLanguage() : rule.source();
        Message changed = message.toBuilder()
                .payload(translation.text())
                .payloadUtf8(message.payloadUtf8()) // keep the sender's format indicator
                .userProperty(TRANSLATED_FROM, original)
                .userProperty(TRANSLATED_SOURCE, source)
                .userProperty(TRANSLATED_TARGET, rule.target())
                .build();
        return Verdict.replace(changed);
    }

    private Verdict failed(TranslatorSettings current, Message message, Throwable failure) {
        failed.increment();
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        String outcome = current.onError() == OnError.CONSUME ? "consumed" : "passed untranslated";
        if (failuresInARow.getAndIncrement() == 0) {
            host.logger().warn("{}: translation failed, {} (further failures are logged at debug until one succeeds): {}: {}",
                    name, outcome, message, cause.getMessage());
        } else {
            host.logger().debug("{}: translation failed, {}: {}: {}", name, outcome, message, cause.getMessage());
        }
        return current.onError() == OnError.CONSUME ? CONSUMED : Verdict.pass();
    }

    private void apply(ComponentContext context, Map<String, Object> properties, TranslatorSettings compiled) {
        settings = compiled;
        name = compiled.name();
        // DS publishes the configuration as it is; these properties derive from other attributes, so the
        // module sets them itself. Standard DS has no way to; Felix SCR (the DS runtime Switchboard ships)
        // has ExtComponentContext, whose properties stay until set again: a rejected change keeps these.
        if (context instanceof ExtComponentContext felix) {
            felix.setServiceProperties(ModuleProperties.withDerived(properties, derivedProperties(compiled)));
        }
    }

    /**
     * The module properties derived from the settings: the rules' topic filters, a time budget above the
     * HTTP timeout, and the failure policy of {@code on.error}, so the broker's handling and the module's agree.
     */
    static Map<String, Object> derivedProperties(TranslatorSettings compiled) {
        return Map.of(
                ModuleProperties.TOPICS, compiled.topics().toArray(String[]::new),
                ModuleProperties.TIMEOUT, compiled.timeoutMillis() + BUDGET_MARGIN_MILLIS,
                ModuleProperties.FAILURE_POLICY,
                (compiled.onError() == OnError.CONSUME ? FailurePolicy.FAIL_CLOSED : FailurePolicy.FAIL_OPEN).name());
    }
}
