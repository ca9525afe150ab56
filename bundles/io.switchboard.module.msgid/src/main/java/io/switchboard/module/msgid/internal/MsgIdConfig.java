package io.switchboard.module.msgid.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** The message id generator's configuration (PID {@value SnowflakeIds#PID}); optional. */
@ObjectClassDefinition(
        name = "Switchboard message ids",
        description = "Time-ordered, node-tagged 64-bit message ids (Snowflake-like).")
@interface MsgIdConfig {

    @AttributeDefinition(name = "Node id",
            description = "0..1023; unique per broker whose ids must never collide (e.g. a cluster). "
                    + "A change applies to the next id.")
    int node_id() default 0;

    @AttributeDefinition(name = "Ranking",
            description = "Among several MessageIdGenerator services the broker uses the highest-ranked one.")
    int service_ranking() default 0;
}
