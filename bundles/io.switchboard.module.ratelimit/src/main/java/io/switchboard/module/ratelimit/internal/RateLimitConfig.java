package io.switchboard.module.ratelimit.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * The rate limit's configuration (PID {@value RateLimitModule#PID}). Values are only read here;
 * {@link RateLimitSettings#compile} checks them. A member name maps to a property name with {@code _}
 * as {@code .} ({@code client_rate} is {@code client.rate}).
 */
@ObjectClassDefinition(
        name = "Switchboard rate limit",
        description = "Per-client and per-topic token buckets: a message over a limit is consumed with reason code "
                + "0x97 (quota exceeded).")
@interface RateLimitConfig {

    @AttributeDefinition(name = "Client rate",
            description = "How many messages each client session may publish: 100 or 100/s, 600/m, 10/h. "
                    + "0 turns the per-client limit off.")
    String client_rate() default "100/s";

    @AttributeDefinition(name = "Client burst",
            description = "How many messages a client may publish at once after being quiet. 0: one second's worth "
                    + "of the client rate (at least 1).")
    long client_burst() default 0;

    @AttributeDefinition(name = "Topic rules",
            description = "Limits shared by everyone publishing to matching topics: entries <topic filter>:<rate>[:<burst>], "
                    + "e.g. sensors/#:100/s or sensors/#:100/s:500. A message counts against the first matching rule. "
                    + "An array, or a comma-separated list.",
            required = false)
    String[] topic_rules() default {};

    @AttributeDefinition(name = "Exempt users",
            description = "Users (as they logged in) whose messages are never limited. An array, or a comma-separated list.",
            required = false)
    String[] exempt_users() default {};

    @AttributeDefinition(name = "Ranking",
            description = "Place in the module chain: higher runs earlier. High by default, so that refused messages "
                    + "cost the modules after it nothing.")
    int service_ranking() default 1000;

    @AttributeDefinition(name = "Module name",
            description = "The name in logs and the shell.",
            required = false)
    String switchboard_module_name() default RateLimitModule.BASE_NAME;
}
