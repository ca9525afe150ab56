package io.switchboard.module.callpolicy.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * The call policy's configuration (PID {@value CallPolicyModule#PID}). Values are only read here;
 * {@link CallPolicySettings#compile} checks them. A member name maps to a property name with {@code _}
 * as {@code .} ({@code time_zone} is {@code time.zone}).
 */
@ObjectClassDefinition(
        name = "Switchboard call policy",
        description = "Refuses calls to users in their do-not-disturb hours and records how long calls last.")
@interface CallPolicyConfig {

    @AttributeDefinition(name = "Do not disturb",
            description = "Hours in which a user takes no calls: entries <user>:<HH:MM>-<HH:MM>[@<time zone>], e.g. "
                    + "bob:22:00-07:00 (across midnight) or carol:00:00-08:00@America/New_York; a user may have several. "
                    + "An array, or a comma-separated list.",
            required = false)
    String[] dnd() default {};

    @AttributeDefinition(name = "Time zone",
            description = "The zone of the hours without their own, e.g. Europe/Berlin or UTC. Empty: the JVM's zone.",
            required = false)
    String time_zone() default "";

    @AttributeDefinition(name = "Refusal reason",
            description = "What a refused caller is told (MQTT 5 reason string); {callee} and {until} are replaced "
                    + "by the callee and the end of the do-not-disturb hours.")
    String dnd_reason() default "{callee} does not take calls now (do not disturb until {until})";

    @AttributeDefinition(name = "History size",
            description = "How many calls callpolicy:calls remembers, the newest; the oldest are forgotten first.")
    int history_size() default 100;

    @AttributeDefinition(name = "Ranking",
            description = "Place in the call chain: higher runs earlier.")
    int service_ranking() default 0;

    @AttributeDefinition(name = "Module name",
            description = "The name in logs and the shell.",
            required = false)
    String switchboard_module_name() default CallPolicyModule.BASE_NAME;
}
