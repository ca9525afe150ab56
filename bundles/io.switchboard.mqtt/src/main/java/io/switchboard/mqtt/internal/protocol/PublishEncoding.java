package io.switchboard.mqtt.internal.protocol;

import java.nio.ByteBuffer;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.mqtt.MqttProperties;

/**
 * A PUBLISH packet encoded into a byte array, byte for byte as Netty's {@code MqttEncoder} encodes the same
 * packet (properties in {@link MqttProperties#listAll()} order, each written as that encoder writes its type),
 * so that one encoding can be copied to every subscriber whose packet is the same. A QoS 1/2 packet's copy gets
 * its own packet id and DUP flag ({@link #copyTo}). Sizes as {@link PacketSizes} computes them.
 */
final class PublishEncoding {

    private static final int PUBLISH = 3;
    private static final int DUP = 0x08;

    private final byte[] bytes;
    /** Where the packet id is, -1 for QoS 0. */
    private final int packetIdOffset;

    private PublishEncoding(byte[] bytes, int packetIdOffset) {
        this.bytes = bytes;
        this.packetIdOffset = packetIdOffset;
    }

    /** Encodes a PUBLISH; {@code properties} only for MQTT 5 ({@code v5}); {@code packetId} only for QoS 1/2. */
    static PublishEncoding of(boolean v5, boolean dup, int qos, boolean retain, String topic, int packetId,
            MqttProperties properties, ByteBuffer payload) {
        int size = (int) PacketSizes.publish(topic, qos, properties, v5, payload.remaining());
        ByteBuf out = Unpooled.wrappedBuffer(new byte[size]).clear();
        int packetIdOffset = write(out, v5, dup, qos, retain, topic, packetId, properties, payload);
        if (out.writerIndex() != size) {
            throw new IllegalStateException("PUBLISH encoded in " + out.writerIndex() + " bytes, " + size + " expected");
        }
        return new PublishEncoding(out.array(), packetIdOffset);
    }

    /**
     * Writes a PUBLISH into {@code out} (for a packet that is not kept, a large one, written straight into the
     * channel's buffer); returns where its packet id is, -1 for QoS 0.
     */
    static int write(ByteBuf out, boolean v5, boolean dup, int qos, boolean retain, String topic, int packetId,
            MqttProperties properties, ByteBuffer payload) {
        int start = out.writerIndex();
        int propertiesSize = v5 ? (int) PacketSizes.properties(properties) : 0;
        int remaining = 2 + ByteBufUtil.utf8Bytes(topic) + (qos > 0 ? 2 : 0)
                + (v5 ? PacketSizes.vbi(propertiesSize) + propertiesSize : 0) + payload.remaining();
        out.writeByte(PUBLISH << 4 | (dup ? DUP : 0) | qos << 1 | (retain ? 1 : 0));
        writeVariableLength(out, remaining);
        writeString(out, topic);
        int packetIdOffset = -1;
        if (qos > 0) {
            packetIdOffset = out.writerIndex() - start;
            out.writeShort(packetId);
        }
        if (v5) {
            writeVariableLength(out, propertiesSize);
            for (MqttProperties.MqttProperty<?> p : properties.listAll()) {
                writeProperty(out, p);
            }
        }
        out.writeBytes(payload.duplicate());
        return packetIdOffset;
    }

    int size() {
        return bytes.length;
    }

    /** Writes the packet into {@code out} with {@code dup}; QoS 1/2 with {@code packetId}. */
    void copyTo(ByteBuf out, int packetId, boolean dup) {
        int start = out.writerIndex();
        out.writeBytes(bytes);
        out.setByte(start, dup ? bytes[0] | DUP : bytes[0] & ~DUP);
        if (packetIdOffset >= 0) {
            out.setShort(start + packetIdOffset, packetId);
        }
    }

    private static void writeProperty(ByteBuf out, MqttProperties.MqttProperty<?> p) {
        int id = p.propertyId();
        Object value = p.value();
        int width = PacketSizes.fixedWidth(id);
        if (width > 0) {
            writeVariableLength(out, id);
            int v = (Integer) value;
            switch (width) {
                case 1 -> out.writeByte(v);
                case 2 -> out.writeShort(v);
                default -> out.writeInt(v);
            }
            return;
        }
        switch (id) {
            case MqttProperties.SUBSCRIPTION_IDENTIFIER -> {
                writeVariableLength(out, id);
                writeVariableLength(out, (Integer) value);
            }
            case MqttProperties.USER_PROPERTY -> {
                for (MqttProperties.StringPair pair : MessageProperties.pairs(p)) {
                    writeVariableLength(out, id);
                    writeString(out, pair.key);
                    writeString(out, pair.value);
                }
            }
            default -> {
                writeVariableLength(out, id);
                if (value instanceof String s) {
                    writeString(out, s);
                } else if (value instanceof byte[] b) {
                    out.writeShort(b.length);
                    out.writeBytes(b);
                } else {
                    throw new IllegalArgumentException("MQTT property " + id + " of unknown type " + value);
                }
            }
        }
    }

    private static void writeString(ByteBuf out, String s) {
        int length = ByteBufUtil.utf8Bytes(s);
        out.writeShort(length);
        ByteBufUtil.reserveAndWriteUtf8(out, s, length);
    }

    private static void writeVariableLength(ByteBuf out, int value) {
        int v = value;
        do {
            int digit = v % 128;
            v /= 128;
            out.writeByte(v > 0 ? digit | 0x80 : digit);
        } while (v > 0);
    }

    /** For tests: the encoded bytes. */
    byte[] bytes() {
        return bytes.clone();
    }

    @Override
    public String toString() {
        return "PUBLISH, " + bytes.length + " bytes";
    }
}
