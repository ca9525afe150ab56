package io.switchboard.mqtt.internal.protocol;

import static io.switchboard.mqtt.internal.protocol.MqttConnectionHandler.LOG;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import io.netty.buffer.ByteBufUtil;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttPublishVariableHeader;
import io.switchboard.api.Message;
import io.switchboard.api.broker.ForwardingException;
import io.switchboard.api.broker.PublishResult;

/**
 * PUBLISH from the client and its acknowledgements: QoS 0, 1 (PUBACK) and 2 (PUBREC, PUBREL, PUBCOMP;
 * published once however often the client resends before PUBREL), the in-flight window (MQTT 5:
 * Receive Maximum; 3.1.1: publishes beyond it are held), topic aliases set by the client, the checks of
 * maximum QoS, retain, payload format and response topic, and read receipts ({@code $read/<id>}).
 */
final class InboundPublishFlow {

    /** MQTT 3.1.1 publishes held beyond the in-flight window before the client is closed as abusive. */
    static final int MAX_HELD_PUBLISHES = 1000;

    private final MqttConnectionHandler connection;
    private final ProtocolSettings settings;
    private final ClientParameters client;
    private final OrderedResponses responses;
    /** Topic aliases the client set (MQTT 5); made at the first. */
    private Map<Integer, String> aliases;
    /** Packet ids of QoS 1/2 publishes received on this connection and not yet fully acknowledged. */
    private Set<Integer> unacknowledged = Collections.emptySet(); // a HashSet from the first QoS 1/2 publish on
    /**
     * MQTT 3.1.1 has no Receive Maximum: publishes beyond {@code max.inflight} unfinished QoS 1/2 flows
     * wait here, in order, and are handled as flows finish. Reading goes on meanwhile, so the PUBRELs
     * that finish flows still arrive; a client holding more than {@link #MAX_HELD_PUBLISHES} is closed.
     */
    private final ArrayDeque<MqttPublishMessage> held = new ArrayDeque<>(0); // rarely used: the smallest array

    InboundPublishFlow(MqttConnectionHandler connection) {
        this.connection = connection;
        this.settings = connection.settings();
        this.client = connection.client();
        this.responses = connection.responses();
    }

    void onPublish(MqttPublishMessage p) {
        if (!client.v5 && (!held.isEmpty()
                || p.fixedHeader().qosLevel().value() > 0 && unacknowledged.size() >= settings.maxInflight())) {
            if (held.size() >= MAX_HELD_PUBLISHES) {
                p.release();
                connection.closer().violation(Packets.RECEIVE_MAXIMUM_EXCEEDED, "more than " + MAX_HELD_PUBLISHES
                        + " publishes beyond the in-flight window of " + settings.maxInflight());
                return;
            }
            held.add(p);
            return;
        }
        try {
            publish(p);
        } finally {
            p.release();
        }
    }

    /** Handles held publishes while the in-flight window has room (3.1.1). */
    private void releaseHeldPublishes() {
        while (!held.isEmpty() && !connection.closer().isClosing() && unacknowledged.size() < settings.maxInflight()) {
            MqttPublishMessage p = held.poll();
            try {
                publish(p);
            } finally {
                p.release();
            }
        }
    }

    /** The connection closed: held publishes are dropped. */
    void releaseHeld() {
        held.forEach(MqttPublishMessage::release);
        held.clear();
    }

