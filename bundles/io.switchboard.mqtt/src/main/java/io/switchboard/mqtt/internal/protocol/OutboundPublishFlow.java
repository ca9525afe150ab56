package io.switchboard.mqtt.internal.protocol;

import static io.switchboard.mqtt.internal.protocol.MqttConnectionHandler.LOG;

import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.switchboard.api.Message;

/**
 * Messages to the client: takes them from the session's queue while the in-flight window (the smaller
 * of {@code max.inflight} and the client's Receive Maximum) and the channel's buffer allow, writes them
 * with their MQTT 5 properties and topic aliases, drops those larger than the client's Maximum Packet
 * Size, and handles the client's PUBACK, PUBREC and PUBCOMP, reporting each message's delivery status.
 */
final class OutboundPublishFlow {

    private final MqttConnectionHandler connection;
    private final ClientParameters client;
    /**
     * Topic to alias, as told to the client (MQTT 5 Topic Alias Maximum of the client); the shared empty map until the
     * first alias (most clients ask for none).
     */
    private Map<String, Integer> aliases = Collections.emptyMap();
    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    /** SUBACKs not written yet: deliveries wait, so retained messages follow their SUBACK (as Mosquitto does). */
    private int pendingSubAcks;

    OutboundPublishFlow(MqttConnectionHandler connection) {
        this.connection = connection;
        this.client = connection.client();
    }

    /** Messages are waiting: drains on the event loop; calls from a burst share one task. Any thread. */
    void wake() {
        connection.executeOnce(drainScheduled, this::drain);
    }

    /** A SUBACK is pending: deliveries wait until {@link #subAckWritten}. */
    void holdForSubAck() {
        pendingSubAcks++;
    }

    void subAckWritten() {
        pendingSubAcks--;
        drain();
    }

    /** Sends queued messages while the in-flight window and the channel's buffer allow. */
    void drain() {
        MqttSession s = connection.session;
        if (!connection.connect().isConnected() || connection.closer().isClosing() || s == null || pendingSubAcks > 0) {
            return;
        }
        ChannelHandlerContext ctx = connection.ctx();
        int window = Math.min(client.receiveMaximum, connection.settings().maxInflight());
        long now = System.currentTimeMillis();
        boolean wrote = false;
        while (ctx.channel().isWritable()) {
            OutboundQueue.Outgoing o = s.next(connection, window, now);
            if (o == null) {
                break;
            }
            wrote |= send(s, o, o.redelivery, now);
        }
        if (wrote) {
            ctx.flush();
        }
    }

    /**
     * A resumed session: its unacknowledged PUBLISH (DUP) and PUBREL packets are written again with
     * their packet ids (MQTT 4.4), not flushed.
     */
    void resendInflight(MqttSession s) {
        for (OutboundQueue.Outgoing o : s.inflight()) {
            if (o.released) {
                connection.ctx().write(Packets.pubReply(MqttMessageType.PUBREL, o.packetId, Packets.SUCCESS, null));
            } else {
                send(s, o, true, System.currentTimeMillis());
            }
        }
    }

