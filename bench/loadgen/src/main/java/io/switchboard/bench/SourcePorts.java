package io.switchboard.bench;

import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Gives each new client connection its own local address and port: 127.0.0.N, N+1, ... with the ports of the
 * kernel's ephemeral range one after another on each, so that no two connections of a run share a
 * (address, port) pair.
 *
 * <p>Why the generator picks ports itself: binding to an address with port 0 makes the kernel search the whole
 * port range for a free port on every bind, and ports of closed connections stay taken while they wait in
 * TIME_WAIT (a minute). A storm of 20,000 short connections then spent its time in that search: the generator
 * used 37 s of kernel CPU for 45 s of run and every broker measured ~450–550 connections/s. Binding to a chosen
 * port is one lookup. With {@code SO_REUSEADDR} the bind also succeeds on a port whose previous connection (an
 * earlier run's) is still in TIME_WAIT; Linux then lets {@code connect} take that connection's place on loopback
 * ({@code net.ipv4.tcp_tw_reuse} 1 or 2, the default).
 */
final class SourcePorts {
    private static final Path PORT_RANGE = Path.of("/proc/sys/net/ipv4/ip_local_port_range");
    private static final int DEFAULT_LOW = 32768;
    private static final int DEFAULT_HIGH = 60999;

    private final int firstAddress;
    private final int low;
    private final int perAddress;
    private long next;

    /** Starts at 127.0.0.{@code firstAddress}, the first port of the ephemeral range; {@code perAddress} ports each at most. */
    SourcePorts(int firstAddress, int perAddress) {
        int[] range = ephemeralRange();
        this.firstAddress = firstAddress;
        this.low = range[0];
        this.perAddress = Math.min(perAddress, range[1] - range[0] + 1);
        if (this.perAddress < 1) {
            throw new IllegalArgumentException("no local ports to use");
        }
    }

    /** Connections one source address carries. */
    int perAddress() {
        return perAddress;
    }

    /**
     * Binds {@code channel} to the next free (address, port); a port some other socket holds (a listener, a
     * connection without {@code SO_REUSEADDR}) is skipped.
     */
    void bindNext(SocketChannel channel) throws IOException {
        channel.setOption(StandardSocketOptions.SO_REUSEADDR, true);
        for (int attempt = 0; ; attempt++) {
            long slot = next++;
            String address = "127.0.0." + (firstAddress + slot / perAddress);
            int port = low + (int) (slot % perAddress);
            try {
                channel.bind(new InetSocketAddress(address, port));
                return;
            } catch (BindException taken) {
                if (attempt >= perAddress) {
                    throw new IOException("no free local port on " + address + " (tried " + attempt + ")", taken);
                }
            }
        }
    }

    /** The kernel's ephemeral port range (Linux), or 32768–60999 when it cannot be read. */
    static int[] ephemeralRange() {
        try {
            String[] parts = Files.readString(PORT_RANGE).trim().split("\\s+");
            return new int[] {Integer.parseInt(parts[0]), Integer.parseInt(parts[1])};
        } catch (IOException | RuntimeException e) {
            return new int[] {DEFAULT_LOW, DEFAULT_HIGH};
        }
    }
}
