package io.switchboard.mqtt.internal.protocol;

import java.util.List;

import io.netty.buffer.ByteBufUtil;
import io.netty.handler.codec.mqtt.MqttProperties;

/**
 * Encoded sizes of MQTT packets, computed before encoding so a packet larger than the client's Maximum
 * Packet Size is never sent (MQTT 5, 3.1.2.11.4).
 */
final class PacketSizes {

    private PacketSizes() {
    }

    /** Bytes of {@code value} as a Variable Byte Integer. */
    static int vbi(long value) {
        if (value < 128) {
            return 1;
        }
        if (value < 16_384) {
            return 2;
        }
        if (value < 2_097_152) {
            return 3;
        }
        return 4;
    }

    /** The whole packet's size for a Remaining Length of {@code remaining}. */
    static long packet(long remaining) {
        return 1 + vbi(remaining) + remaining;
    }

    /** Size of a PUBLISH packet. */
    static long publish(String topic, int qos, MqttProperties properties, boolean v5, int payloadBytes) {
        long remaining = 2L + ByteBufUtil.utf8Bytes(topic) + (qos > 0 ? 2 : 0) + payloadBytes;
        if (v5) {
            long props = properties(properties);
            remaining += vbi(props) + props;
        }
        return packet(remaining);
    }

    /** Size of the encoded properties (without their length prefix). */
    static long properties(MqttProperties properties) {
        if (properties == null) {
            return 0;
        }
        long size = 0;
        for (MqttProperties.MqttProperty<?> p : properties.listAll()) {
            size += property(p);
        }
        return size;
    }

    /**
     * The width in bytes of an MQTT 5 property whose value is a fixed-width integer (1, 2 or 4), 0 for the others
     * (variable byte integer, string, binary, string pair): what both measuring and writing a property go by.
     */
    static int fixedWidth(int propertyId) {
        return switch (propertyId) {
            case MqttProperties.PAYLOAD_FORMAT_INDICATOR, MqttProperties.REQUEST_PROBLEM_INFORMATION,
                    MqttProperties.REQUEST_RESPONSE_INFORMATION, MqttProperties.MAXIMUM_QOS, MqttProperties.RETAIN_AVAILABLE,
                    MqttProperties.WILDCARD_SUBSCRIPTION_AVAILABLE, MqttProperties.SUBSCRIPTION_IDENTIFIER_AVAILABLE,
                    MqttProperties.SHARED_SUBSCRIPTION_AVAILABLE -> 1;
            case MqttProperties.SERVER_KEEP_ALIVE, MqttProperties.RECEIVE_MAXIMUM, MqttProperties.TOPIC_ALIAS_MAXIMUM,
                    MqttProperties.TOPIC_ALIAS -> 2;
            case MqttProperties.PUBLICATION_EXPIRY_INTERVAL, MqttProperties.SESSION_EXPIRY_INTERVAL,
                    MqttProperties.WILL_DELAY_INTERVAL, MqttProperties.MAXIMUM_PACKET_SIZE -> 4;
            default -> 0;
        };
    }

    private static long property(MqttProperties.MqttProperty<?> p) {
        int id = p.propertyId();
        Object value = p.value();
        int width = fixedWidth(id);
        if (width > 0) {
            return 1 + width;
        }
        switch (id) {
            case MqttProperties.SUBSCRIPTION_IDENTIFIER:
                return 1 + vbi(((Integer) value).longValue());
            case MqttProperties.USER_PROPERTY:
                long size = 0;
                if (value instanceof List<?> pairs) {
                    for (Object o : pairs) {
                        MqttProperties.StringPair pair = (MqttProperties.StringPair) o;
                        size += 5 + ByteBufUtil.utf8Bytes(pair.key) + ByteBufUtil.utf8Bytes(pair.value);
                    }
                } else if (value instanceof MqttProperties.StringPair pair) {
                    size += 5 + ByteBufUtil.utf8Bytes(pair.key) + ByteBufUtil.utf8Bytes(pair.value);
                }
                return size;
            default:
                if (value instanceof String s) {
                    return 3 + ByteBufUtil.utf8Bytes(s);
                }
                if (value instanceof byte[] b) {
                    return 3 + b.length;
                }
                return 5;
        }
    }
}