    /**
     * Writes one PUBLISH (not flushed); false if it was dropped for the client's maximum packet size. The packet is
     * encoded once per form on this event loop ({@link RecentEncodings}): the subscribers of a message with the same
     * form get copies of one encoding.
     */
    private boolean send(MqttSession s, OutboundQueue.Outgoing o, boolean dup, long now) {
        boolean v5 = client.v5;
        Message m = o.message;
        String topic = m.topic();
        Integer alias = null;
        boolean newAlias = false;
        if (client.topicAliasMaximum > 0) {
            alias = aliases.get(topic);
            if (alias == null && aliases.size() < client.topicAliasMaximum) {
                alias = aliases.size() + 1;
                newAlias = true;
            }
        }
        boolean topicSent = alias == null || newAlias;
        int aliasNumber = alias == null ? 0 : alias;
        List<Integer> subscriptionIds = v5 ? o.subscriptionIds : List.of();
        MessageIdProperty messageIdProperty = client.messageIdProperty;
        boolean withId = messageIdProperty.carriedBy(m);
        long expiry = v5 ? MessageProperties.remainingExpiry(m, now) : 0;
        long maximum = client.maximumPacketSize;
        RecentEncodings recent = connection.protocol().recentEncodings();
        PublishEncoding encoding = recent.find(m, v5, topicSent, aliasNumber, subscriptionIds, messageIdProperty.name(),
                withId, expiry);
        if (encoding == null || encoding.size() > maximum) {
            String wireTopic = topicSent ? topic : "";
            MqttProperties props = v5 ? MessageProperties.forDelivery(m, messageIdProperty.userPropertiesOf(m, withId),
                    subscriptionIds, alias, expiry) : MqttProperties.NO_PROPERTIES;
            long size = PacketSizes.publish(wireTopic, m.qos(), props, v5, m.payloadSize());
            if (size > maximum && withId) {
                // the id is an extra the client asked for: the message without it rather than no message
                withId = false;
                props = MessageProperties.forDelivery(m, messageIdProperty.userPropertiesOf(m, false), subscriptionIds, alias,
                        expiry);
                size = PacketSizes.publish(wireTopic, m.qos(), props, v5, m.payloadSize());
            }
            if (size > maximum) {
                // MQTT 5 3.1.2.11.4: never send more than the client accepts; the message is dropped
                if (o.packetId != 0) {
                    s.abandon(o.packetId);
                }
                connection.protocol().counters().droppedTooLarge();
                LOG.debug("MQTT {}: message {} to '{}' dropped: {} bytes, the client accepts {}", connection.who(), m.id(),
                        topic, size, maximum);
                o.failed("larger than the client's maximum packet size (" + size + " > " + maximum + " bytes)");
                return false;
            }
            if (size > RecentEncodings.MAX_PACKET_BYTES) {
                // not kept: encoded straight into the channel's buffer
                ByteBuf packet = connection.ctx().alloc().buffer((int) size);
                PublishEncoding.write(packet, v5, dup, m.qos(), m.retain(), wireTopic, o.packetId, props, m.payload());
                return write(s, o, m, topic, alias, newAlias, packet);
            }
            encoding = PublishEncoding.of(v5, dup, m.qos(), m.retain(), wireTopic, o.packetId, props, m.payload());
            recent.keep(m, v5, topicSent, aliasNumber, subscriptionIds, messageIdProperty.name(), withId, expiry, encoding);
        }
        ByteBuf packet = connection.ctx().alloc().buffer(encoding.size());
        encoding.copyTo(packet, o.packetId, dup);
        return write(s, o, m, topic, alias, newAlias, packet);
    }

    /** Writes an encoded PUBLISH (not flushed); at QoS 0 the message is delivered once it is written. */
    private boolean write(MqttSession s, OutboundQueue.Outgoing o, Message m, String topic, Integer alias,
            boolean newAlias, ByteBuf packet) {
        if (newAlias) {
            if (aliases.isEmpty()) {
                aliases = new HashMap<>();
            }
            aliases.put(topic, alias);
        }
        s.delivered.sent(m.id());
        ChannelHandlerContext ctx = connection.ctx();
        if (m.qos() == 0) {
            ctx.write(packet).addListener(f -> {
                if (f.isSuccess()) {
                    o.delivered();
                } else {
                    o.failed("not written to the client: " + f.cause());
                }
            });
        } else {
            ctx.write(packet);
        }
        return true;
    }

    void onPubAck(int packetId, int code) {
        OutboundQueue.Outgoing o = connection.session.acknowledged(packetId);
        if (o == null) {
            LOG.debug("MQTT {}: PUBACK for packet id {} not in flight", connection.who(), packetId);
            return;
        }
        if (client.v5 && code >= 0x80) {
            o.failed(refusedByClient(code));
        } else {
            o.delivered();
        }
        drain();
    }

    void onPubRec(int packetId, int code) {
        MqttSession s = connection.session;
        if (client.v5 && code >= 0x80) {
            OutboundQueue.Outgoing o = s.abandon(packetId);
            if (o != null) {
                o.failed(refusedByClient(code));
                drain();
            }
            return;
        }
        OutboundQueue.Outgoing o = s.received(packetId);
        int reply = o != null || !client.v5 ? Packets.SUCCESS : Packets.PACKET_IDENTIFIER_NOT_FOUND;
        if (o == null || !s.persistent()) {
            connection.ctx().writeAndFlush(Packets.pubReply(MqttMessageType.PUBREL, packetId, reply, null));
            return;
        }
        // the PUBREL follows the stored PUBREC, so that after a crash the broker resumes with PUBREL, not the
        // PUBLISH; stores complete in order, so PUBRELs keep the order of their PUBRECs [MQTT-4.6.0-3]
        connection.protocol().written().whenComplete((v, e) -> connection.execute(
                () -> connection.ctx().writeAndFlush(Packets.pubReply(MqttMessageType.PUBREL, packetId, reply, null))));
    }

    void onPubComp(int packetId) {
        OutboundQueue.Outgoing o = connection.session.completed(packetId);
        if (o == null) {
            LOG.debug("MQTT {}: PUBCOMP for packet id {} not in flight", connection.who(), packetId);
            return;
        }
        o.delivered();
        drain();
    }

    private static String refusedByClient(int code) {
        return "refused by the client with reason code " + Packets.hex(code);
    }
}