    private void publish(MqttPublishMessage p) {
        ConnectionCloser closer = connection.closer();
        MqttFixedHeader fixed = p.fixedHeader();
        int qos = fixed.qosLevel().value();
        boolean retain = fixed.isRetain();
        MqttPublishVariableHeader header = p.variableHeader();
        int packetId = header.packetId();
        MqttProperties props = header.properties();
        if (qos == 0 && fixed.isDup()) {
            closer.violation(Packets.MALFORMED_PACKET, "QoS 0 PUBLISH with DUP set (MQTT-3.3.1-2)");
            return;
        }
        if (qos > settings.maximumQos()) {
            closer.violation(Packets.QOS_NOT_SUPPORTED, "QoS " + qos + " publish above the maximum QoS "
                    + settings.maximumQos());
            return;
        }
        if (retain && !settings.retainAvailable()) {
            closer.violation(Packets.RETAIN_NOT_SUPPORTED, "retained publish while retain is not available");
            return;
        }
        String topic = header.topicName();
        if (client.v5) {
            Integer alias = MessageProperties.integer(props, MqttProperties.TOPIC_ALIAS);
            if (alias != null) {
                if (alias == 0 || alias > settings.topicAliasMaximum()) {
                    closer.violation(Packets.TOPIC_ALIAS_INVALID, "topic alias " + alias + " (maximum "
                            + settings.topicAliasMaximum() + ")");
                    return;
                }
                if (topic.isEmpty()) {
                    topic = aliases == null ? null : aliases.get(alias);
                    if (topic == null) {
                        closer.violation(Packets.PROTOCOL_ERROR, "topic alias " + alias + " used before it was set");
                        return;
                    }
                } else {
                    if (aliases == null) {
                        aliases = new HashMap<>();
                    }
                    aliases.put(alias, topic);
                }
            }
            if (!props.getProperties(MqttProperties.SUBSCRIPTION_IDENTIFIER).isEmpty()) {
                closer.violation(Packets.PROTOCOL_ERROR, "a PUBLISH from a client carries a subscription identifier");
                return;
            }
            String responseTopic = MessageProperties.string(props, MqttProperties.RESPONSE_TOPIC);
            if (responseTopic != null && (responseTopic.isEmpty() || responseTopic.indexOf('+') >= 0
                    || responseTopic.indexOf('#') >= 0)) {
                closer.violation(Packets.PROTOCOL_ERROR, "response topic '" + responseTopic + "' is not a topic name");
                return;
            }
        }
        if (topic.isEmpty()) {
            closer.violation(Packets.PROTOCOL_ERROR, "PUBLISH without a topic name");
            return;
        }
        MqttSession session = connection.session;
        if (qos == 2 && session.hasQos2(packetId)) {
            // a resend whose PUBREC was lost: acknowledge again, publish nothing (exactly once)
            if (!responses.awaitingBroker(packetId)) {
                responses.respond(Packets.pubReply(MqttMessageType.PUBREC, packetId, Packets.SUCCESS, null), null);
            }
            return;
        }
        if (qos > 0) {
            if (unacknowledged.size() >= settings.maxInflight() && client.v5) {
                closer.violation(Packets.RECEIVE_MAXIMUM_EXCEEDED, "more than " + settings.maxInflight()
                        + " unacknowledged QoS 1/2 publishes (receive maximum)");
                return;
            }
            if (!(unacknowledged instanceof HashSet)) {
                unacknowledged = new HashSet<>();
            }
            unacknowledged.add(packetId);
            if (qos == 2) {
                session.receiveQos2(packetId);
            }
            connection.updateAutoRead();
        }
        byte[] payload = ByteBufUtil.getBytes(p.content());
        if (client.v5 && MessageProperties.payloadIsUtf8(props) && !isUtf8(payload)) {
            refusePublish(qos, packetId, Packets.PAYLOAD_FORMAT_INVALID, "the payload is not UTF-8 as its format "
                    + "indicator says");
            return;
        }
        if (ReadReceipts.isReceipt(topic)) {
            readReceipt(topic, qos, packetId);
            return;
        }
        String beyond = settings.topicLimitExceeded(topic);
        if (beyond != null) {
            refusePublish(qos, packetId, Packets.TOPIC_NAME_INVALID, "the topic has " + beyond);
            return;
        }
        Message message;
        try {
            Message.Builder b = Message.builder(topic).qos(qos).retain(retain).payload(payload);
            if (client.v5) {
                long expiry = MessageProperties.unsigned(props, MqttProperties.PUBLICATION_EXPIRY_INTERVAL, 0);
                if (expiry > 0) {
                    b.expiresAt(System.currentTimeMillis() + expiry * 1000);
                }
                MessageProperties.copyInto(b, props);
            }
            message = b.build();
        } catch (IllegalArgumentException e) {
            refusePublish(qos, packetId, Packets.TOPIC_NAME_INVALID, e.getMessage());
            return;
        }
        CompletionStage<PublishResult> published;
        try {
            published = qos == 2 ? forwardAgain(packetId, session.takeToForwardAgain(packetId, topic)) : null;
            if (published == null) {
                published = connection.clientSession.publish(message);
            }
        } catch (RuntimeException e) {
            published = CompletableFuture.failedFuture(e);
        }
        connection.requestStarted();
        if (qos == 0) {
            published.whenComplete((result, error) -> {
                if (error != null) {
                    LOG.debug("MQTT {}: QoS 0 publish to '{}' failed: {}", connection.who(), message.topic(),
                            error.toString());
                }
                connection.requestDone();
            });
            return;
        }
        OrderedResponses.Response response = responses.reserve(packetId);
        // the acknowledgement contract: PUBACK/PUBREC only once the message is on disk for every persistent
        // subscriber it was routed to (their queues were written to before the publish completed; in a cluster,
        // the publish completes once the other nodes it went to stored it too)
        published.thenCompose(result -> connection.protocol().written().handle((v, storeError) -> {
            if (storeError != null) {
                throw new StoreFailure(Failures.unwrap(storeError));
            }
            return result;
        })).whenComplete((result, error) -> {
            connection.requestDone();
            if (error != null && Failures.unwrap(error) instanceof ForwardingException notForwarded) {
                // another node of the broker did not confirm it: no acknowledgement at all (not even a failed one),
                // so that the client sends it again when it reconnects. A QoS 2 packet id is forgotten first, or the
                // resend would be taken for a duplicate and reach no node at all; if the broker kept the message, the
                // resend goes only to the nodes that did not accept it (exactly once), else it is published again
                // (at least once: the nodes that did accept it get it twice, rather than the others lose it)
                connection.execute(() -> {
                    if (qos == 2) {
                        connection.session.releaseQos2(packetId);
                        if (notForwarded.canForwardAgain()) {
                            connection.session.keepToForwardAgain(packetId, notForwarded.messageId(), message.topic());
                        }
                    }
                    boolean kept = qos == 2 && notForwarded.canForwardAgain();
                    closer.closeWith(Packets.UNSPECIFIED_ERROR, "publish to '" + message.topic() + "' (packet "
                            + packetId + ") not acknowledged: " + notForwarded.getMessage()
                            + (kept ? " (kept: its resend goes only where it is missing)" : ""), false);
                });
                return;
            }
            if (error != null && Failures.unwrap(error) instanceof StoreFailure failure && !client.v5) {
                // a 3.1.1 acknowledgement cannot say it failed: close instead of acknowledging what is not stored
                connection.execute(() -> closer.closeWith(Packets.UNSPECIFIED_ERROR, failure.getMessage(), false));
                return;
            }
            publishOutcome(response, qos, packetId, result, error);
            responses.scheduleFlush();
        });
    }

