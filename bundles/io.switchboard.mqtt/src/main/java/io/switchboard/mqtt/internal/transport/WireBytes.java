package io.switchboard.mqtt.internal.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufHolder;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.switchboard.mqtt.internal.ListenerTraffic;

/**
 * Counts the bytes of a listener's connections as they come off and go onto the network: the first handler of
 * every connection's pipeline, so with TLS it counts the encrypted records and with WebSocket the HTTP upgrade and
 * the frames. A byte is counted as sent when it is handed to the socket to write. One instance per listener.
 */
@Sharable
final class WireBytes extends ChannelDuplexHandler {

    static final String NAME = "wire-bytes";

    private final ListenerTraffic traffic;

    WireBytes(ListenerTraffic traffic) {
        this.traffic = traffic;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        long n = size(msg);
        if (n > 0) {
            traffic.bytesReceived(n);
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        long n = size(msg);
        if (n > 0) {
            traffic.bytesSent(n);
        }
        ctx.write(msg, promise);
    }

    private static long size(Object msg) {
        if (msg instanceof ByteBuf b) {
            return b.readableBytes();
        }
        if (msg instanceof ByteBufHolder h) {
            return h.content().readableBytes();
        }
        return 0;
    }
}
