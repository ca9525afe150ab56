package io.switchboard.mqtt.internal.transport;

import java.net.InetSocketAddress;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.util.ReferenceCountUtil;
import io.switchboard.mqtt.internal.ListenerInfo;
import io.switchboard.mqtt.internal.MqttPipeline;
import io.switchboard.mqtt.internal.Traffic;

/**
 * The protocol's stand-in: answers every chunk of bytes it receives with {@link #ANSWER} (a CONNACK), and
 * records what the listener told it about each connection and anything else than bytes that reached it.
 */
final class StubPipeline implements MqttPipeline {

    /** CONNACK, session not present, accepted (MQTT 3.1.1). */
    static final byte[] ANSWER = {0x20, 0x02, 0x00, 0x00};

    final BlockingQueue<ListenerInfo> connections = new LinkedBlockingQueue<>();
    final BlockingQueue<Object> notBytes = new LinkedBlockingQueue<>();

    /** What {@link #admitsConnectionFrom} answers. */
    volatile boolean admit = true;
    final BlockingQueue<InetSocketAddress> asked = new LinkedBlockingQueue<>();
    final Traffic traffic = new Traffic();

    @Override
    public Traffic counters() {
        return traffic;
    }

    @Override
    public boolean admitsConnectionFrom(InetSocketAddress source, ListenerInfo listener) {
        asked.add(source);
        return admit;
    }

    @Override
    public void addProtocolHandlers(ChannelPipeline pipeline, ListenerInfo listener) {
        connections.add(listener);
        pipeline.addLast("stub-protocol", new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                if (!(msg instanceof ByteBuf)) {
                    notBytes.add(msg.getClass().getName());
                }
                ReferenceCountUtil.release(msg);
                ctx.writeAndFlush(Unpooled.wrappedBuffer(ANSWER));
            }
        });
    }
}
