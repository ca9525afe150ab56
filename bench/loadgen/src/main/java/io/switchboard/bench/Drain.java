package io.switchboard.bench;

import java.io.EOFException;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A persistent subscriber that came back: reads the deliveries of its session on a blocking
 * {@link MqttClient}, acknowledges each (PUBACK, PUBREC/PUBCOMP), and records which sequence numbers
 * of which publisher arrived (payloads as {@link PublishFrame} writes them). It stops when the
 * expected number of distinct messages arrived and nothing more came for a short while, when nothing
 * came for {@code idleMillis}, or at {@code maxMillis}.
 */
final class Drain {

    /** What arrived: distinct per publisher, duplicates, deliveries that were not ours, timing. */
    record Result(SequenceSet[] seen, long distinct, long duplicates, long foreign, double firstMillis, double lastMillis,
            String ended) {
        Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("distinct", distinct);
            m.put("duplicates", duplicates);
            m.put("foreign", foreign);
            m.put("firstDeliveryMs", firstMillis);
            m.put("lastDeliveryMs", lastMillis);
            m.put("ended", ended);
            return m;
        }
    }

    private Drain() {
    }

    /**
     * @param publishers publisher indexes 0..publishers-1 are ours
     * @param expected stop (after {@code settleMillis} of quiet) once this many distinct messages came
     */
    static Result run(MqttClient client, int publishers, long expected, long settleMillis, long idleMillis, long maxMillis)
            throws IOException {
        SequenceSet[] seen = new SequenceSet[publishers];
        for (int i = 0; i < publishers; i++) {
            seen[i] = new SequenceSet();
        }
        long distinct = 0;
        long duplicates = 0;
        long foreign = 0;
        long start = System.nanoTime();
        long first = -1;
        long last = -1;
        long lastActivity = start;
        String ended;
        client.readTimeout((int) Math.max(10, Math.min(settleMillis, 200)));
        while (true) {
            long now = System.nanoTime();
            if ((now - start) / 1_000_000 >= maxMillis) {
                ended = "time limit " + maxMillis + " ms";
                break;
            }
            long quiet = (now - lastActivity) / 1_000_000;
            if (distinct >= expected && quiet >= settleMillis) {
                ended = "all expected arrived";
                break;
            }
            if (quiet >= idleMillis) {
                ended = "nothing for " + idleMillis + " ms";
                break;
            }
            MqttClient.Packet p;
            try {
                p = client.read();
            } catch (EOFException e) {
                ended = "the broker closed the connection";
                break;
            }
            if (p == null) {
                client.flush();
                continue;
            }
            lastActivity = System.nanoTime();
            if (p.type() == Mqtt.PUBLISH) {
                int qos = (p.flags() >> 1) & 3;
                byte[] b = p.body();
                int topicLength = (b[0] & 0xFF) << 8 | b[1] & 0xFF;
                int at = 2 + topicLength;
                int packetId = 0;
                if (qos > 0) {
                    packetId = (b[at] & 0xFF) << 8 | b[at + 1] & 0xFF;
                    at += 2;
                }
                if (b.length - at >= PublishFrame.MIN_PAYLOAD) {
                    java.nio.ByteBuffer payload = java.nio.ByteBuffer.wrap(b, at, b.length - at);
                    int publisher = payload.getInt();
                    long sequence = payload.getLong();
                    if (publisher >= 0 && publisher < publishers) {
                        if (seen[publisher].add(sequence)) {
                            distinct++;
                            if (first < 0) {
                                first = lastActivity;
                            }
                            last = lastActivity;
                        } else {
                            duplicates++;
                        }
                    } else {
                        foreign++;
                    }
                } else {
                    foreign++;
                }
                if (qos == 1) {
                    client.ack(Mqtt.PUBACK, packetId);
                } else if (qos == 2) {
                    client.ack(Mqtt.PUBREC, packetId);
                }
            } else if (p.type() == Mqtt.PUBREL) {
                client.ack(Mqtt.PUBCOMP, p.packetId());
            }
            if (!client.inputPending()) {
                client.flush();
            }
        }
        client.flush();
        return new Result(seen, distinct, duplicates, foreign, first < 0 ? Double.NaN : (first - start) / 1e6,
                last < 0 ? Double.NaN : (last - start) / 1e6, ended);
    }
}
