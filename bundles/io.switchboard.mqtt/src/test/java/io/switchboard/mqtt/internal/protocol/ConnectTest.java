package io.switchboard.mqtt.internal.protocol;

import static io.netty.handler.codec.mqtt.MqttMessageType.CONNACK;
import static io.netty.handler.codec.mqtt.MqttMessageType.DISCONNECT;
import static io.netty.handler.codec.mqtt.MqttMessageType.PINGRESP;
import static io.netty.handler.codec.mqtt.MqttMessageType.PUBACK;
import static io.netty.handler.codec.mqtt.MqttMessageType.SUBACK;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttVersion;
import io.switchboard.api.ReasonCode;
import io.switchboard.api.broker.LoginRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** CONNECT and CONNACK for MQTT 3.1.1 and 5, refusals, takeover, keep alive. */
class ConnectTest extends LoopbackTest {

    @Test
    void connects311AndLogsInWithTheProtocolName() {
        TestClient c = client();
        TestClient.Packet ack = c.connect(TestClient.connectBuilder(MqttVersion.MQTT_3_1_1, "c311", true)
                .hasUser(true).username("ann").hasPassword(true).password("secret".getBytes()).build());

        assertThat(((MqttConnAckMessage) ack.message()).variableHeader().isSessionPresent()).isFalse();
        LoginRequest login = broker.logins.get(0);
        assertThat(login.clientId()).isEqualTo("c311");
        assertThat(login.userName()).isEqualTo("ann");
        assertThat(login.password()).isEqualTo("secret".getBytes());
        assertThat(login.protocol()).isEqualTo("mqtt-3.1.1");
        assertThat(login.cleanStart()).isTrue();
        assertThat(login.connection().listener()).isEqualTo("test");
        assertThat(broker.events).startsWith("accept test");
    }

    @Test
    void connects5WithServerProperties() {
        settings = settings.withMaxInflight(50);
        maxPacketSize = 4096;
        TestClient c = client();
        TestClient.Packet ack = c.connect(MqttVersion.MQTT_5, "c5", true);

        assertThat(ack.property(MqttProperties.RECEIVE_MAXIMUM)).isEqualTo(50);
        assertThat(ack.property(MqttProperties.MAXIMUM_PACKET_SIZE)).isEqualTo(4096);
        assertThat(ack.property(MqttProperties.TOPIC_ALIAS_MAXIMUM)).isEqualTo(ProtocolSettings.DEFAULT_TOPIC_ALIAS_MAXIMUM);
        assertThat(ack.property(MqttProperties.ASSIGNED_CLIENT_IDENTIFIER)).isNull();
        assertThat(broker.logins.get(0).protocol()).isEqualTo("mqtt-5");
    }

    @Test
    void assignsAClientIdToAnEmptyOne() {
        TestClient c5 = client();
        TestClient.Packet ack = c5.connect(MqttVersion.MQTT_5, "", true);
        String assigned = (String) ack.property(MqttProperties.ASSIGNED_CLIENT_IDENTIFIER);
        assertThat(assigned).startsWith(ProtocolSettings.DEFAULT_ID_PREFIX);
        assertThat(broker.logins.get(0).clientId()).isEqualTo(assigned);

        TestClient c3 = client();
        c3.connect(MqttVersion.MQTT_3_1_1, "", true);
        assertThat(broker.logins.get(1).clientId()).startsWith(ProtocolSettings.DEFAULT_ID_PREFIX).isNotEqualTo(assigned);
    }

    @Test
    void refusesAnEmptyClientIdWithoutCleanSessionIn311() {
        TestClient c = client();
        c.send(TestClient.connectBuilder(MqttVersion.MQTT_3_1_1, "", false).build());
        assertThat(c.expect(CONNACK).reasonCode()).isEqualTo(2);
        c.expectClosed();
        assertThat(broker.logins).isEmpty();
    }

