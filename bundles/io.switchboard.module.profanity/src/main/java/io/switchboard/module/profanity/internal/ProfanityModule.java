package io.switchboard.module.profanity.internal;

import java.util.Map;

import org.osgi.framework.Constants;
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
 * <li>Typed configuration ({@link ProfanityConfig}): every attribute read and checked up front, in one
 * place ({@link ProfanityRules#compile}, with {@link io.switchboard.api.ConfigReader}), before anything is
 * applied. {@code @Activate} throws on a bad configuration, so DS shows the component as failed with the
 * message; {@code @Modified} keeps the last good rules and reports the problem through
 * {@link HostServices#reportProblem}, so {@code sb:modules} shows it beside the module (Felix SCR logs
 * and ignores an exception thrown there, leaving the instance active).</li>
 * <li>DS publishes the configuration as the service properties; the broker reads the module properties
 * from them (and keeps the last good ranking when a new one is not an integer).</li>
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
        nonblocking = true, // decides in memory; slow work would answer Verdict.later
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
    void activate(Map<String, Object> properties, ProfanityConfig config) {
        ProfanityRules compiled;
        try {
            compiled = ProfanityRules.compile(properties, config);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    instanceName("", properties) + ": invalid configuration: " + e.getMessage(), e);
        }
        apply(properties, compiled);
        LOG.info("{}: activated: {}", name, compiled);
    }

    /** New configuration, applied live; a bad one is logged and the last good rules stay. */
    @Modified
    void modified(Map<String, Object> properties, ProfanityConfig config) {
        ProfanityRules compiled;
        try {
            compiled = ProfanityRules.compile(properties, config);
        } catch (IllegalArgumentException e) {
            host.reportProblem(this, name + ": configuration rejected, keeping the last good one: " + e.getMessage());
            return;
        }
        host.reportProblem(this, null);
        apply(properties, compiled);
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
        // a payload that is not UTF-8 (binary data) is not text: passed without decoding or scanning it
        if (!message.payloadIsWellFormedUtf8()) {
            return Verdict.pass();
        }
        String text = message.payloadText();
        if (!current.matches(text)) {
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

    private void apply(Map<String, Object> properties, ProfanityRules compiled) {
        rules = compiled;
        name = instanceName(compiled.configuredName(), properties);
    }

    /**
     * The instance name, as the broker shows it: {@code switchboard.module.name} if the configuration
     * sets one, otherwise {@code profanity:<name>} for the factory configuration {@code <factoryPid>~<name>}.
     */
    static String instanceName(String configured, Map<String, Object> properties) {
        if (!configured.isEmpty() && !configured.equals(BASE_NAME)) {
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
}
