package io.switchboard.store.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Configuration of the store (PID {@code io.switchboard.store}); read at start, a change restarts the store. */
@ObjectClassDefinition(name = "Switchboard store", description = "Where and how the broker keeps its state across restarts")
public @interface StoreConfig {

    @AttributeDefinition(description = "Keep sessions, queued and in-flight messages and retained messages on disk (false: in memory only, lost at every stop)")
    boolean persistence() default true;

    @AttributeDefinition(description = "Directory of the store; empty means data/store in the distribution (switchboard.home), else the bundle's own data area")
    String directory() default "";

    @AttributeDefinition(description = "os: a batch is handed to the operating system before the broker acknowledges it (survives the process being killed); fsync: it is on the disk device (survives a power loss), at the cost of one fsync per batch",
            options = {@org.osgi.service.metatype.annotations.Option(value = "os"), @org.osgi.service.metatype.annotations.Option(value = "fsync")})
    String sync() default "os";
}
