package io.switchboard.mqtt.internal.transport;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;

/** Plain-socket helpers for the listener tests. */
final class Net {

    /** An MQTT 3.1.1 CONNECT (client id "t", clean session, keep-alive 60 s): what the stub answers doesn't depend on it. */
    static final byte[] CONNECT = {0x10, 0x0d, 0x00, 0x04, 'M', 'Q', 'T', 'T', 0x04, 0x02, 0x00, 0x3c, 0x00, 0x01, 't'};

    private Net() {
    }

    /** A port free on the loopback address right now. */
    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    static Socket connect(int port) throws IOException {
        Socket socket = new Socket(InetAddress.getLoopbackAddress(), port);
        socket.setSoTimeout(5000);
        return socket;
    }

    /** Sends a CONNECT and returns the answer's first four bytes. */
    static byte[] exchange(Socket socket) throws IOException {
        socket.getOutputStream().write(CONNECT);
        socket.getOutputStream().flush();
        return socket.getInputStream().readNBytes(4);
    }

    /** Whether the peer closed the connection (end of stream or reset) within the socket's timeout. */
    static boolean closedByPeer(Socket socket) throws IOException {
        try {
            return socket.getInputStream().read() == -1;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (SocketException e) {
            return true; // reset
        }
    }

    /**
     * Whether the port stops accepting connections within two seconds. Retried because a loopback connect
     * to a free ephemeral port can, rarely, connect to itself (TCP simultaneous open).
     */
    static boolean stopsAccepting(int port) throws InterruptedException {
        long deadline = System.nanoTime() + 2_000_000_000L;
        while (accepting(port)) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(20);
        }
        return true;
    }

    /** Whether something accepts connections on the port. */
    static boolean accepting(int port) {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
