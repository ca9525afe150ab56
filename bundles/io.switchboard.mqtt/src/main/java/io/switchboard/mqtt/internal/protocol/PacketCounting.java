package io.switchboard.mqtt.internal.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.switchboard.mqtt.internal.ListenerTraffic;

/**
 * Counts a listener's MQTT packets between the codec and the connection handler: decoded packets coming in,
 * packets going out to the encoder (PUBLISH apart) or already encoded, and the CONNACKs, accepting or refusing. One instance per
 * listener; a counter increment per packet.
 */
@Sharable
final class PacketCounting extends ChannelDuplexHandler {

    private final ListenerTraffic traffic;

    PacketCounting(ListenerTraffic traffic) {
        this.traffic = traffic;
    }

    ListenerTraffic traffic() {
        return traffic;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof MqttMessage m && m.fixedHeader() != null && m.decoderResult().isSuccess()) {
            traffic.packetReceived(m.fixedHeader().messageType() == MqttMessageType.PUBLISH);
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof MqttMessage m && m.fixedHeader() != null) {
            MqttMessageType type = m.fixedHeader().messageType();
            traffic.packetSent(type == MqttMessageType.PUBLISH);
            if (type == MqttMessageType.CONNACK && m instanceof MqttConnAckMessage ack) {
                if (ack.variableHeader().connectReturnCode() == MqttConnectReturnCode.CONNECTION_ACCEPTED) {
                    traffic.accepted();
                } else {
                    traffic.refused();
                }
            }
        } else if (msg instanceof ByteBuf encoded && encoded.isReadable()) {
            // a packet the connection encoded itself (a PUBLISH, see PublishEncoding): its type is in its first byte
            traffic.packetSent((encoded.getByte(encoded.readerIndex()) & 0xF0) >> 4 == MqttMessageType.PUBLISH.value());
        }
        ctx.write(msg, promise);
    }
}
