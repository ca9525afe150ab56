package io.switchboard.module.audit.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * The audit module's configuration (PID {@value AuditModule#PID}). Values are only read here;
 * {@link AuditSettings#compile} checks them.
 */
@ObjectClassDefinition(
        name = "Switchboard audit log",
        description = "Writes one JSON line per message, per decision and (opt-in) per message status event to a rotating file.")
@interface AuditConfig {

    @AttributeDefinition(name = "File",
            description = "The audit file: absolute, or relative to the broker's home (framework property "
                    + "switchboard.home; the working directory without one). Rotated files get .1, .2, ...")
    String path() default "logs/audit.jsonl";

    @AttributeDefinition(name = "Maximum file size",
            description = "Bytes; the file is rotated before a line would take it past this size.")
    long max_file_size() default 10 * 1024 * 1024;

    @AttributeDefinition(name = "Rotated files kept",
            description = "How many rotated files (path.1 newest ... path.N oldest) are kept; 0 keeps none.")
    int max_files() default 5;

    @AttributeDefinition(name = "Queue size",
            description = "Lines waiting for the writer thread. When full, a message line waits (overflow = wait) "
                    + "or is dropped (overflow = drop); status and decision lines may use as many again. "
                    + "Takes effect when the module restarts.")
    int queue_size() default 10_000;

    @AttributeDefinition(name = "Overflow",
            description = "wait: a message whose line finds the queue full waits (its publisher only, no thread "
                    + "blocks) until the line is queued: every line is kept. drop: the line is dropped and counted: "
                    + "a sampling log under load.",
            options = {
                @org.osgi.service.metatype.annotations.Option(label = "wait (lossless)", value = "wait"),
                @org.osgi.service.metatype.annotations.Option(label = "drop (sampling)", value = "drop")
            })
    String overflow() default "wait";

    @AttributeDefinition(name = "Events",
            description = "The lines written (comma-separated): message (who published what), decision (who was "
                    + "allowed or refused, by which module and rule), status (every SENT/DELIVERED/READ/EXPIRED/"
                    + "FAILED change: tracing, several lines per message).")
    String[] events() default {"message", "decision"};

    @AttributeDefinition(name = "Time budget",
            description = "Milliseconds the broker lets a publisher wait for its audit line before it passes the "
                    + "message anyway (the line is still written, and counted as late).")
    long switchboard_module_timeout() default 5000;

    @AttributeDefinition(name = "Payload bytes",
            description = "At most this many payload bytes per line (cut at a character boundary for text); "
                    + "0 (the default) writes no payload at all, only its size.")
    int max_payload_bytes() default 0;

    @AttributeDefinition(name = "Ranking",
            description = "Place in the module chain: high (the default) sees every message as published, "
                    + "before any module changes or consumes it.")
    int service_ranking() default 2000;

    @AttributeDefinition(name = "Topics",
            description = "MQTT topic filters of the messages and statuses to audit (comma-separated); empty for all.",
            required = false)
    String[] switchboard_module_topics() default {};
}
