package io.switchboard.module.profanity.internal;

import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.Dictionary;
import java.util.Enumeration;
import java.util.Hashtable;

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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
import io.switchboard.module.profanity.internal.ProfanityRules.Mode;

/**
 * The profanity filter: consumes, or passes with the words masked, every published message whose UTF-8
 * text contains one of its configured words.
 *
 * <p><b>This is the model module</b>: copy its shape when you write one.
 * <ul>
 * <li>A DS component registering {@link MessageModule}, described by {@link SwitchboardModule}, with the
 * implementation in a private package.</li>
 * <li>Configured only by factory configurations ({@code configurationPolicy = REQUIRE},
 * {@code @Designate(factory = true)}): each {@code <factoryPid>~<name>} configuration is one instance
 * with its own words, mode, ranking and topics; without a configuration there is no instance.</li>
 * <li>Typed configuration ({@link ProfanityConfig}), checked and compiled once per change in one place
 * ({@link ProfanityRules#compile}). {@code @Activate} throws on a bad configuration, so DS shows the
 * component as failed with the message; {@code @Modified} logs a bad change and keeps the last good
 * rules (throwing there would make DS deactivate the instance) and reports the problem through
 * {@link HostServices#reportProblem}, so {@code sb:modules} shows it beside the module.</li>
 * <li>The message path reads one volatile field and does no compiling; a clean message costs one
 * payload decoding and one scan, and gets {@link Verdict#pass()}.</li>
 * <li>Only the callback it needs ({@link #onMessage}); the broker skips the others.</li>
 * </ul>
 */
@Component(
        name = ProfanityModule.PID,
        configurationPid = ProfanityModule.PID,
        configurationPolicy = ConfigurationPolicy.REQUIRE,
        immediate = true, // check and compile the configuration at once, not on the first message
        service = MessageModule.class)
@Designate(ocd = ProfanityConfig.class, factory = true)
@SwitchboardModule(
        name = ProfanityModule.BASE_NAME,
        type = ModuleType.FILTER,
        maturity = Maturity.GA,
        description = "Consumes or masks messages containing listed words")
public final class ProfanityModule implements MessageModule {

    /** The factory PID: configurations are {@code io.switchboard.module.profanity~<name>}. */
    static final String PID = "io.switchboard.module.profanity";
    /** The module's name; an instance is {@code profanity:<name>} unless configured otherwise. */
    static final String BASE_NAME = "profanity";

    /**
     * MQTT 5 PUBACK 0x83 "the PUBLISH is valid but the receiver is not willing to accept it": the message
     * is well formed and its payload matches its format indicator (0x99 says it does not); the broker's
     * content policy refuses it. One instance, since a verdict is immutable.
     */
    static final Verdict CONSUMED = Verdict.consume(ReasonCode.IMPLEMENTATION_SPECIFIC_ERROR,
            "the message contains a word that is not allowed");

    private static final Logger LOG = LoggerFactory.getLogger(ProfanityModule.class);

    /** Where a rejected configuration is reported, so the shell shows it beside the module. */
    @Reference
    HostServices host;

    /** The last good rules; replaced whole, read once per message. */
    private volatile ProfanityRules rules;
    private volatile String name = BASE_NAME;

