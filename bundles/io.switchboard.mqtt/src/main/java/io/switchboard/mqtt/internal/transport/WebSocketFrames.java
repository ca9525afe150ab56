package io.switchboard.mqtt.internal.transport;

import java.nio.charset.StandardCharsets;
import java.util.List;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.MessageToMessageDecoder;
import io.netty.handler.codec.MessageToMessageEncoder;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;

/**
 * The adapters between WebSocket frames and the MQTT byte stream: MQTT over WebSocket carries MQTT
 * packets in binary frames (a packet may span frames, a frame may hold several packets), so the
 * protocol's decoder sees a plain stream of {@code ByteBuf}s, as over TCP.
 */
final class WebSocketFrames {

    /** The WebSocket subprotocols offered, best first (MQTT 3.1.1 and 5.0; the 3.1 name some clients send). */
    static final String SUBPROTOCOLS = "mqtt,mqttv3.1";

    private WebSocketFrames() {
    }

    /**
     * Binary and continuation frames in, their payload out. A text frame closes the connection with 1003
     * (MQTT-6.0.0-1: MQTT is sent in binary frames). Ping, pong and close frames never get here:
     * Netty's WebSocket protocol handler answers them.
     */
    @Sharable
    static final class Inbound extends MessageToMessageDecoder<WebSocketFrame> {

        static final Inbound INSTANCE = new Inbound();

        private Inbound() {
            super(WebSocketFrame.class);
        }

        @Override
        protected void decode(ChannelHandlerContext ctx, WebSocketFrame frame, List<Object> out) {
            if (frame instanceof BinaryWebSocketFrame || frame instanceof ContinuationWebSocketFrame) {
                out.add(frame.content().retain());
            } else {
                ctx.writeAndFlush(new CloseWebSocketFrame(WebSocketCloseStatus.INVALID_MESSAGE_TYPE,
                        "MQTT is sent in binary frames")).addListener(ChannelFutureListener.CLOSE);
            }
        }
    }

    /** Bytes out, each write one binary frame. */
    @Sharable
    static final class Outbound extends MessageToMessageEncoder<ByteBuf> {

        static final Outbound INSTANCE = new Outbound();

        private Outbound() {
            super(ByteBuf.class);
        }

        @Override
        protected void encode(ChannelHandlerContext ctx, ByteBuf bytes, List<Object> out) {
            out.add(new BinaryWebSocketFrame(bytes.retain()));
        }
    }

    /**
     * In front of the WebSocket handshake: answers a request for any other path than the listener's with
     * 404 and closes (the port serves MQTT over WebSocket only). The path must match exactly; a query
     * string is allowed ({@code /mqtt?token=...}), a sub-path is not ({@code /mqtt/x}). After the
     * handshake only frames pass here, untouched.
     */
    @Sharable
    static final class OtherPaths extends ChannelInboundHandlerAdapter {

        private final String path;

        OtherPaths(String path) {
            this.path = path;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (!(msg instanceof FullHttpRequest request) || path.equals(pathOf(request.uri()))) {
                ctx.fireChannelRead(msg);
                return;
            }
            request.release();
            byte[] text = ("MQTT over WebSocket is served at " + path + "\n").getBytes(StandardCharsets.UTF_8);
            FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NOT_FOUND,
                    Unpooled.wrappedBuffer(text));
            response.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.TEXT_PLAIN)
                    .setInt(HttpHeaderNames.CONTENT_LENGTH, text.length)
                    .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }

        private static String pathOf(String uri) {
            int query = uri.indexOf('?');
            return query < 0 ? uri : uri.substring(0, query);
        }
    }
}
