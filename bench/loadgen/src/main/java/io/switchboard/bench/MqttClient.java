package io.switchboard.bench;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;

/**
 * A blocking MQTT 3.1.1 client for the persistence runs (crash loss, recovery), where one connection does
 * one thing at a time: CONNECT with or without a clean session, SUBSCRIBE, then either publish (a writer
 * and a reader thread) or read deliveries. Not for the load runs, which use {@link RateRun}'s event loop.
 */
final class MqttClient implements AutoCloseable {

    /** One packet read: type, fixed-header flags and the body after the remaining length. */
    record Packet(int type, int flags, byte[] body) {
        int packetId() {
            return (body[0] & 0xFF) << 8 | body[1] & 0xFF;
        }
    }

    final String clientId;
    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    /** The CONNACK's session-present flag. */
    boolean sessionPresent;

    private MqttClient(String clientId, Socket socket) throws IOException {
        this.clientId = clientId;
        this.socket = socket;
        this.in = new DataInputStream(new BufferedInputStream(socket.getInputStream(), 1 << 16));
        this.out = new BufferedOutputStream(socket.getOutputStream(), 1 << 16);
    }

    /** Connects and waits for the CONNACK (bounded by {@code timeoutMillis}); a refusal is an exception. */
    static MqttClient connect(String host, int port, String clientId, boolean cleanSession, int timeoutMillis) throws IOException {
        Socket socket = new Socket();
        try {
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress(host, port), timeoutMillis);
            socket.setSoTimeout(timeoutMillis);
            MqttClient c = new MqttClient(clientId, socket);
            c.write(Mqtt.connect(clientId, RateRun.KEEP_ALIVE_SECONDS, cleanSession));
            c.flush();
            Packet connack = c.read();
            if (connack == null || connack.type() != Mqtt.CONNACK) {
                throw new BenchException(clientId + ": expected CONNACK, got " + (connack == null ? "nothing" : "packet type " + connack.type()));
            }
            if ((connack.body()[1] & 0xFF) != 0) {
                throw new BenchException(clientId + ": CONNECT refused with return code " + (connack.body()[1] & 0xFF));
            }
            c.sessionPresent = (connack.body()[0] & 1) != 0;
            return c;
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    /** Subscribes one filter and waits for the SUBACK; a refusal (0x80) is an exception. */
    void subscribe(String filter, int qos) throws IOException {
        write(Mqtt.subscribe(1, filter, qos));
        flush();
        Packet p = read();
        if (p == null || p.type() != Mqtt.SUBACK) {
            // subscribing is for fresh sessions only: a delivery here would be a message this client skipped
            throw new BenchException(clientId + ": expected SUBACK, got " + (p == null ? "nothing" : "packet type " + p.type()));
        }
        if ((p.body()[2] & 0xFF) == 0x80) {
            throw new BenchException(clientId + ": SUBSCRIBE " + filter + " refused");
        }
    }

    /** Sets how long {@link #read} waits; 0 waits for ever. */
    void readTimeout(int millis) throws IOException {
        socket.setSoTimeout(millis);
    }

    /** The next packet, or null when nothing came within the read timeout. End of stream is an EOFException. */
    Packet read() throws IOException {
        int first;
        try {
            first = in.read();
        } catch (SocketTimeoutException e) {
            return null;
        }
        if (first < 0) {
            throw new EOFException(clientId + ": the broker closed the connection");
        }
        int length = 0;
        int multiplier = 1;
        for (int i = 0; ; i++) {
            int digit = in.readUnsignedByte();
            length += (digit & 0x7F) * multiplier;
            if ((digit & 0x80) == 0) {
                break;
            }
            if (i == 3) {
                throw new IOException(clientId + ": malformed remaining length");
            }
            multiplier *= 128;
        }
        byte[] body = new byte[length];
        in.readFully(body);
        return new Packet(first >>> 4, first & 0x0F, body);
    }

    /** Whether a packet is waiting in the read buffer (so a reader can batch its acknowledgements). */
    boolean inputPending() throws IOException {
        return in.available() > 0;
    }

    void write(byte[] bytes) throws IOException {
        out.write(bytes);
    }

    void write(ByteBuffer heap) throws IOException {
        out.write(heap.array(), heap.arrayOffset(), heap.position());
    }

    void ack(int type, int packetId) throws IOException {
        out.write(type << 4 | (type == Mqtt.PUBREL ? 0x02 : 0));
        out.write(2);
        out.write(packetId >>> 8);
        out.write(packetId & 0xFF);
    }

    void flush() throws IOException {
        out.flush();
    }

    /** DISCONNECT (so a will is not sent and the session goes offline normally), then close. */
    void disconnect() {
        try {
            out.write(Mqtt.DISCONNECT_PACKET);
            out.flush();
        } catch (IOException ignored) {
            // closing anyway
        }
        close();
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // nothing left to do
        }
    }

    /** Ends a persistent session: CONNECT with a clean session under its client id, then DISCONNECT. */
    static void endSession(String host, int port, String clientId, int timeoutMillis) throws IOException {
        MqttClient c = connect(host, port, clientId, true, timeoutMillis);
        c.disconnect();
    }
}
