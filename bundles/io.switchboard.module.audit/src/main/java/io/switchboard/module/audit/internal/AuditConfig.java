package io.switchboard.module.audit.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * The audit module's configuration (PID {@value AuditModule#PID}). Values are only read here;
 * {@link AuditSettings#compile} checks them.
 */
@ObjectClassDefinition(
        name = "Switchboard audit log",
        description = "Writes one JSON line per message and per message status event to a rotating file.")
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
            description = "Lines waiting for the writer thread; when full, lines are dropped and counted, "
                    + "never waited for. Takes effect when the module restarts.")
    int queue_size() default 10_000;

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
