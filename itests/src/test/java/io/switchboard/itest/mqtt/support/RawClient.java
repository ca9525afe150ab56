package io.switchboard.itest.mqtt.support;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * An MQTT client on a raw socket that sends exactly the bytes a test gives it and reports exactly the
 * packets the broker sends back, for the wire-level checks (flags, packet identifiers, reason codes) and
 * for malformed input no client library would send. Runs over TCP, TLS or WebSocket (RFC 6455 framing
 * done here: masked binary frames out, frames of any kind in).
 *
 * <p>A reader thread decodes incoming packets into a queue; {@link #next} and {@link #expect} wait on it
 * with a bound, {@link #awaitClosed} waits for the broker to close the connection.
 */
public final class RawClient implements AutoCloseable {

    /** The default bound of a wait for a packet. */
    public static final Duration WAIT = Duration.ofSeconds(5);

    private static final Packet CLOSED = new Packet(-1, 0, new byte[0], 0);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Socket socket;
    private final OutputStream out;
    private final InputStream in;
    private final boolean websocket;
    private final BlockingQueue<Packet> received = new LinkedBlockingQueue<>();
    private final Map<String, String> handshakeHeaders;
    private final String handshakeStatus;
    private volatile int version = Packets.V5;
    private volatile boolean closed;
    private volatile String closeCause;
    private volatile int webSocketCloseCode = -1;
    private Thread reader;

    private RawClient(Socket socket, boolean websocket, String handshakeStatus, Map<String, String> handshakeHeaders,
            InputStream in) throws IOException {
        this.socket = socket;
        this.out = socket.getOutputStream();
        this.websocket = websocket;
        this.handshakeStatus = handshakeStatus;
        this.handshakeHeaders = handshakeHeaders;
        this.in = websocket ? new FrameInput(in) : in;
    }

    /** Opens a connection to {@code transport}'s listener (for WebSocket: the handshake with subprotocol {@code mqtt}). */
    public static RawClient open(Broker broker, Transport transport) throws IOException {
        if (transport.websocket()) {
            RawClient client = openWebSocket(broker, transport, Broker.WEBSOCKET_PATH, "mqtt");
            if (!client.handshakeStatus.contains(" 101")) {
                client.close();
                throw new IOException("WebSocket handshake refused: " + client.handshakeStatus + " " + client.handshakeHeaders);
            }
            return client;
        }
        Socket socket = socket(broker, transport);
        RawClient client = new RawClient(socket, false, null, Map.of(), socket.getInputStream());
        client.startReader();
        return client;
    }

    /** Opens a plain TCP connection to another port of the broker's host (e.g. a listener a test added). */
    public static RawClient openPort(Broker broker, int port) throws IOException {
        return openAddress(broker.host(), port);
    }

    /** Opens a plain TCP connection to {@code host}:{@code port} (a listener a test bound to another address). */
    public static RawClient openAddress(String host, int port) throws IOException {
        Socket socket = new Socket();
        socket.setTcpNoDelay(true);
        socket.connect(new InetSocketAddress(host, port), 5000);
        RawClient client = new RawClient(socket, false, null, Map.of(), socket.getInputStream());
        client.startReader();
        return client;
    }

    /** Opens a plain TCP connection to the TCP listener from the local address {@code source} (e.g. 127.0.0.2). */
    public static RawClient openFrom(Broker broker, InetAddress source) throws IOException {
        Socket socket = new Socket();
        socket.setTcpNoDelay(true);
        socket.bind(new InetSocketAddress(source, 0));
        socket.connect(new InetSocketAddress(broker.host(), broker.port(Transport.TCP)), 5000);
        RawClient client = new RawClient(socket, false, null, Map.of(), socket.getInputStream());
        client.startReader();
        return client;
    }

    /**
     * Opens a WebSocket connection with {@code path} and offered {@code subprotocol} (none if {@code null}),
     * whatever the server answers: see {@link #handshakeStatus()} and {@link #handshakeHeader}.
     */
    public static RawClient openWebSocket(Broker broker, String path, String subprotocol) throws IOException {
        return openWebSocket(broker, Transport.WEBSOCKET, path, subprotocol);
    }

    /** Like {@link #openWebSocket(Broker, String, String)} on the WebSocket listener of {@code transport} (ws or wss). */
    public static RawClient openWebSocket(Broker broker, Transport transport, String path, String subprotocol) throws IOException {
        Socket socket = socket(broker, transport);
        String key = Base64.getEncoder().encodeToString(RANDOM.generateSeed(16));
        StringBuilder request = new StringBuilder()
                .append("GET ").append(path).append(" HTTP/1.1\r\n")
                .append("Host: ").append(broker.host()).append(':').append(broker.port(transport)).append("\r\n")
                .append("Upgrade: websocket\r\n")
                .append("Connection: Upgrade\r\n")
                .append("Sec-WebSocket-Key: ").append(key).append("\r\n")
                .append("Sec-WebSocket-Version: 13\r\n");
        if (subprotocol != null) {
            request.append("Sec-WebSocket-Protocol: ").append(subprotocol).append("\r\n");
        }
        request.append("\r\n");
        socket.getOutputStream().write(request.toString().getBytes(StandardCharsets.US_ASCII));
        socket.getOutputStream().flush();

        InputStream raw = socket.getInputStream();
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = raw.read();
            if (b < 0) {
                break;
            }
            head.write(b);
            matched = (b == '\r' && (matched == 0 || matched == 2)) || (b == '\n' && (matched == 1 || matched == 3)) ? matched + 1
                    : (b == '\r' ? 1 : 0);
        }
        String[] lines = head.toString(StandardCharsets.ISO_8859_1).split("\r\n");
        String status = lines.length > 0 ? lines[0] : "(no answer)";
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0) {
                headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
            }
        }
        RawClient client = new RawClient(socket, true, status, headers, raw);
        if (status.contains(" 101")) {
            client.startReader();
        }
        return client;
    }

    private static Socket socket(Broker broker, Transport transport) throws IOException {
        Socket plain = new Socket();
        plain.setTcpNoDelay(true);
        plain.connect(new InetSocketAddress(broker.host(), broker.port(transport)), 5000);
        if (!transport.tls()) {
            return plain;
        }
        SSLSocket tls = (SSLSocket) broker.keys().socketFactory().createSocket(plain, "localhost", broker.port(transport), true);
        SSLParameters parameters = tls.getSSLParameters();
        parameters.setServerNames(List.of(new SNIHostName("localhost")));
        parameters.setEndpointIdentificationAlgorithm("HTTPS");
        tls.setSSLParameters(parameters);
        tls.startHandshake();
        return tls;
    }

    private void startReader() {
        reader = new Thread(this::readLoop, "raw-mqtt-reader");
        reader.setDaemon(true);
        reader.start();
    }

    private void readLoop() {
        try {
            while (true) {
                int first = in.read();
                if (first < 0) {
                    closeCause = "end of stream";
                    break;
                }
                int length = 0;
                int multiplier = 1;
                for (int i = 0; ; i++) {
                    int digit = in.read();
                    if (digit < 0) {
                        throw new EOFException("inside a fixed header");
                    }
                    length += (digit & 0x7f) * multiplier;
                    if ((digit & 0x80) == 0) {
                        break;
                    }
                    if (i == 3) {
                        throw new IOException("malformed remaining length from the broker");
                    }
                    multiplier *= 128;
                }
                byte[] body = in.readNBytes(length);
                if (body.length < length) {
                    throw new EOFException("inside a packet body");
                }
                received.add(new Packet((first >> 4) & 0x0f, first & 0x0f, body, version));
            }
        } catch (IOException e) {
            closeCause = e.toString();
        } finally {
            closed = true;
            received.add(CLOSED);
        }
    }

    // ------------------------------------------------------------------------------ sending

    /** The protocol version packets are decoded for (set by {@link #connect}). */
    public RawClient version(int protocolVersion) {
        this.version = protocolVersion;
        return this;
    }

    /** Sends bytes: as they are over TCP/TLS, as one binary frame over WebSocket. */
    public RawClient send(byte[] bytes) throws IOException {
        if (websocket) {
            sendFrame(0x2, bytes, true);
        } else {
            synchronized (out) {
                out.write(bytes);
                out.flush();
            }
        }
        return this;
    }

    /** Sends bytes, ignoring a connection the broker already closed. */
    public RawClient sendQuietly(byte[] bytes) {
        try {
            send(bytes);
        } catch (IOException e) {
            // closed by the broker: what the caller checks next
        }
        return this;
    }

    /** Sends one WebSocket frame (opcode 0x1 text, 0x2 binary, 0x0 continuation, 0x8 close, 0x9 ping), masked. */
    public RawClient sendFrame(int opcode, byte[] payload, boolean fin) throws IOException {
        if (!websocket) {
            throw new IllegalStateException("not a WebSocket connection");
        }
        ByteArrayOutputStream frame = new ByteArrayOutputStream();
        frame.write((fin ? 0x80 : 0) | opcode);
        if (payload.length < 126) {
            frame.write(0x80 | payload.length);
        } else if (payload.length < 65536) {
            frame.write(0x80 | 126);
            frame.write(payload.length >> 8);
            frame.write(payload.length & 0xff);
        } else {
            frame.write(0x80 | 127);
            for (int shift = 56; shift >= 0; shift -= 8) {
                frame.write((int) (((long) payload.length >> shift) & 0xff));
            }
        }
        byte[] mask = new byte[4];
        RANDOM.nextBytes(mask);
        frame.writeBytes(mask);
        for (int i = 0; i < payload.length; i++) {
            frame.write(payload[i] ^ mask[i % 4]);
        }
        synchronized (out) {
            out.write(frame.toByteArray());
            out.flush();
        }
        return this;
    }

    /** Sends CONNECT and waits for the CONNACK (failing on anything else); decodes later packets for its version. */
    public Packet connect(Packets.Connect connect) throws IOException {
        version(connect.version());
        send(connect.encode());
        return expect(Packet.CONNACK);
    }

    /** Sends CONNECT with a clean start and the given client id and waits for a successful CONNACK. */
    public Packet connect(int protocolVersion, String clientId) throws IOException {
        Packet connack = connect(Packets.connect(protocolVersion, clientId));
        if (connack.reasonCode() != 0) {
            throw new AssertionError("CONNACK refused the connection: " + connack);
        }
        return connack;
    }

    /** Subscribes to one filter and returns the SUBACK. */
    public Packet subscribe(int packetId, String filter, int options) throws IOException {
        send(Packets.subscribe(version, packetId, filter, options));
        return expect(Packet.SUBACK);
    }

    // ------------------------------------------------------------------------------ receiving

    /** The next packet within {@code timeout}, or {@code null} if none came; fails if the broker closed the connection. */
    public Packet next(Duration timeout) {
        Packet packet = poll(timeout);
        if (packet == CLOSED) {
            received.add(CLOSED);
            throw new AssertionError("the broker closed the connection (" + closeCause + ")");
        }
        return packet;
    }

    /** The next packet within {@link #WAIT}; it must be of {@code type}. PINGRESPs are skipped unless expected. */
    public Packet expect(int type) {
        return expect(type, WAIT);
    }

    /** The next packet within {@code timeout}; it must be of {@code type}. PINGRESPs are skipped unless expected. */
    public Packet expect(int type, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Packet packet = next(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
            if (packet == null) {
                throw new AssertionError("no " + Packet.name(type) + " within " + timeout.toMillis() + " ms");
            }
            if (packet.type() == Packet.PINGRESP && type != Packet.PINGRESP) {
                continue;
            }
            if (packet.type() != type) {
                throw new AssertionError("expected " + Packet.name(type) + ", got " + packet);
            }
            return packet;
        }
    }

    /** Fails if a packet other than PINGRESP arrives within {@code window}. */
    public void expectNothing(Duration window) {
        long deadline = System.nanoTime() + window.toNanos();
        while (System.nanoTime() < deadline) {
            Packet packet = next(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
            if (packet != null && packet.type() != Packet.PINGRESP) {
                throw new AssertionError("expected no packet within " + window.toMillis() + " ms, got " + packet);
            }
        }
    }

    /**
     * Waits until the broker closes the connection; returns the packets received before (e.g. a CONNACK
     * or DISCONNECT with a reason code). Fails if it stays open for {@code timeout}.
     */
    public List<Packet> awaitClosed(Duration timeout) {
        List<Packet> before = new ArrayList<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Packet packet = poll(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
            if (packet == CLOSED) {
                received.add(CLOSED);
                return before;
            }
            if (packet == null) {
                throw new AssertionError("the broker did not close the connection within " + timeout.toMillis()
                        + " ms; received meanwhile: " + before);
            }
            before.add(packet);
        }
    }

    /** Whether the broker closed the connection (as far as the reader has seen). */
    public boolean isClosed() {
        return closed;
    }

    /** The WebSocket close status code the server sent, or -1. */
    public int webSocketCloseCode() {
        return webSocketCloseCode;
    }

    /** The status line of the WebSocket handshake's answer. */
    public String handshakeStatus() {
        return handshakeStatus;
    }

    /** A header of the WebSocket handshake's answer (name in any case), or {@code null}. */
    public String handshakeHeader(String name) {
        return handshakeHeaders.get(name.toLowerCase(Locale.ROOT));
    }

    private Packet poll(Duration timeout) {
        try {
            return received.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Closes the socket without a DISCONNECT (to the broker: the network connection was lost). */
    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // closing
        }
    }

    /** Reads the payload bytes of incoming WebSocket data frames as one stream; ends at a close frame. */
    private final class FrameInput extends InputStream {
        private final InputStream raw;
        private byte[] current = new byte[0];
        private int offset;
        private boolean ended;

        FrameInput(InputStream raw) {
            this.raw = raw;
        }

        @Override
        public int read() throws IOException {
            while (offset >= current.length) {
                if (ended || !nextFrame()) {
                    ended = true;
                    return -1;
                }
            }
            return current[offset++] & 0xff;
        }

        private boolean nextFrame() throws IOException {
            int b0 = raw.read();
            int b1 = raw.read();
            if (b0 < 0 || b1 < 0) {
                return false;
            }
            int opcode = b0 & 0x0f;
            long length = b1 & 0x7f;
            if (length == 126) {
                length = (raw.read() << 8) | raw.read();
            } else if (length == 127) {
                length = 0;
                for (int i = 0; i < 8; i++) {
                    length = (length << 8) | raw.read();
                }
            }
            byte[] mask = (b1 & 0x80) != 0 ? raw.readNBytes(4) : null;
            byte[] payload = raw.readNBytes((int) length);
            if (payload.length < length) {
                return false;
            }
            if (mask != null) {
                for (int i = 0; i < payload.length; i++) {
                    payload[i] ^= mask[i % 4];
                }
            }
            switch (opcode) {
                case 0x0, 0x1, 0x2 -> {
                    current = payload;
                    offset = 0;
                    return true;
                }
                case 0x8 -> {
                    webSocketCloseCode = payload.length >= 2 ? ((payload[0] & 0xff) << 8) | (payload[1] & 0xff) : 1005;
                    closeCause = "WebSocket close frame " + webSocketCloseCode;
                    return false;
                }
                case 0x9 -> {
                    sendFrame(0xA, payload, true);
                    current = new byte[0];
                    offset = 0;
                    return true;
                }
                default -> {
                    current = new byte[0];
                    offset = 0;
                    return true;
                }
            }
        }
    }
}