    @Test
    void refusesProtocolLevel3With311ReturnCode1() {
        TestClient c = client();
        // CONNECT "MQIsdp" level 3, clean session, keep alive 60, client id "old"
        c.sendRaw(MqttVersion.MQTT_3_1_1, (byte) 0x10, (byte) 17, (byte) 0, (byte) 6, (byte) 'M', (byte) 'Q', (byte) 'I',
                (byte) 's', (byte) 'd', (byte) 'p', (byte) 3, (byte) 0x02, (byte) 0, (byte) 60, (byte) 0, (byte) 3,
                (byte) 'o', (byte) 'l', (byte) 'd');
        assertThat(c.expect(CONNACK).reasonCode()).isEqualTo(1);
        c.expectClosed();
    }

    @Test
    void refusesProtocolLevel6With5ReasonCode0x84() {
        TestClient c = client();
        c.sendRaw(MqttVersion.MQTT_5, (byte) 0x10, (byte) 16, (byte) 0, (byte) 4, (byte) 'M', (byte) 'Q', (byte) 'T',
                (byte) 'T', (byte) 6, (byte) 0x02, (byte) 0, (byte) 60, (byte) 0, (byte) 0, (byte) 3, (byte) 'n',
                (byte) 'e', (byte) 'w');
        assertThat(c.expect(CONNACK).reasonCode()).isEqualTo(0x84);
        c.expectClosed();
    }

    @Test
    void closesWhenTheFirstPacketIsNotConnect() {
        TestClient c = client();
        c.send(MqttMessage.PINGREQ);
        c.expectClosed();
        assertThat(c.received).isEmpty();
    }

    @Test
    void aSecondConnectIsAProtocolError() {
        TestClient c = client();
        c.connect(MqttVersion.MQTT_5, "twice", true);
        c.send(TestClient.connectBuilder(MqttVersion.MQTT_5, "twice", true).build());
        assertThat(c.expect(DISCONNECT).reasonCode()).isEqualTo(0x82);
        c.expectClosed();
    }

    @ParameterizedTest
    @CsvSource({
        "BAD_USER_NAME_OR_PASSWORD, 4, 0x86",
        "NOT_AUTHORIZED, 5, 0x87",
        "SERVER_UNAVAILABLE, 3, 0x88",
        "SERVER_BUSY, 3, 0x89",
        "CLIENT_IDENTIFIER_NOT_VALID, 2, 0x85",
        "BANNED, 5, 0x8A",
        "QUOTA_EXCEEDED, 5, 0x97",
        "SESSION_TAKEN_OVER, 5, 0x80"})
    void mapsLoginRefusals(ReasonCode code, int v3, String v5) {
        broker.loginPolicy = r -> FakeBroker.refused(code, "no: " + code);
        TestClient c3 = client();
        c3.send(TestClient.connectBuilder(MqttVersion.MQTT_3_1_1, "a", true).build());
        assertThat(c3.expect(CONNACK).reasonCode()).isEqualTo(v3);
        c3.expectClosed();

        TestClient c5 = client();
        c5.send(TestClient.connectBuilder(MqttVersion.MQTT_5, "b", true).build());
        TestClient.Packet ack = c5.expect(CONNACK);
        assertThat(ack.reasonCode()).isEqualTo(Integer.decode(v5));
        assertThat(ack.property(MqttProperties.REASON_STRING)).isEqualTo("no: " + code);
        c5.expectClosed();
    }

    @Test
    void refusesWhileMandatoryModulesAreMissing() {
        missingModules = "required modules not active: audit";
        TestClient c5 = client();
        c5.send(TestClient.connectBuilder(MqttVersion.MQTT_5, "m5", true).build());
        TestClient.Packet ack = c5.expect(CONNACK);
        assertThat(ack.reasonCode()).isEqualTo(0x88);
        assertThat(ack.property(MqttProperties.REASON_STRING)).isEqualTo("required modules not active: audit");
        c5.expectClosed();

        TestClient c3 = client();
        c3.send(TestClient.connectBuilder(MqttVersion.MQTT_3_1_1, "m3", true).build());
        assertThat(c3.expect(CONNACK).reasonCode()).isEqualTo(3);
        c3.expectClosed();
        assertThat(broker.logins).isEmpty();

        missingModules = null;
        client().connect(MqttVersion.MQTT_5, "m5", true);
    }

    @Test
    void closesAConnectionTheBrokerRefuses() {
        broker.acceptRefusal = FakeBroker.refused(ReasonCode.BANNED, "banned address");
        TestClient c = client();
        c.expectClosed();
        assertThat(c.received).isEmpty();
    }

