package io.switchboard.core.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Configuration of the broker core (PID {@code io.switchboard.core}). */
@ObjectClassDefinition(name = "Switchboard core", description = "Workers and limits of the broker core")
@interface CoreConfig {

    @AttributeDefinition(description = "Worker threads running module callbacks; 0 means one per CPU core. Takes effect at restart.", min = "0")
    int workers() default 0;

    @AttributeDefinition(name = "max.hops", description = "How many times a message sent by a module may lead to another module-sent message before the broker refuses it (loop bound)", min = "1")
    int max_hops() default 8;

    @AttributeDefinition(name = "stop.timeout", description = "Milliseconds to wait for each worker to finish its queued work at shutdown", min = "0")
    long stop_timeout() default 5000;
}
