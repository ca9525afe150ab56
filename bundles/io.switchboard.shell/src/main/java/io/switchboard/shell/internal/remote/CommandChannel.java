package io.switchboard.shell.internal.remote;

import java.io.IOException;
import java.nio.file.Path;

import org.apache.felix.service.command.CommandProcessor;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The local command channel: runs Gogo commands sent by {@code bin/switchboard-shell} from another
 * terminal against the running broker.
 *
 * <p>Listens on the Unix domain socket {@code <switchboard.home>/data/shell.sock} (the framework
 * property {@code switchboard.home} is set by the launcher; without it and without a configured
 * path the channel stays off). The socket is 0600 in a 0700 directory, so only the broker's OS user
 * can use it; there is no TCP port. A stale socket file left by a killed broker is deleted on
 * start; the socket is removed on deactivation. The protocol is described in {@link WireProtocol}.
 *
 * <table>
 * <caption>configuration (PID {@value #PID})</caption>
 * <tr><th>property</th><th>default</th><th>meaning</th></tr>
 * <tr><td>enabled</td><td>true</td><td>listen at all</td></tr>
 * <tr><td>socket.path</td><td>(empty)</td><td>the socket file; empty means {@code <switchboard.home>/data/shell.sock}</td></tr>
 * <tr><td>threads</td><td>2</td><td>commands run at the same time (1..16)</td></tr>
 * <tr><td>max.output.bytes</td><td>16 MiB</td><td>output (and error text) returned per command</td></tr>
 * </table>
 */
@Component(configurationPid = CommandChannel.PID, service = {})
@Designate(ocd = CommandChannelConfig.class)
public final class CommandChannel {

    static final String PID = "io.switchboard.shell.channel";
    static final String HOME_PROPERTY = "switchboard.home";

    private static final Logger LOG = LoggerFactory.getLogger(CommandChannel.class);

    @Reference
    private CommandProcessor processor;

    private CommandServer server;

    @Activate
    void activate(BundleContext context, CommandChannelConfig config) throws IOException {
        if (!config.enabled()) {
            LOG.info("Shell channel disabled by configuration ({})", PID);
            return;
        }
        if (config.threads() < 1 || config.threads() > 16) {
            throw new IllegalArgumentException(PID + ": threads must be 1..16, was " + config.threads());
        }
        if (config.max_output_bytes() < 1024) {
            throw new IllegalArgumentException(PID + ": max.output.bytes must be at least 1024, was "
                    + config.max_output_bytes());
        }
        String home = context.getProperty(HOME_PROPERTY);
        Path socket;
        boolean ownDirectory;
        if (!config.socket_path().isBlank()) {
            socket = Path.of(config.socket_path());
            ownDirectory = false;
        } else if (home != null && !home.isBlank()) {
            socket = Path.of(home, "data", "shell.sock");
            ownDirectory = true;
        } else {
            LOG.info("Shell channel off: no framework property {} and no socket.path configured ({})",
                    HOME_PROPERTY, PID);
            return;
        }
        try {
            server = CommandServer.start(socket, ownDirectory,
                    new GogoExecutor(processor, config.max_output_bytes()), config.threads());
        } catch (IOException e) {
            LOG.error("Shell channel cannot listen on {}: {}", socket, e.getMessage());
            throw e;
        }
        LOG.info("Shell channel listening on {} (bin/switchboard-shell)", server.socket());
    }

    @Deactivate
    void deactivate() {
        CommandServer current = server;
        server = null;
        if (current != null) {
            current.close();
            LOG.info("Shell channel closed ({} removed)", current.socket());
        }
    }
}