    @Test
    void refusesEnhancedAuthentication() {
        MqttProperties p = new MqttProperties();
        p.add(new MqttProperties.StringProperty(MqttProperties.AUTHENTICATION_METHOD, "SCRAM-SHA-1"));
        TestClient c = client();
        c.send(TestClient.connectBuilder(MqttVersion.MQTT_5, "auth", true).properties(p).build());
        assertThat(c.expect(CONNACK).reasonCode()).isEqualTo(0x8C);
        c.expectClosed();
    }

    @Test
    void handlesPacketsSentBeforeTheConnack() {
        TestClient c = client();
        c.send(TestClient.connectBuilder(MqttVersion.MQTT_3_1_1, "eager", true).build());
        c.subscribe(1, "a/b", 1);
        c.publish("a/b", 1, 2, "hello");
        c.send(MqttMessage.PINGREQ);
        c.expect(CONNACK);
        // SUBACK and PUBACK keep the order of their requests; PINGRESP and the routed PUBLISH may come between
        java.util.List<io.netty.handler.codec.mqtt.MqttMessageType> rest = new java.util.ArrayList<>();
        for (int i = 0; i < 4; i++) {
            rest.add(c.next().type());
        }
        assertThat(rest).containsExactlyInAnyOrder(SUBACK, PUBACK, io.netty.handler.codec.mqtt.MqttMessageType.PUBLISH,
                PINGRESP);
        assertThat(rest.indexOf(SUBACK)).isLessThan(rest.indexOf(PUBACK));
    }

    @Test
    void answersRequestedResponseInformationAndCapsTheSessionExpiry() {
        settings = settings.withPublishLimits(2, true, 60);
        MqttProperties p = new MqttProperties();
        p.add(new MqttProperties.IntegerProperty(MqttProperties.REQUEST_RESPONSE_INFORMATION, 1));
        p.add(new MqttProperties.IntegerProperty(MqttProperties.SESSION_EXPIRY_INTERVAL, 3600));
        TestClient c = client();
        TestClient.Packet ack = c.connect(TestClient.connectBuilder(MqttVersion.MQTT_5, "asker", false).properties(p).build());
        assertThat(ack.property(MqttProperties.RESPONSE_INFORMATION)).isEqualTo("response/asker/");
        assertThat(ack.property(MqttProperties.SESSION_EXPIRY_INTERVAL)).isEqualTo(60);
    }

    @Test
    void tellsMqtt5ClientsTheServerKeepAlive() {
        settings = settings.withTimes(30, 10);
        TestClient c = client();
        TestClient.Packet ack = c.connect(TestClient.connectBuilder(MqttVersion.MQTT_5, "ka", true).keepAlive(0).build());
        assertThat(ack.property(MqttProperties.SERVER_KEEP_ALIVE)).isEqualTo(30);
    }

    @Test
    void holdsMqtt5ClientsAskingForMoreThanTheMaximumKeepAliveToIt() {
        // [MQTT-3.2.2-21] the client uses the Server Keep Alive; max.keep.alive is Mosquitto's max_keepalive
        settings = settings.withMaxKeepAlive(1);
        TestClient c = client();
        TestClient.Packet ack = c.connect(TestClient.connectBuilder(MqttVersion.MQTT_5, "greedy", true).keepAlive(600).build());
        assertThat(ack.property(MqttProperties.SERVER_KEEP_ALIVE)).isEqualTo(1);
        assertThat(c.expect(DISCONNECT).reasonCode()).as("silent past 1.5 x the maximum").isEqualTo(0x8D);
        c.expectClosed();

        TestClient none = client();
        assertThat(none.connect(TestClient.connectBuilder(MqttVersion.MQTT_5, "none", true).keepAlive(0).build())
                .property(MqttProperties.SERVER_KEEP_ALIVE)).as("keep alive 0 asks for more than any maximum").isEqualTo(1);
    }

