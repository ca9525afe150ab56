package io.switchboard.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.Selector;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The two write modes against a local socket that only reads: per-message makes one write syscall per
 * PUBLISH, batched one for all that are due. Counted on the writing side (a reader may see writes
 * coalesced by TCP), then the reader checks the bytes are the PUBLISHes in order.
 */
@Timeout(30)
class PublisherWritesTest {
    private ServerSocket server;
    private Selector selector;
    private Connection connection;
    private Socket accepted;
    private PublishFrame frame;

    @BeforeEach
    void connect() throws Exception {
        server = new ServerSocket();
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        selector = Selector.open();
        connection = Connection.open("publisher 0", selector, "127.0.0.1", server.getLocalPort(), 4096, 64 << 10);
        accepted = server.accept();
        accepted.setSoTimeout(10_000);
    }

    @AfterEach
    void close() throws Exception {
        connection.close();
        accepted.close();
        server.close();
        selector.close();
    }

    private RateRun.Publisher publisher(int qos) {
        frame = new PublishFrame("bench/t/0", qos, 64, 0);
        return new RateRun.Publisher(connection, frame, 1_000);
    }

    @Test
    void perMessageWritesEachPublishByItself() throws Exception {
        RateRun.Publisher p = publisher(0);

        long written = RateRun.writePerMessage(p, 10, 0, 64, 100);

        assertThat(written).isEqualTo(10);
        assertThat(p.sent).isEqualTo(10);
        assertThat(connection.writeCalls).isEqualTo(10);
        assertThat(connection.hasPendingOutput()).isFalse();
        assertPublishes(10, 0);
    }

    @Test
    void perMessageStopsAtTheBurstBoundAndGoesOnLater() throws Exception {
        RateRun.Publisher p = publisher(0);

        assertThat(RateRun.writePerMessage(p, 100, 0, 64, 16)).isEqualTo(16);
        assertThat(RateRun.writePerMessage(p, 20, 0, 64, 16)).isEqualTo(4);

        assertThat(connection.writeCalls).isEqualTo(20);
        assertPublishes(20, 0);
    }

    @Test
    void perMessageAtQos1StopsAtAFullWindow() throws Exception {
        RateRun.Publisher p = publisher(1);

        assertThat(RateRun.writePerMessage(p, 10, 1, 4, 100)).isEqualTo(4);
        assertThat(p.inFlight).isEqualTo(4);
        p.release(1);
        assertThat(RateRun.writePerMessage(p, 10, 1, 4, 100)).isEqualTo(1);

        assertThat(connection.writeCalls).isEqualTo(5);
        assertPublishes(5, 1);
    }

    @Test
    void batchedWritesEverythingDueInOneWrite() throws Exception {
        RateRun.Publisher p = publisher(0);

        long added = RateRun.writeBatched(p, 10, System.nanoTime(), 0, 64);
        connection.flush();

        assertThat(added).isEqualTo(10);
        assertThat(connection.writeCalls).isEqualTo(1);
        assertPublishes(10, 0);
    }

    /** The reader gets exactly {@code n} PUBLISHes with sequence numbers 0..n-1 (and packet ids 1..n at QoS 1). */
    private void assertPublishes(int n, int qos) throws Exception {
        InputStream in = accepted.getInputStream();
        ByteBuffer bytes = ByteBuffer.wrap(in.readNBytes(n * frame.size()));
        assertThat(bytes.remaining()).isEqualTo(n * frame.size());
        FrameParser parser = new FrameParser();
        for (int i = 0; i < n; i++) {
            assertThat(parser.next(bytes)).isTrue();
            assertThat(parser.type).isEqualTo(Mqtt.PUBLISH);
            int position = parser.bodyStart + 2 + (bytes.getShort(parser.bodyStart) & 0xFFFF);
            if (qos > 0) {
                assertThat(bytes.getShort(position) & 0xFFFF).isEqualTo(i + 1);
                position += 2;
            }
            assertThat(bytes.getInt(position)).isZero(); // publisher index
            assertThat(bytes.getLong(position + 4)).isEqualTo(i); // sequence
        }
        assertThat(parser.next(bytes)).isFalse();
        assertThat(bytes.hasRemaining()).isFalse();
    }
}
