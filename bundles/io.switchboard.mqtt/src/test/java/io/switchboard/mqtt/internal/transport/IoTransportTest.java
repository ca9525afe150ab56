package io.switchboard.mqtt.internal.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Map;

import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import org.junit.jupiter.api.Test;

class IoTransportTest {

    @Test
    void nativeEpollWhereItLoads() {
        IoTransport t = IoTransport.choose(true, () -> true, () -> null);

        assertThat(t.name()).isEqualTo(IoTransport.EPOLL);
        assertThat(t.serverChannel()).isEqualTo(EpollServerSocketChannel.class);
        assertThat(t.reason()).isNull();
    }

    @Test
    void nioWithTheLoadersReasonWhereItDoesNot() {
        Throwable cause = new IllegalStateException("failed to load the required native library",
                new UnsatisfiedLinkError("no netty_transport_native_epoll_aarch_64 in java.library.path"));

        IoTransport t = IoTransport.choose(true, () -> false, () -> cause);

        assertThat(t.name()).isEqualTo(IoTransport.NIO);
        assertThat(t.serverChannel()).isEqualTo(NioServerSocketChannel.class);
        assertThat(t.reason()).startsWith("native epoll unavailable: ")
                .contains("failed to load the required native library")
                .contains("no netty_transport_native_epoll_aarch_64");
        assertThat(t.handlers().get()).isNotNull();
    }

    @Test
    void nioWhenTheConfigurationSaysSoWithoutAskingForEpoll() {
        IoTransport t = IoTransport.choose(false, () -> {
            throw new AssertionError("not asked when native.transport = false");
        }, () -> null);

        assertThat(t.name()).isEqualTo(IoTransport.NIO);
        assertThat(t.reason()).isEqualTo("native.transport = false in the configuration");
    }

    @Test
    void theEventLoopsRunEpollOnLinuxX86AndNioWhenConfigured() {
        assumeTrue(System.getProperty("os.name").equals("Linux") && System.getProperty("os.arch").equals("amd64"),
                "the test class path has the Linux x86-64 library only");
        assertThat(loopsTransport(Map.of())).isEqualTo(IoTransport.EPOLL);
        assertThat(loopsTransport(Map.of("native.transport", "false"))).isEqualTo(IoTransport.NIO);
    }

    private static String loopsTransport(Map<String, Object> config) {
        EventLoops loops = new EventLoops();
        loops.activate(Configs.of(EventLoops.Config.class, config));
        try {
            return loops.transport();
        } finally {
            loops.deactivate();
        }
    }
}
