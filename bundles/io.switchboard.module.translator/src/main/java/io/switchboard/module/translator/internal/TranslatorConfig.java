package io.switchboard.module.translator.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.AttributeType;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.metatype.annotations.Option;

/**
 * The translator's configuration (PID {@value TranslatorModule#PID}). Values are only read here;
 * {@link TranslatorSettings#compile} checks them. A member name maps to a property name with {@code _}
 * as {@code .} ({@code max_chars} is {@code max.chars}; a leading {@code _} gives the private {@code .api.key}).
 */
@ObjectClassDefinition(
        name = "Switchboard translator",
        description = "Translates the text of messages on configured topics through a LibreTranslate-compatible "
                + "HTTP endpoint and passes the translation on.")
@interface TranslatorConfig {

    @AttributeDefinition(name = "Endpoint URL",
            description = "Base URL of the LibreTranslate-compatible service (required), e.g. http://localhost:5000; "
                    + "the module POSTs to <url>/translate.")
    String url();

    @AttributeDefinition(name = "Rules",
            description = "Which topics are translated from and to which language (required): entries "
                    + "<topic filter>:<source>><target>, e.g. chat/fr/#:fr>en; source 'auto' lets the service "
                    + "detect it. The first matching rule wins. An array, or a comma-separated list.")
    String[] rules();

    @AttributeDefinition(name = "API key",
            description = "Sent as api_key in every request; empty sends none. The leading dot makes it a private "
                    + "property: it is not published with the module's service properties.",
            type = AttributeType.PASSWORD,
            required = false)
    String _api_key() default "";

    @AttributeDefinition(name = "Timeout (ms)",
            description = "Time allowed for one translation, connecting included. The module's time budget in the "
                    + "chain is set to this plus one second.")
    long timeout() default 3000;

    @AttributeDefinition(name = "Retries",
            description = "How often a request that gets no answer or a 5xx status is retried, within the timeout.")
    int retries() default 0;

    @AttributeDefinition(name = "On error",
            description = "What happens to a message whose translation fails or times out.",
            options = {
                @Option(value = "PASS_ORIGINAL", label = "Pass the original message"),
                @Option(value = "CONSUME", label = "Consume the message")
            })
    String on_error() default "PASS_ORIGINAL";

    @AttributeDefinition(name = "Maximum characters",
            description = "Longer texts are not sent for translation and pass unchanged.")
    int max_chars() default 5000;

    @AttributeDefinition(name = "Ranking",
            description = "Place in the module chain: higher runs earlier.")
    int service_ranking() default 0;

    @AttributeDefinition(name = "Module name",
            description = "The name in logs and the shell.",
            required = false)
    String switchboard_module_name() default TranslatorModule.BASE_NAME;
}
