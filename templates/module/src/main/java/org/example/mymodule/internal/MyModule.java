package org.example.mymodule.internal;

import java.util.List;
import java.util.Map;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.Designate;

import io.switchboard.api.ConfigReader;
import io.switchboard.api.HostServices;
import io.switchboard.api.Maturity;
import io.switchboard.api.Message;
import io.switchboard.api.MessageModule;
import io.switchboard.api.ModuleType;
import io.switchboard.api.Session;
import io.switchboard.api.SwitchboardModule;
import io.switchboard.api.Verdict;

/**
 * mymodule: adds a user property to every message it sees. Replace {@link #onMessage} with what your
 * module does; override only the callbacks you need (the broker never calls the others).
 */
@Component(
        name = MyModule.PID,
        configurationPid = MyModule.PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL, // runs with the defaults until configured
        immediate = true,
        service = MessageModule.class)
@Designate(ocd = MyModuleConfig.class)
@SwitchboardModule(name = "mymodule", type = ModuleType.FILTER, maturity = Maturity.IN_DEVELOPMENT,
        description = "Tags every message with a user property")
public final class MyModule implements MessageModule {

    /** The configuration PID. */
    static final String PID = "org.example.mymodule";

    @Reference
    HostServices host;

    /** The configuration in force: checked once per change, read once per message. */
    private volatile Settings settings;

    record Settings(String name, String value, int ranking, List<String> topics) {
        /**
         * Reads and checks every attribute up front, before anything is applied; a bad value throws
         * naming the attribute, the value and what is expected.
         */
        static Settings of(Map<String, ?> properties, MyModuleConfig config) {
            ConfigReader in = ConfigReader.of(properties);
            String name = in.text("tag.name", config::tag_name);
            if (name.isEmpty()) {
                throw ConfigReader.invalid("tag.name", "must not be blank");
            }
            return new Settings(name, in.read("tag.value", config::tag_value),
                    in.integer("service.ranking", config::service_ranking, Integer.MIN_VALUE, Integer.MAX_VALUE),
                    in.list("switchboard.module.topics", config::switchboard_module_topics));
        }
    }

    /** Module activated; a bad configuration fails the activation with its reason. */
    @Activate
    void activate(Map<String, Object> properties, MyModuleConfig config) {
        try {
            settings = Settings.of(properties, config);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("mymodule: invalid configuration: " + e.getMessage(), e);
        }
        host.logger().info("mymodule: activated, tagging with {}={}", settings.name(), settings.value());
    }

    /**
     * New configuration, applied live; a bad one is reported (sb:modules shows it) and the last good one
     * stays. Not thrown: Felix SCR would log it and keep the module active anyway.
     */
    @Modified
    void modified(Map<String, Object> properties, MyModuleConfig config) {
        try {
            settings = Settings.of(properties, config);
            host.reportProblem(this, null);
        } catch (IllegalArgumentException e) {
            host.reportProblem(this, "mymodule: configuration rejected, keeping the last good one: " + e.getMessage());
        }
    }

    @Override
    public Verdict onMessage(Message message, Session sender) {
        Settings s = settings;
        return Verdict.replace(message.toBuilder().userProperty(s.name(), s.value()).build());
    }
}
