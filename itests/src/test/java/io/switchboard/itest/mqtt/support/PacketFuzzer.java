package io.switchboard.itest.mqtt.support;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A mutation fuzzer for the MQTT front door: each round opens a connection and sends a CONNECT (valid
 * or mutated) followed by a few real MQTT 3.1.1 and 5.0 packets, each of which may be mutated (bits
 * flipped, bytes inserted, deleted or overwritten with boundary values, the remaining length corrupted,
 * cut short, duplicated, or replaced by random bytes); then it reads whatever the broker answers for a
 * moment and closes. Everything follows from the seed, so a failing run can be replayed.
 */
public final class PacketFuzzer {

    private static final int[] BOUNDARY_BYTES = {0x00, 0x01, 0x7F, 0x80, 0xFF, 0xFE, 0x3F, 0x40, 0xC0};

    private final Random random;
    private final String host;
    private final int port;
    private long rounds;
    private long bytesSent;
    private long answered;

    public PacketFuzzer(long seed, String host, int port) {
        this.random = new Random(seed);
        this.host = host;
        this.port = port;
    }

    /** Rounds run, bytes sent, rounds the broker answered with at least one byte. */
    public String summary() {
        return rounds + " connections, " + bytesSent + " bytes sent, " + answered + " answered";
    }

    /** One connection's worth of fuzzing. Network errors (the broker closing on bad input) are the expected outcome. */
    public void round() {
        rounds++;
        int version = random.nextBoolean() ? Packets.V5 : 4;
        List<byte[]> packets = new ArrayList<>();
        packets.add(maybeMutate(connect(version), 0.3));
        int more = random.nextInt(8);
        for (int i = 0; i < more; i++) {
            packets.add(maybeMutate(anyPacket(version), 0.5));
        }
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), 2000);
            socket.setSoTimeout(50);
            socket.setSoLinger(true, 0); // no TIME_WAIT pile-up over thousands of rounds
            OutputStream out = socket.getOutputStream();
            for (byte[] p : packets) {
                out.write(p);
                bytesSent += p.length;
            }
            out.flush();
            InputStream in = socket.getInputStream();
            byte[] buffer = new byte[4096];
            try {
                if (in.read(buffer) > 0) {
                    answered++;
                }
            } catch (SocketTimeoutException e) {
                // nothing to say yet: fine
            }
        } catch (IOException e) {
            // the broker closed on bad input: what it should do
        }
    }

    private byte[] connect(int version) {
        Packets.Connect c = Packets.connect(version, "fuzz-" + random.nextInt(1000));
        c.cleanStart(random.nextBoolean()).keepAlive(random.nextInt(120));
        if (random.nextInt(4) == 0) {
            c.userName("u" + random.nextInt(10)).password("p");
        }
        if (random.nextInt(4) == 0) {
            c.will("fuzz/will/" + random.nextInt(10), "gone", random.nextInt(3), random.nextBoolean());
        }
        if (version == Packets.V5 && random.nextBoolean()) {
            c.properties(properties());
        }
        return c.encode();
    }

    private Properties5 properties() {
        Properties5 p = Properties5.none();
        switch (random.nextInt(5)) {
            case 0 -> p.add(Properties5.MESSAGE_EXPIRY_INTERVAL, random.nextInt(100));
            case 1 -> p.add(Properties5.CONTENT_TYPE, "text/plain");
            case 2 -> p.user("k" + random.nextInt(3), "v");
            case 3 -> p.add(Properties5.CORRELATION_DATA, new byte[] {1, 2, 3});
            default -> p.add(Properties5.RESPONSE_TOPIC, "fuzz/reply");
        }
        return p;
    }

    private byte[] anyPacket(int version) {
        int id = 1 + random.nextInt(65535);
        return switch (random.nextInt(9)) {
            case 0, 1, 2 -> Packets.publish(version, topic(), random.nextInt(3), random.nextInt(8) == 0, random.nextBoolean(), id,
                    payload(), version == Packets.V5 && random.nextBoolean() ? properties() : null);
            case 3 -> Packets.subscribe(version, id, filter(), random.nextInt(3));
            case 4 -> Packets.unsubscribe(version, id, filter());
            case 5 -> Packets.ack(4 + random.nextInt(4), id);
            case 6 -> Packets.pingreq();
            case 7 -> Packets.disconnect(version, 0, null);
            default -> randomBytes(1 + random.nextInt(64));
        };
    }

    private String topic() {
        StringBuilder t = new StringBuilder("fuzz");
        int levels = random.nextInt(6);
        for (int i = 0; i < levels; i++) {
            t.append('/').append(random.nextInt(5) == 0 ? "" : Integer.toString(random.nextInt(20)));
        }
        return t.toString();
    }

    private String filter() {
        return switch (random.nextInt(5)) {
            case 0 -> "fuzz/#";
            case 1 -> "fuzz/+/x";
            case 2 -> "$share/g" + random.nextInt(3) + "/fuzz/#";
            case 3 -> "#";
            default -> topic();
        };
    }

    private byte[] payload() {
        return randomBytes(random.nextInt(200));
    }

    private byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    private byte[] maybeMutate(byte[] packet, double probability) {
        if (random.nextDouble() >= probability) {
            return packet;
        }
        byte[] p = packet.clone();
        int mutations = 1 + random.nextInt(3);
        for (int m = 0; m < mutations && p.length > 0; m++) {
            int at = random.nextInt(p.length);
            switch (random.nextInt(7)) {
                case 0 -> p[at] ^= (byte) (1 << random.nextInt(8));
                case 1 -> p[at] = (byte) BOUNDARY_BYTES[random.nextInt(BOUNDARY_BYTES.length)];
                case 2 -> p = splice(p, at, randomBytes(1 + random.nextInt(8)));
                case 3 -> p = cut(p, at, 1 + random.nextInt(Math.min(8, p.length - at)));
                case 4 -> p = java.util.Arrays.copyOf(p, at); // cut short
                case 5 -> {
                    if (p.length > 1) {
                        p[1] = (byte) random.nextInt(256); // the remaining length lies
                    }
                }
                default -> p = splice(p, p.length, p.clone()); // twice
            }
        }
        return p;
    }

    private static byte[] splice(byte[] p, int at, byte[] insert) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(p, 0, at);
        out.writeBytes(insert);
        out.write(p, at, p.length - at);
        return out.toByteArray();
    }

    private static byte[] cut(byte[] p, int at, int n) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(p, 0, at);
        out.write(p, at + n, p.length - at - n);
        return out.toByteArray();
    }
}
