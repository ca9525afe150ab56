package io.switchboard.mqtt.internal.transport;

import java.util.concurrent.TimeUnit;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Netty threads every listener shares: one boss group that accepts connections and one worker group
 * that runs them, on Linux's native epoll transport when it loads, else on NIO ({@link IoTransport}; one INFO
 * line at start says which, and why NIO). Registered as a service of this bundle only; created when the first listener
 * needs it and shut down gracefully when the last one goes (DS deactivates an unused delayed component).
 */
@Component(service = EventLoops.class, configurationPid = EventLoops.PID, configurationPolicy = ConfigurationPolicy.OPTIONAL)
@Designate(ocd = EventLoops.Config.class)
public final class EventLoops {

    /** The optional configuration's PID. */
    static final String PID = "io.switchboard.mqtt.eventloops";

    private static final Logger LOG = LoggerFactory.getLogger(EventLoops.class);
    /** How long a graceful shutdown waits for quiet, and at most, in seconds. */
    private static final long QUIET_SECONDS = 0;
    private static final long SHUTDOWN_SECONDS = 5;

    @ObjectClassDefinition(name = "Switchboard MQTT event loops",
            description = "The Netty threads shared by every MQTT listener. Changes apply when the last listener "
                    + "stops or at the next start.")
    @interface Config {
        @AttributeDefinition(name = "Worker threads",
                description = "Threads running the connections' I/O (and, for non-blocking module chains, the chains); "
                        + "0 = one per CPU core the JVM may use.")
        int worker_threads() default 0;

        @AttributeDefinition(name = "Native transport",
                description = "Use Linux's native epoll transport when it is available (less memory and work per "
                        + "connection); false = always the JDK's NIO.")
        boolean native_transport() default true;
    }

    private IoTransport transport;
    private EventLoopGroup boss;
    private EventLoopGroup workers;

    @Activate
    void activate(Config config) {
        int threads = config.worker_threads();
        if (threads < 0) {
            throw new IllegalArgumentException(PID + ": worker.threads: must be 0 (default) or more, was " + threads);
        }
        transport = IoTransport.choose(config.native_transport());
        boss = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("switchboard-mqtt-accept", true),
                transport.handlers().get());
        // One per core, not Netty's two: the loops do the work (decode, the chain when it runs here, encode), so
        // more loops than cores only add wake-ups; a publisher and its subscriber on one loop need none.
        int loops = threads == 0 ? Runtime.getRuntime().availableProcessors() : threads;
        workers = new MultiThreadIoEventLoopGroup(loops, new DefaultThreadFactory("switchboard-mqtt-io", true),
                transport.handlers().get());
        LOG.info("MQTT event loops started: {} transport, {} I/O thread{}{}", transport.name(), loops, loops == 1 ? "" : "s",
                transport.reason() == null ? "" : " (" + transport.reason() + ")");
    }

    /** Shuts both groups down, waiting up to a few seconds for their tasks to end. */
    @Deactivate
    void deactivate() {
        var bossDone = boss.shutdownGracefully(QUIET_SECONDS, SHUTDOWN_SECONDS, TimeUnit.SECONDS);
        var workersDone = workers.shutdownGracefully(QUIET_SECONDS, SHUTDOWN_SECONDS, TimeUnit.SECONDS);
        boolean stopped = bossDone.awaitUninterruptibly(SHUTDOWN_SECONDS + 1, TimeUnit.SECONDS)
                & workersDone.awaitUninterruptibly(SHUTDOWN_SECONDS + 1, TimeUnit.SECONDS);
        if (!stopped) {
            LOG.warn("MQTT event loops did not stop within {} s", SHUTDOWN_SECONDS + 1);
        }
        LOG.debug("MQTT event loops stopped");
    }

    /** Accepts connections. */
    EventLoopGroup boss() {
        return boss;
    }

    /** Runs the accepted connections. */
    EventLoopGroup workers() {
        return workers;
    }

    /** The server socket channel class of the transport the loops run: {@link #boss()} accepts with it. */
    Class<? extends ServerChannel> serverChannel() {
        return transport.serverChannel();
    }

    /** {@link IoTransport#EPOLL} or {@link IoTransport#NIO}. */
    String transport() {
        return transport.name();
    }
}
