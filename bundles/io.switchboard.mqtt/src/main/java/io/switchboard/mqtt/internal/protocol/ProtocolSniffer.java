package io.switchboard.mqtt.internal.protocol;

import java.nio.charset.StandardCharsets;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * Reads the protocol name and level of the first packet as it passes (bytes are not consumed), then
 * leaves the pipeline. Netty's decoder rejects an unknown level without saying which it was; the
 * connection handler needs it to refuse in the client's format: a 3.1.1 CONNACK with return code 1 for
 * older levels, an MQTT 5 CONNACK with 0x84 for newer ones.
 */
final class ProtocolSniffer extends ChannelInboundHandlerAdapter {

    private static final int MAX_HEAD = 16;

    private final byte[] head = new byte[MAX_HEAD];
    private int length;
    private boolean done;
    private String name;
    private int level = -1;

    /** The protocol name of the first packet, or {@code null} if it could not be read. */
    String name() {
        return name;
    }

    /** The protocol level of the first packet, or -1 if it could not be read. */
    int level() {
        return level;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!done && msg instanceof ByteBuf buf) {
            int n = Math.min(MAX_HEAD - length, buf.readableBytes());
            buf.getBytes(buf.readerIndex(), head, length, n);
            length += n;
            parse();
        }
        ctx.fireChannelRead(msg);
        if (done && ctx.pipeline().context(this) != null) {
            ctx.pipeline().remove(this);
        }
    }

    /** CONNECT: type byte, remaining length (1-4 bytes), name length (2), name, level. */
    private void parse() {
        int i = 1;
        for (int digits = 1; ; digits++) {
            if (i >= length) {
                done = length >= MAX_HEAD;
                return;
            }
            if ((head[i++] & 0x80) == 0) {
                break;
            }
            if (digits == 4) {
                done = true; // malformed remaining length: the decoder reports it
                return;
            }
        }
        if (i + 2 > length) {
            done = length >= MAX_HEAD;
            return;
        }
        int nameLength = ((head[i] & 0xFF) << 8) | (head[i + 1] & 0xFF);
        int levelAt = i + 2 + nameLength;
        if (levelAt >= MAX_HEAD) {
            done = true; // not MQTT's "MQTT" or "MQIsdp"
            return;
        }
        if (levelAt >= length) {
            return;
        }
        name = new String(head, i + 2, nameLength, StandardCharsets.UTF_8);
        level = head[levelAt] & 0xFF;
        done = true;
    }
}
