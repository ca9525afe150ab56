package io.switchboard.mqtt.internal.protocol;

import static io.netty.handler.codec.mqtt.MqttMessageType.CONNACK;
import static io.netty.handler.codec.mqtt.MqttMessageType.DISCONNECT;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.security.KeyStore;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttDecoder;
import io.netty.handler.codec.mqtt.MqttEncoder;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttVersion;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.switchboard.api.TlsInfo;
import org.junit.jupiter.api.Test;

/** Server shutdown and listener-initiated closes (DISCONNECT 0x8B); TLS details reported to the broker. */
class ShutdownAndTlsTest extends LoopbackTest {

    @Test
    void stoppingTheProtocolDisconnectsClientsEndsCleanSessionsAndKeepsPersistentOnes() {
        TestClient c5 = client();
        c5.connect(MqttVersion.MQTT_5, "five", true);
        TestClient c3 = client();
        c3.connect(MqttVersion.MQTT_3_1_1, "three", false);

        protocol.stop();

        assertThat(c5.expect(DISCONNECT).reasonCode()).isEqualTo(0x8B);
        c5.expectClosed();
        c3.expectClosed();
        assertThat(c3.received).isEmpty();
        eventually(() -> assertThat(broker.events).contains("close five: server shutting down"));
        assertThat(broker.events).doesNotContain("close three: server shutting down");
        assertThat(stateStore.size(SessionJournal.SESSIONS)).as("kept for the next start").isEqualTo(1);
    }

    @Test
    void aListenerClosingTheChannelTellsMqtt5Clients() {
        TestClient c = client();
        c.connect(MqttVersion.MQTT_5, "listener", true);
        assertThat(protocol.connectionCount()).isEqualTo(1);
        // what a listener's ChannelGroup.close() does: close the channel from outside the protocol
        protocol.connections().iterator().next().channel().close();
        assertThat(c.expect(DISCONNECT).reasonCode()).isEqualTo(0x8B);
        c.expectClosed();
    }

    @Test
    void reportsTheTlsSessionToTheBroker() throws Exception {
        KeyStore keyStore = KeyStore.getInstance("PKCS12");
        try (InputStream in = getClass().getResourceAsStream("/tls/server.p12")) {
            keyStore.load(in, "changeit".toCharArray());
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keyStore, "changeit".toCharArray());
        SslContext server = SslContextBuilder.forServer(kmf).build();
        tls = true;
        transport = p -> p.addLast("tls", server.newHandler(p.channel().alloc()));
        client().close(); // starts the server; a plain client fails the handshake

        SslContext clientContext = SslContextBuilder.forClient().trustManager(InsecureTrustManagerFactory.INSTANCE).build();
        LinkedBlockingQueue<MqttMessage> received = new LinkedBlockingQueue<>();
        Channel ch = new Bootstrap().group(group()).channel(NioSocketChannel.class)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel c) {
                        SSLEngine engine = clientContext.newEngine(c.alloc(), "broker.test", 8883);
                        SSLParameters params = engine.getSSLParameters();
                        params.setServerNames(java.util.List.of(new SNIHostName("broker.test")));
                        engine.setSSLParameters(params);
                        c.pipeline().addLast(new SslHandler(engine), new MqttDecoder(), MqttEncoder.INSTANCE,
                                new SimpleChannelInboundHandler<MqttMessage>() {
                                    @Override
                                    protected void channelRead0(ChannelHandlerContext ctx, MqttMessage m) {
                                        received.add(m);
                                    }
                                });
                    }
                }).connect("127.0.0.1", port()).syncUninterruptibly().channel();
        try {
            ch.writeAndFlush(TestClient.connectBuilder(MqttVersion.MQTT_5, "secure", true).build()).syncUninterruptibly();
            MqttMessage ack = received.poll(TestClient.WAIT_MS, TimeUnit.MILLISECONDS);
            assertThat(ack).isNotNull();
            assertThat(ack.fixedHeader().messageType()).isEqualTo(CONNACK);
            assertThat(((MqttConnAckMessage) ack).variableHeader().connectReturnCode().byteValue()).isZero();
            assertThat(broker.tlsSessions).hasSize(1);
            TlsInfo info = broker.tlsSessions.get(0);
            assertThat(info.protocol()).startsWith("TLSv1.");
            assertThat(info.cipherSuite()).isNotBlank();
            assertThat(info.serverName()).isEqualTo("broker.test");
            assertThat(info.peerCertificates()).isEmpty();
            assertThat(broker.logins.get(0).connection().tls()).contains(info);
        } finally {
            ch.close().syncUninterruptibly();
        }
    }
}
