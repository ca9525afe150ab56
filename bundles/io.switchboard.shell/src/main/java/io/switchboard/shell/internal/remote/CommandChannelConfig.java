package io.switchboard.shell.internal.remote;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(
        name = "Switchboard shell channel",
        description = "The local command channel used by bin/switchboard-shell: a Unix domain socket, owner-only.")
@interface CommandChannelConfig {

    @AttributeDefinition(name = "Enabled", description = "Listen for bin/switchboard-shell.")
    boolean enabled() default true;

    @AttributeDefinition(name = "Socket path",
            description = "The socket file; empty means <switchboard.home>/data/shell.sock.")
    String socket_path() default "";

    @AttributeDefinition(name = "Threads", description = "Commands run at the same time (1..16).", min = "1", max = "16")
    int threads() default 2;

    @AttributeDefinition(name = "Output limit",
            description = "Bytes of output (and of error text) returned per command; the rest is cut (1024..268435456).",
            min = "1024", max = "268435456")
    int max_output_bytes() default 16 * 1024 * 1024;
}