    /**
     * The resend of a QoS 2 publish the broker kept to forward again (message {@code messageId}, -1: none): sent to
     * the nodes that missed it; null when there is nothing to forward again (publish it as new). Its outcome counts
     * no recipients again (-1: acknowledged as a plain success).
     */
    private CompletionStage<PublishResult> forwardAgain(int packetId, long messageId) {
        if (messageId < 0) {
            return null;
        }
        CompletionStage<Void> forwarded = connection.clientSession.forwardAgain(messageId);
        LOG.info("MQTT {}: QoS 2 publish (packet {}) resent: {}", connection.who(), packetId, forwarded == null
                ? "the broker no longer keeps it, published again" : "forwarded again where it is missing");
        return forwarded == null ? null : forwarded.thenApply(v -> new PublishResult(messageId, true, -1, null, null));
    }

    /** The store could not record a publish: the publisher must not be told it was accepted. */
    private static final class StoreFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;

        StoreFailure(Throwable cause) {
            super("the broker could not store the message: " + cause.getMessage(), cause);
        }
    }

    /** The PUBACK/PUBREC for a publish the broker decided on; on the broker's thread, so it only completes {@code response}. */
    private void publishOutcome(OrderedResponses.Response response, int qos, int packetId, PublishResult result,
            Throwable error) {
        int code = Packets.SUCCESS;
        String reason = null;
        if (error != null) {
            code = Packets.UNSPECIFIED_ERROR;
            reason = "publish failed: " + Failures.describe(Failures.unwrap(error));
            LOG.debug("MQTT {}: {}", connection.who(), reason);
        } else if (!result.routed() && result.reasonCode() != null) {
            code = Packets.pubAckCode(result.reasonCode());
            reason = result.reason();
        } else if (result.routed() && result.recipients() == 0) {
            code = Packets.NO_MATCHING_SUBSCRIBERS;
        }
        if (!client.v5) {
            code = Packets.SUCCESS; // 3.1.1 acknowledgements carry no outcome
        }
        acknowledge(response, qos, packetId, code, reason);
    }

    /** Completes {@code response} with the PUBACK (QoS 1) or PUBREC (QoS 2) of the publish {@code packetId}. */
    private void acknowledge(OrderedResponses.Response response, int qos, int packetId, int code, String reason) {
        MqttMessageType type = qos == 1 ? MqttMessageType.PUBACK : MqttMessageType.PUBREC;
        boolean done = qos == 1 || code >= 0x80;
        response.complete(Packets.pubReply(type, packetId, code, client.problemProperties(reason)), () -> {
            if (done) {
                // QoS 1 ends here; a refused QoS 2 flow too (the client sends no PUBREL)
                if (qos == 2) {
                    MqttSession s = connection.session;
                    s.releaseQos2(packetId);
                }
                unacknowledged.remove(packetId);
                connection.updateAutoRead();
                releaseHeldPublishes();
            }
        });
    }

    /** A publish refused by the protocol itself: MQTT 5 gets the code, 3.1.1 a plain ack, QoS 0 nothing. */
    private void refusePublish(int qos, int packetId, int code, String reason) {
        LOG.info("MQTT {}: publish refused with {}: {}", connection.who(), Packets.hex(code), reason);
        if (qos == 0) {
            return;
        }
        acknowledge(responses.reserve(-1), qos, packetId, client.v5 ? code : Packets.SUCCESS, reason);
        responses.flush();
    }

    private void readReceipt(String topic, int qos, int packetId) {
        long messageId = ReadReceipts.messageId(topic);
        if (messageId < 0) {
            refusePublish(qos, packetId, Packets.TOPIC_NAME_INVALID, "read receipt '" + topic
                    + "' does not name a message id ($read/<id>)");
            return;
        }
        if (!connection.session.delivered.contains(messageId)) {
            refusePublish(qos, packetId, Packets.NOT_AUTHORIZED, "read receipt for message " + messageId
                    + ", which was not delivered to this client");
            return;
        }
        connection.clientSession.read(messageId);
        if (qos > 0) {
            acknowledge(responses.reserve(-1), qos, packetId, Packets.SUCCESS, null);
            responses.flush();
        }
    }

    void onPubRel(int packetId) {
        boolean known = connection.session.releaseQos2(packetId);
        boolean finished = unacknowledged.remove(packetId);
        if (finished) {
            connection.updateAutoRead();
        }
        connection.ctx().writeAndFlush(Packets.pubReply(MqttMessageType.PUBCOMP, packetId,
                known || !client.v5 ? Packets.SUCCESS : Packets.PACKET_IDENTIFIER_NOT_FOUND, null));
        if (finished) {
            releaseHeldPublishes();
        }
    }

    private static boolean isUtf8(byte[] bytes) {
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }
}
