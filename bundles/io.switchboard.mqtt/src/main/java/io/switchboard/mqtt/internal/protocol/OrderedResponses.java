package io.switchboard.mqtt.internal.protocol;

import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicBoolean;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.util.ReferenceCountUtil;

/**
 * The answers to a client's requests (PUBACK, PUBREC, PUBCOMP, SUBACK, UNSUBACK), written in the order
 * the requests arrived (MQTT 4.6), though the broker decides them in any order and on its own threads.
 * A response is reserved when its request arrives and written once it and every one before it are
 * complete.
 */
final class OrderedResponses {

    /** A response written in the order its request arrived. */
    static final class Response {
        /** The packet id of the PUBLISH acknowledged, or -1. */
        private final int packetId;
        private MqttMessage packet;
        private Runnable afterWrite;
        /** Written last (by a broker thread for a decided publish): the fields above are then complete. */
        private volatile boolean ready;

        private Response(int packetId) {
            this.packetId = packetId;
        }

        /** Completes the response with {@code packet}; {@code afterWrite} (or null) runs once it is written. Any thread. */
        void complete(MqttMessage packet, Runnable afterWrite) {
            this.packet = packet;
            this.afterWrite = afterWrite;
            this.ready = true;
        }
    }

    private final MqttConnectionHandler connection;
    /** Made at the first request: an idle connection holds none. Event loop only. */
    private ArrayDeque<Response> responses;
    private final AtomicBoolean flushScheduled = new AtomicBoolean();

    OrderedResponses(MqttConnectionHandler connection) {
        this.connection = connection;
    }

    /** Reserves the place of the response to a request arriving now; {@code packetId} of a PUBLISH, else -1. */
    Response reserve(int packetId) {
        Response response = new Response(packetId);
        if (responses == null) {
            responses = new ArrayDeque<>();
        }
        responses.add(response);
        return response;
    }

    /** Queues a response ready now, behind the responses still waiting for the broker. */
    void respond(MqttMessage packet, Runnable afterWrite) {
        reserve(-1).complete(packet, afterWrite);
        flush();
    }

    /** Whether the acknowledgement of the publish {@code packetId} still waits for the broker. */
    boolean awaitingBroker(int packetId) {
        if (responses == null) {
            return false;
        }
        for (Response r : responses) {
            if (!r.ready && r.packetId == packetId) {
                return true;
            }
        }
        return false;
    }

    /**
     * Has the ready responses written on the event loop; from any thread. Publishes decided in a burst
     * share one task and one flush instead of a task each.
     */
    void scheduleFlush() {
        connection.executeOnce(flushScheduled, this::flush);
    }

    /** Writes the ready responses at the head of the queue, in order. Call on the event loop. */
    void flush() {
        if (responses == null) {
            return;
        }
        ChannelHandlerContext ctx = connection.ctx();
        boolean wrote = false;
        Response head;
        while ((head = responses.peek()) != null && head.ready) {
            responses.poll();
            if (!connection.closer().isClosing()) {
                ctx.write(head.packet);
                wrote = true;
            } else {
                ReferenceCountUtil.release(head.packet);
            }
            if (head.afterWrite != null) {
                head.afterWrite.run();
            }
        }
        if (wrote) {
            ctx.flush();
        }
    }

    /** The connection closed: the responses not written are dropped. */
    void releaseAll() {
        if (responses == null) {
            return;
        }
        for (Response r : responses) {
            if (r.packet != null) {
                ReferenceCountUtil.release(r.packet);
            }
        }
        responses.clear();
    }
}
