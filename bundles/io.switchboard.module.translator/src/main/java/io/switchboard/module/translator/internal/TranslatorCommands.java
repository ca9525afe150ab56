package io.switchboard.module.translator.internal;

import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.annotations.GogoCommand;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

import io.switchboard.api.MessageModule;
import io.switchboard.module.translator.internal.LibreTranslate.Translation;

/**
 * The operator's command, scope {@code translator}: {@code translator:translate <text> [source] [target]}
 * asks the configured service for a translation and prints it, sending no message. It exists whether or
 * not the module is configured, and says so when it is not.
 */
@Component(service = TranslatorCommands.class)
@GogoCommand(scope = "translator", function = "translate")
public class TranslatorCommands {

    /** The translator module of this bundle, when it is configured. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            target = "(component.name=" + TranslatorModule.PID + ")")
    volatile MessageModule module;

    @Descriptor("translates a text from the language detected by the service to the first rule's target language")
    public String translate(@Descriptor("the text") String text) {
        return translate(text, TranslatorSettings.AUTO);
    }

    @Descriptor("translates a text from a language to the first rule's target language")
    public String translate(@Descriptor("the text") String text,
            @Descriptor("source language code, or auto") String source) {
        return translate(text, source, translator().settings().rules().get(0).target());
    }

    @Descriptor("translates a text from one language to another")
    public String translate(@Descriptor("the text") String text,
            @Descriptor("source language code, or auto") String source,
            @Descriptor("target language code") String target) {
        TranslatorModule translator = translator();
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("nothing to translate");
        }
        long waitMillis = translator.settings().timeoutMillis() + TranslatorModule.BUDGET_MARGIN_MILLIS;
        try {
            Translation translation = translator.translate(text, source, target).toCompletableFuture()
                    .get(waitMillis, TimeUnit.MILLISECONDS);
            return translation.detectedLanguage() == null ? translation.text()
                    : translation.text() + "\n(detected source language: " + translation.detectedLanguage() + ")";
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() instanceof CompletionException c && c.getCause() != null ? c.getCause() : e.getCause();
            throw new IllegalStateException("translation failed: " + cause.getMessage(), cause);
        } catch (TimeoutException e) {
            throw new IllegalStateException("no translation within " + waitMillis + " ms", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private TranslatorModule translator() {
        MessageModule current = module;
        if (!(current instanceof TranslatorModule translator) || translator.settings() == null) {
            throw new IllegalStateException("the translator is not configured: write configadmin/"
                    + TranslatorModule.PID + ".cfg (see configadmin/" + TranslatorModule.PID + ".cfg.example)");
        }
        return translator;
    }
}