    /**
     * Module activated: check and compile the configuration.
     *
     * @throws IllegalArgumentException naming the instance and the attribute, on a bad configuration
     */
    @Activate
    void activate(ComponentContext context, ProfanityConfig config) {
        ProfanityRules compiled;
        try {
            compiled = ProfanityRules.compile(config);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    instanceName(null, context.getProperties()) + ": invalid configuration: " + e.getMessage(), e);
        }
        apply(context, compiled);
        LOG.info("{}: activated: {}", name, compiled);
    }

    /** New configuration, applied live; a bad one is logged and the last good rules stay. */
    @Modified
    void modified(ComponentContext context, ProfanityConfig config) {
        ProfanityRules compiled;
        try {
            compiled = ProfanityRules.compile(config);
        } catch (IllegalArgumentException e) {
            host.reportProblem(this, name + ": configuration rejected, keeping the last good one: " + e.getMessage());
            return;
        }
        host.reportProblem(this, null);
        apply(context, compiled);
        LOG.info("{}: configuration applied: {}", name, compiled);
    }

    /** Module deactivated. Nothing to release here: a module holding resources frees them now. */
    @Deactivate
    void deactivate() {
        LOG.info("{}: deactivated", name);
    }

    @Override
    public Verdict onMessage(Message message, Session sender) {
        ProfanityRules current = rules; // one message, one configuration
        if (message.payloadSize() == 0) {
            return Verdict.pass();
        }
        String text = message.payloadText();
        if (!current.matches(text) || !isUtf8(text, message)) {
            return Verdict.pass();
        }
        if (current.mode() == Mode.CONSUME) {
            LOG.debug("{}: consumed {}", name, message);
            return CONSUMED;
        }
        LOG.debug("{}: masked {}", name, message);
        Message masked = message.toBuilder()
                .payload(current.mask(text))
                .payloadUtf8(message.payloadUtf8()) // keep the sender's format indicator
                .build();
        return Verdict.replace(masked);
    }

    /** The name this instance logs with and publishes. */
    String name() {
        return name;
    }

    /** The rules in force. */
    ProfanityRules rules() {
        return rules;
    }

    private void apply(ComponentContext context, ProfanityRules compiled) {
        Dictionary<String, Object> properties = context.getProperties();
        String newName = instanceName(compiled.configuredName(), properties);
        rules = compiled;
        name = newName;
        publish(context, serviceProperties(properties, compiled, newName));
    }

    /**
     * The instance name: {@code switchboard.module.name} if the configuration sets one, otherwise
     * {@code profanity:<name>} for the factory configuration {@code <factoryPid>~<name>}.
     */
    static String instanceName(String configured, Dictionary<String, Object> properties) {
        if (configured != null && !configured.isEmpty() && !configured.equals(BASE_NAME)) {
            return configured;
        }
        Object pid = properties.get(Constants.SERVICE_PID);
        Object factoryPid = properties.get("service.factoryPid");
        String prefix = (factoryPid instanceof String f ? f : PID);
        if (pid instanceof String p && p.length() > prefix.length() + 1 && p.startsWith(prefix)) {
            // Configuration Admin 1.6 names factory configurations <factoryPid>~<name>; older
            // ones generated <factoryPid>.<uuid>: skip the separator either way.
            return BASE_NAME + ":" + p.substring(prefix.length() + 1);
        }
        return pid instanceof String p ? BASE_NAME + ":" + p : BASE_NAME;
    }

    /**
     * What DS would publish (the public component properties), with the last good values of the
     * properties the broker reads: the instance name, the ranking as an Integer (a .cfg file gives a
     * String, which would rank as 0) and the topics as a String[].
     */
    static Hashtable<String, Object> serviceProperties(Dictionary<String, Object> componentProperties,
            ProfanityRules compiled, String instanceName) {
        Hashtable<String, Object> properties = new Hashtable<>();
        for (Enumeration<String> keys = componentProperties.keys(); keys.hasMoreElements(); ) {
            String key = keys.nextElement();
            if (!key.startsWith(".")) { // private properties are not published
                properties.put(key, componentProperties.get(key));
            }
        }
        properties.put(ModuleProperties.NAME, instanceName);
        properties.put(Constants.SERVICE_RANKING, compiled.ranking());
        properties.put(ModuleProperties.TOPICS, compiled.topics().toArray(String[]::new));
        return properties;
    }

    /**
     * Sets the service properties. Standard DS publishes the configuration as it is and offers no way
     * to derive a property; Felix SCR (the DS runtime Switchboard ships) does, with
     * {@link ExtComponentContext#setServiceProperties}. A rejected change does not call this, so the
     * registration keeps the last good name, ranking and topics too.
     */
    private static void publish(ComponentContext context, Hashtable<String, Object> properties) {
        if (context instanceof ExtComponentContext felix) {
            felix.setServiceProperties(properties);
        }
    }

    /**
     * Whether the payload is UTF-8. Decoding turns invalid bytes into U+FFFD, so a text without one
     * was valid; only a text with one (rare) needs the strict check.
     */
    private static boolean isUtf8(String decoded, Message message) {
        if (decoded.indexOf('\uFFFD') < 0) {
            return true;
        }
        try {
            StandardCharsets.UTF_8.newDecoder().decode(message.payload());
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }
}
