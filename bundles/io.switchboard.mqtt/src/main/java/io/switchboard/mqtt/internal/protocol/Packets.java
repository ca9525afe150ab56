package io.switchboard.mqtt.internal.protocol;

import java.util.List;

import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttConnAckVariableHeader;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageIdAndPropertiesVariableHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttPubReplyMessageVariableHeader;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttReasonCodeAndPropertiesVariableHeader;
import io.netty.handler.codec.mqtt.MqttSubAckMessage;
import io.netty.handler.codec.mqtt.MqttSubAckPayload;
import io.netty.handler.codec.mqtt.MqttUnsubAckMessage;
import io.netty.handler.codec.mqtt.MqttUnsubAckPayload;
import io.switchboard.api.ReasonCode;

/**
 * Builds the packets the server sends and maps the broker's {@link ReasonCode}s to what each packet
 * may carry: MQTT 5 allows only some reason codes per packet type (a code outside the packet's set
 * becomes 0x80, the reason string keeps the detail), MQTT 3.1.1 has only its CONNACK return codes and
 * the SUBACK failure 0x80.
 */
final class Packets {

    // MQTT 5 reason codes used by the protocol besides ReasonCode's
    static final int SUCCESS = 0x00;
    static final int NO_MATCHING_SUBSCRIBERS = 0x10;
    static final int NO_SUBSCRIPTION_EXISTED = 0x11;
    static final int DISCONNECT_WITH_WILL = 0x04;
    static final int UNSPECIFIED_ERROR = 0x80;
    static final int MALFORMED_PACKET = 0x81;
    static final int PROTOCOL_ERROR = 0x82;
    static final int UNSUPPORTED_PROTOCOL_VERSION = 0x84;
    static final int CLIENT_IDENTIFIER_NOT_VALID = 0x85;
    static final int NOT_AUTHORIZED = 0x87;
    static final int SERVER_UNAVAILABLE = 0x88;
    static final int SERVER_SHUTTING_DOWN = 0x8B;
    static final int BAD_AUTHENTICATION_METHOD = 0x8C;
    static final int KEEP_ALIVE_TIMEOUT = 0x8D;
    static final int SESSION_TAKEN_OVER = 0x8E;
    static final int TOPIC_FILTER_INVALID = 0x8F;
    static final int TOPIC_NAME_INVALID = 0x90;
    static final int PACKET_IDENTIFIER_NOT_FOUND = 0x92;
    static final int RECEIVE_MAXIMUM_EXCEEDED = 0x93;
    static final int TOPIC_ALIAS_INVALID = 0x94;
    static final int PACKET_TOO_LARGE = 0x95;
    static final int QUOTA_EXCEEDED = 0x97;
    static final int PAYLOAD_FORMAT_INVALID = 0x99;
    static final int RETAIN_NOT_SUPPORTED = 0x9A;
    static final int QOS_NOT_SUPPORTED = 0x9B;

    /** MQTT 3.1.1 CONNACK return codes. */
    static final int V3_UNACCEPTABLE_PROTOCOL_VERSION = 1;
    static final int V3_IDENTIFIER_REJECTED = 2;
    static final int V3_SERVER_UNAVAILABLE = 3;
    static final int V3_BAD_USER_NAME_OR_PASSWORD = 4;
    static final int V3_NOT_AUTHORIZED = 5;

    private static final int[] CONNACK_CODES = {0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8A, 0x8C,
        0x90, 0x95, 0x97, 0x99, 0x9A, 0x9B, 0x9C, 0x9D, 0x9F};
    private static final int[] PUBACK_CODES = {0x80, 0x83, 0x87, 0x90, 0x91, 0x97, 0x99};
    private static final int[] SUBACK_CODES = {0x80, 0x83, 0x87, 0x8F, 0x91, 0x97, 0x9E, 0xA1, 0xA2};

    private Packets() {
    }

    /** The MQTT 5 CONNACK reason code for a refusal with {@code code}. */
    static int connAckCode(ReasonCode code) {
        if (code == ReasonCode.SERVER_SHUTTING_DOWN) {
            return SERVER_UNAVAILABLE;
        }
        return allowed(code, CONNACK_CODES);
    }