    @Test
    void leavesAKeepAliveWithinTheMaximumAlone() {
        settings = settings.withMaxKeepAlive(60);
        TestClient c = client();
        TestClient.Packet ack = c.connect(TestClient.connectBuilder(MqttVersion.MQTT_5, "modest", true).keepAlive(30).build());
        assertThat(ack.property(MqttProperties.SERVER_KEEP_ALIVE)).isNull();
        TestClient v3 = client();
        assertThat(v3.connect(TestClient.connectBuilder(MqttVersion.MQTT_3_1_1, "modest3", true).keepAlive(60).build())
                .reasonCode()).isZero();
    }

    @Test
    void refusesMqtt311ClientsAskingForMoreThanTheMaximumKeepAlive() {
        // 3.1.1 has no Server Keep Alive to tell the client: refused as Mosquitto does (0x02 identifier rejected)
        settings = settings.withMaxKeepAlive(60);
        for (int requested : new int[] {61, 0}) {
            TestClient c = client();
            c.send(TestClient.connectBuilder(MqttVersion.MQTT_3_1_1, "greedy" + requested, true).keepAlive(requested).build());
            assertThat(c.expect(CONNACK).reasonCode()).as("keep alive " + requested).isEqualTo(0x02);
            c.expectClosed();
        }
    }

    @Test
    void disconnectsAfterOneAndAHalfKeepAlivesWithoutPackets() {
        TestClient c = client();
        c.connect(TestClient.connectBuilder(MqttVersion.MQTT_5, "sleepy", true).keepAlive(1).build());
        long connected = System.currentTimeMillis();
        TestClient.Packet disconnect = c.expect(DISCONNECT);
        long waited = System.currentTimeMillis() - connected;
        assertThat(disconnect.reasonCode()).isEqualTo(0x8D);
        assertThat(waited).isBetween(1300L, 3000L);
        c.expectClosed();
    }

    @Test
    void pingsKeepTheConnectionAlive() throws InterruptedException {
        TestClient c = client();
        c.connect(TestClient.connectBuilder(MqttVersion.MQTT_3_1_1, "pinger", true).keepAlive(1).build());
        for (int i = 0; i < 4; i++) {
            Thread.sleep(700);
            c.send(MqttMessage.PINGREQ);
            c.expect(PINGRESP);
        }
        assertThat(c.isOpen()).isTrue();
    }

    @Test
    void closesAConnectionThatSendsNoConnect() {
        settings = settings.withTimes(0, 1);
        TestClient c = client();
        c.expectClosed();
    }

    @Test
    void aNewConnectionTakesTheSessionOver() {
        TestClient first = client();
        first.connect(MqttVersion.MQTT_5, "same", false);
        TestClient second = client();
        TestClient.Packet ack = second.connect(MqttVersion.MQTT_5, "same", false);

        assertThat(first.expect(DISCONNECT).reasonCode()).isEqualTo(0x8E);
        first.expectClosed();
        assertThat(((MqttConnAckMessage) ack.message()).variableHeader().isSessionPresent()).isTrue();
        // the old connection's end does not detach or close the session now owned by the new one
        second.send(MqttMessage.PINGREQ);
        second.expect(PINGRESP);
        assertThat(broker.events).noneMatch(e -> e.startsWith("detach same") || e.startsWith("close same"));
    }

    @Test
    void a311TakeoverClosesTheOldConnection() {
        TestClient first = client();
        first.connect(MqttVersion.MQTT_3_1_1, "same3", true);
        TestClient second = client();
        second.connect(MqttVersion.MQTT_3_1_1, "same3", true);
        first.expectClosed();
        assertThat(first.received).isEmpty();
        assertThat(second.isOpen()).isTrue();
    }

    @Test
    void sessionPresentOnlyWhenResumed() {
        TestClient first = client();
        first.connect(MqttVersion.MQTT_3_1_1, "p", false);
        first.disconnect();
        first.expectClosed();
        eventually(() -> assertThat(broker.events).contains("detach p: client disconnected"));

        TestClient again = client();
        TestClient.Packet ack = again.connect(MqttVersion.MQTT_3_1_1, "p", false);
        assertThat(((MqttConnAckMessage) ack.message()).variableHeader().isSessionPresent()).isTrue();
        again.disconnect();
        again.expectClosed();

        TestClient clean = client();
        ack = clean.connect(MqttVersion.MQTT_3_1_1, "p", true);
        assertThat(((MqttConnAckMessage) ack.message()).variableHeader().isSessionPresent()).isFalse();
    }
}
