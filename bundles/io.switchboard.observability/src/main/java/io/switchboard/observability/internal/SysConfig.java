package io.switchboard.observability.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** The configuration of the {@code $SYS} topics (PID {@value SysTopicsPublisher#PID}). */
@ObjectClassDefinition(name = "Switchboard $SYS topics",
        description = "The broker's status as retained $SYS/broker/... messages, with Mosquitto's topic names.")
@interface SysConfig {

    @AttributeDefinition(name = "Interval (seconds)",
            description = "Seconds between two publications of the $SYS topics (Mosquitto's sys_interval); 0 publishes none.")
    long sys_interval() default 10;
}
