package io.switchboard.module.profanity.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.metatype.annotations.Option;

/**
 * The configuration of one profanity filter instance (factory PID {@value ProfanityModule#PID}).
 *
 * <p>DS builds an instance of this annotation from the configuration; metatype describes it to tools. A
 * member name maps to a property name with {@code _} as {@code .} ({@code whole_words} is
 * {@code whole.words}). Values are only read here; {@link ProfanityRules#compile} checks them.
 */
@ObjectClassDefinition(
        name = "Switchboard profanity filter",
        description = "Consumes or masks messages whose UTF-8 text contains listed words. "
                + "One factory configuration per filter instance.")
@interface ProfanityConfig {

    @AttributeDefinition(name = "Words",
            description = "The words to find (required). An array, or a comma-separated list; "
                    + "each entry is trimmed and must not be blank; a word cannot contain a comma.")
    String[] words();

    @AttributeDefinition(name = "Mode",
            description = "CONSUME: drop the message and tell an MQTT 5 publisher why. "
                    + "MASK: pass a copy with each found word masked.",
            options = {
                @Option(value = "MASK", label = "Mask the words"),
                @Option(value = "CONSUME", label = "Consume the message")
            })
    String mode() default "MASK";

    @AttributeDefinition(name = "Mask character",
            description = "One character; a found word becomes this character repeated to the word's length.")
    String mask() default "*";

    @AttributeDefinition(name = "Whole words",
            description = "true: a word matches only where it is not glued to letters, digits, marks or '_' "
                    + "(\"darn\" does not match in \"darning\"). false: it matches inside other words too.")
    boolean whole_words() default true;

    @AttributeDefinition(name = "Case sensitive",
            description = "false: \"Darn\" and \"DARN\" match \"darn\" (Unicode simple case folding).")
    boolean case_sensitive() default false;

    @AttributeDefinition(name = "Ranking",
            description = "Place in the module chain: higher runs earlier.")
    int service_ranking() default 0;

    @AttributeDefinition(name = "Topics",
            description = "MQTT topic filters this instance applies to; empty for all topics. "
                    + "An array, or a comma-separated list.",
            required = false)
    String[] switchboard_module_topics() default {};

    @AttributeDefinition(name = "Instance name",
            description = "The name in logs and the shell. Empty: profanity:<name> for the factory "
                    + "configuration <factoryPid>~<name>.",
            required = false)
    String switchboard_module_name() default "";
}
