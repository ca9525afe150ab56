package io.switchboard.core.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Configuration of the broker core (PID {@code io.switchboard.core}). */
@ObjectClassDefinition(name = "Switchboard core", description = "Workers and limits of the broker core")
public @interface CoreConfig {

    @AttributeDefinition(description = "Worker threads running module callbacks; 0 means one per CPU core. Takes effect at restart.", min = "0")
    int workers() default 0;

    @AttributeDefinition(name = "max.hops", description = "How many times a message sent by a module may lead to another module-sent message before the broker refuses it (loop bound)", min = "1")
    int max_hops() default 8;

    @AttributeDefinition(name = "max.retained.messages", description = "Topics that may hold a retained message; a retained publish to a new topic beyond it is refused (MQTT 5: 0x97 quota exceeded). Keeps the store bounded.", min = "1")
    int max_retained_messages() default 100_000;

    @AttributeDefinition(name = "max.retained.bytes", description = "Bytes all retained messages may hold together, payloads and topics; a retained publish that would pass it is refused (MQTT 5: 0x97 quota exceeded)", min = "1")
    long max_retained_bytes() default 256L * 1024 * 1024;

    @AttributeDefinition(name = "stop.timeout", description = "Milliseconds to wait for each worker to finish its queued work at shutdown", min = "0")
    long stop_timeout() default 5000;

    @AttributeDefinition(name = "quarantine.failures", description = "Failures or timeouts of one module within quarantine.window that take it out of the chain (quarantine) until an operator enables it again with sb:enable; 0 never quarantines", min = "0")
    int quarantine_failures() default 10;

    @AttributeDefinition(name = "quarantine.window", description = "Milliseconds over which a module's failures and timeouts are counted towards quarantine.failures", min = "1")
    long quarantine_window() default 60_000;

    @AttributeDefinition(name = "max.abandoned.threads", description = "Worker threads that may be abandoned at once to module calls blocking past their time budget; at the limit the blocking module is quarantined and its worker waits for the call instead", min = "0")
    int max_abandoned_threads() default 16;
}
