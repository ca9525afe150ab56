package io.switchboard.mqtt.internal.protocol;

/**
 * The read-receipt convention: a client reports that it read a message by publishing to
 * {@code $read/<messageId>} (any QoS, any payload, usually empty), where {@code <messageId>} is the
 * broker's id of the delivered message in decimal. An MQTT 5 client that asked for it in its CONNECT
 * ({@link MessageIdProperty}) finds that id in the user property named by {@code message.id.property}
 * (default {@value ProtocolSettings#DEFAULT_MESSAGE_ID_PROPERTY}) of the PUBLISHes delivered to it. The protocol calls {@code ClientSession.read(messageId)} (the broker raises
 * a READ status) and does not route the publish. A QoS 1/2 receipt is acknowledged as usual; one with
 * a malformed id is acknowledged with 0x90 (topic name invalid) under MQTT 5 and logged.
 */
final class ReadReceipts {

    /** The topic prefix of a read receipt. */
    static final String PREFIX = "$read/";

    private ReadReceipts() {
    }

    /** Whether {@code topic} is a read receipt. */
    static boolean isReceipt(String topic) {
        return topic.startsWith(PREFIX);
    }

    /** The message id of the receipt topic {@code topic}, or -1 when it is not a positive decimal number. */
    static long messageId(String topic) {
        String id = topic.substring(PREFIX.length());
        if (id.isEmpty() || id.length() > 19) {
            return -1;
        }
        for (int i = 0; i < id.length(); i++) {
            if (id.charAt(i) < '0' || id.charAt(i) > '9') {
                return -1;
            }
        }
        try {
            long value = Long.parseLong(id);
            return value > 0 ? value : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
