package io.switchboard.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SourcePortsTest {

    private final List<java.nio.channels.Channel> open = new ArrayList<>();
    private final int low = SourcePorts.ephemeralRange()[0];

    @AfterEach
    void close() throws IOException {
        for (var c : open) {
            c.close();
        }
    }

    @Test
    void eachConnectionGetsTheNextPortThenTheNextAddress() throws IOException {
        SourcePorts ports = new SourcePorts(240, 2);

        assertEquals(new InetSocketAddress("127.0.0.240", low), bound(ports));
        assertEquals(new InetSocketAddress("127.0.0.240", low + 1), bound(ports));
        assertEquals(new InetSocketAddress("127.0.0.241", low), bound(ports));
    }

    @Test
    void aPortAnotherSocketHoldsIsSkipped() throws IOException {
        ServerSocketChannel listener = ServerSocketChannel.open();
        open.add(listener);
        listener.bind(new InetSocketAddress("127.0.0.242", low));
        SourcePorts ports = new SourcePorts(242, 10);

        assertEquals(new InetSocketAddress("127.0.0.242", low + 1), bound(ports));
    }

    private InetSocketAddress bound(SourcePorts ports) throws IOException {
        SocketChannel channel = SocketChannel.open();
        open.add(channel);
        ports.bindNext(channel);
        return (InetSocketAddress) channel.getLocalAddress();
    }
}
