package io.switchboard.mqtt.internal.transport;

import javax.net.ssl.SSLException;

import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sits right behind the {@code SslHandler}: a failed TLS handshake (an untrusted or missing client
 * certificate, a plain-text client, a port scanner) or a broken TLS record closes the connection with one
 * DEBUG line, instead of travelling on to the protocol as an error. Other errors pass on.
 */
@Sharable
final class TlsFailures extends ChannelInboundHandlerAdapter {

    private static final Logger LOG = LoggerFactory.getLogger(TlsFailures.class);

    private final String listener;

    TlsFailures(String listener) {
        this.listener = listener;
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Throwable tls = cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
        if (!(tls instanceof SSLException)) {
            ctx.fireExceptionCaught(cause);
            return;
        }
        LOG.debug("MQTT listener '{}': TLS with {} failed, connection closed: {}", listener, ctx.channel().remoteAddress(),
                tls.getMessage());
        ctx.close();
    }
}
