package io.switchboard.mqtt.internal.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * A DISCONNECT reaches a client that is still writing: the broker must not reset the connection under
 * it (a close with the client's data unread sends a TCP reset, which discards the DISCONNECT). The
 * client here is a plain socket writing QoS 1 PUBLISHes as fast as it can while it reads.
 */
class DisconnectDeliveryTest extends LoopbackTest {

    /** 5 MB: more than the socket buffers hold, so the client is still writing when the broker decides. */
    private static final int PUBLISHES = 5_000;

    @Test
    void aClientFloodingPastTheReceiveMaximumReadsDisconnect0x93() throws Exception {
        // [MQTT-3.3.4-9] more unacknowledged QoS 1/2 PUBLISHes than the Receive Maximum: DISCONNECT 0x93
        settings = settings.withMaxInflight(2);
        try (Socket socket = new Socket("127.0.0.1", port())) {
            socket.setSoTimeout((int) TestClient.WAIT_MS);
            DataInputStream in = new DataInputStream(socket.getInputStream());
            OutputStream out = socket.getOutputStream();
            out.write(connectV5("flooder"));
            out.flush();
            assertThat(readPacket(in)[0] & 0xF0).as("CONNACK").isEqualTo(0x20);

            // as a simple client does: write everything, then read what the broker answered
            int written = flood(out);
            assertThat(written).as("PUBLISHes written before the broker stopped taking them").isEqualTo(PUBLISHES);
            List<Integer> types = new ArrayList<>();
            int disconnectCode = -1;
            try {
                while (disconnectCode < 0) {
                    byte[] packet = readPacket(in);
                    int type = (packet[0] & 0xF0) >> 4;
                    types.add(type);
                    if (type == 14) {
                        disconnectCode = packet.length > 1 ? packet[1] & 0xFF : 0;
                    }
                }
            } catch (IOException e) {
                throw new AssertionError("the connection broke before a DISCONNECT arrived (packet types " + types + ")", e);
            }
            assertThat(disconnectCode).isEqualTo(0x93);
        }
    }

    /** Writes QoS 1 PUBLISHes; returns how many were written before a write failed. */
    private static int flood(OutputStream out) {
        byte[] payload = new byte[1000];
        int id = 1;
        try {
            for (; id <= PUBLISHES; id++) {
                out.write(publishV5Qos1("flood", id % 65535 + 1, payload));
            }
            out.flush();
            return PUBLISHES;
        } catch (IOException e) {
            return id - 1;
        }
    }

    /** One packet: its first byte, then its body (the remaining length read and dropped). */
    private static byte[] readPacket(DataInputStream in) throws IOException {
        int first = in.read();
        if (first < 0) {
            throw new EOFException("end of stream");
        }
        int length = 0;
        for (int shift = 0; ; shift += 7) {
            int b = in.readUnsignedByte();
            length |= (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                break;
            }
        }
        byte[] packet = new byte[1 + length];
        packet[0] = (byte) first;
        in.readFully(packet, 1, length);
        return packet;
    }

    private static byte[] connectV5(String clientId) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        string(body, "MQTT");
        body.write(5); // protocol level
        body.write(0x02); // clean start
        body.write(0);
        body.write(60); // keep alive
        body.write(0); // no properties
        string(body, clientId);
        return packet(0x10, body.toByteArray());
    }

    private static byte[] publishV5Qos1(String topic, int packetId, byte[] payload) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        string(body, topic);
        body.write(packetId >> 8 & 0xFF);
        body.write(packetId & 0xFF);
        body.write(0); // no properties
        body.writeBytes(payload);
        return packet(0x32, body.toByteArray());
    }

    private static void string(ByteArrayOutputStream out, String s) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        out.write(bytes.length >> 8);
        out.write(bytes.length & 0xFF);
        out.writeBytes(bytes);
    }

    private static byte[] packet(int firstByte, byte[] body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(firstByte);
        int length = body.length;
        do {
            int b = length % 128;
            length /= 128;
            out.write(length > 0 ? b | 0x80 : b);
        } while (length > 0);
        out.writeBytes(body);
        return out.toByteArray();
    }
}