    /** The MQTT 3.1.1 CONNACK return code for a refusal with {@code code}. */
    static int connAckCodeV3(ReasonCode code) {
        if (code == null) {
            return V3_NOT_AUTHORIZED;
        }
        return switch (code) {
            case BAD_USER_NAME_OR_PASSWORD -> V3_BAD_USER_NAME_OR_PASSWORD;
            case CLIENT_IDENTIFIER_NOT_VALID -> V3_IDENTIFIER_REJECTED;
            case UNSUPPORTED_PROTOCOL_VERSION -> V3_UNACCEPTABLE_PROTOCOL_VERSION;
            case SERVER_UNAVAILABLE, SERVER_BUSY, SERVER_SHUTTING_DOWN, CONNECTION_RATE_EXCEEDED -> V3_SERVER_UNAVAILABLE;
            default -> V3_NOT_AUTHORIZED;
        };
    }

    /** The MQTT 5 PUBACK/PUBREC reason code for a refusal with {@code code}. */
    static int pubAckCode(ReasonCode code) {
        return allowed(code, PUBACK_CODES);
    }

    /** The MQTT 5 SUBACK reason code for a refusal with {@code code}. */
    static int subAckCode(ReasonCode code) {
        return allowed(code, SUBACK_CODES);
    }

    private static int allowed(ReasonCode code, int[] codes) {
        if (code != null) {
            for (int c : codes) {
                if (c == code.code()) {
                    return c;
                }
            }
        }
        return UNSPECIFIED_ERROR;
    }

    /** A CONNACK; {@code code} is a 3.1.1 return code or an MQTT 5 reason code, as the connection's version. */
    static MqttConnAckMessage connAck(int code, boolean sessionPresent, MqttProperties properties) {
        return new MqttConnAckMessage(header(MqttMessageType.CONNACK, MqttQoS.AT_MOST_ONCE),
                new MqttConnAckVariableHeader(MqttConnectReturnCode.valueOf((byte) code), sessionPresent,
                        properties == null ? MqttProperties.NO_PROPERTIES : properties));
    }

    /** A PUBACK, PUBREC, PUBREL or PUBCOMP (reason code and properties are only encoded for MQTT 5). */
    static MqttMessage pubReply(MqttMessageType type, int packetId, int code, MqttProperties properties) {
        MqttQoS qos = type == MqttMessageType.PUBREL ? MqttQoS.AT_LEAST_ONCE : MqttQoS.AT_MOST_ONCE;
        return new MqttMessage(header(type, qos), new MqttPubReplyMessageVariableHeader(packetId, (byte) code,
                properties == null ? MqttProperties.NO_PROPERTIES : properties));
    }

    /** A SUBACK with one code per filter (a granted QoS or a failure code). */
    static MqttSubAckMessage subAck(int packetId, List<Integer> codes, MqttProperties properties) {
        return new MqttSubAckMessage(header(MqttMessageType.SUBACK, MqttQoS.AT_MOST_ONCE),
                new MqttMessageIdAndPropertiesVariableHeader(packetId,
                        properties == null ? MqttProperties.NO_PROPERTIES : properties),
                new MqttSubAckPayload(codes));
    }

    /** An UNSUBACK; {@code codes} only for MQTT 5. */
    static MqttUnsubAckMessage unsubAck(int packetId, short[] codes, MqttProperties properties) {
        return new MqttUnsubAckMessage(header(MqttMessageType.UNSUBACK, MqttQoS.AT_MOST_ONCE),
                new MqttMessageIdAndPropertiesVariableHeader(packetId,
                        properties == null ? MqttProperties.NO_PROPERTIES : properties),
                codes == null ? null : new MqttUnsubAckPayload(codes));
    }

    /** An MQTT 5 DISCONNECT. */
    static MqttMessage disconnect(int code, MqttProperties properties) {
        return new MqttMessage(header(MqttMessageType.DISCONNECT, MqttQoS.AT_MOST_ONCE),
                new MqttReasonCodeAndPropertiesVariableHeader((byte) code,
                        properties == null ? MqttProperties.NO_PROPERTIES : properties));
    }

    /** Properties holding a Reason String, or none when {@code reason} is null. */
    static MqttProperties reasonString(String reason) {
        if (reason == null || reason.isEmpty()) {
            return MqttProperties.NO_PROPERTIES;
        }
        MqttProperties properties = new MqttProperties();
        properties.add(new MqttProperties.StringProperty(MqttProperties.REASON_STRING, reason));
        return properties;
    }

    /** A reason code as MQTT's specification writes it, e.g. {@code 0x8E}. */
    static String hex(int code) {
        return String.format("0x%02X", code);
    }

    private static MqttFixedHeader header(MqttMessageType type, MqttQoS qos) {
        return new MqttFixedHeader(type, false, qos, false, 0);
    }
}
