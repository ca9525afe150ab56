package io.switchboard.api;

/**
 * Why something was refused or failed, using the MQTT 5 reason codes (OASIS MQTT 5.0, section 2.4).
 * Protocols without reason codes map them to the nearest thing they have (MQTT 3.1.1 CONNACK return
 * codes, SUBACK failure 0x80).
 */
public enum ReasonCode {
    /** 0x80: the server does not wish to reveal the reason, or none of the others applies. */
    UNSPECIFIED_ERROR(0x80),
    /** 0x81: the packet could not be parsed. */
    MALFORMED_PACKET(0x81),
    /** 0x82: the packet does not conform to the specification. */
    PROTOCOL_ERROR(0x82),
    /** 0x83: valid, but not accepted by this server. */
    IMPLEMENTATION_SPECIFIC_ERROR(0x83),
    /** 0x84: the protocol version is not supported. */
    UNSUPPORTED_PROTOCOL_VERSION(0x84),
    /** 0x85: the client identifier is not allowed. */
    CLIENT_IDENTIFIER_NOT_VALID(0x85),
    /** 0x86: the user name or password is wrong. */
    BAD_USER_NAME_OR_PASSWORD(0x86),
    /** 0x87: the client is not authorized to do this. */
    NOT_AUTHORIZED(0x87),
    /** 0x88: the server is not available. */
    SERVER_UNAVAILABLE(0x88),
    /** 0x89: the server is busy; try again later. */
    SERVER_BUSY(0x89),
    /** 0x8A: this client is banned. */
    BANNED(0x8A),
    /** 0x8B: the server is shutting down. */
    SERVER_SHUTTING_DOWN(0x8B),
    /** 0x8E: another connection with the same client identifier took over the session. */
    SESSION_TAKEN_OVER(0x8E),
    /** 0x8F: the topic filter is well formed but not accepted. */
    TOPIC_FILTER_INVALID(0x8F),
    /** 0x90: the topic name is well formed but not accepted. */
    TOPIC_NAME_INVALID(0x90),
    /** 0x95: the packet is larger than allowed. */
    PACKET_TOO_LARGE(0x95),
    /** 0x97: a quota (rate, size, count) was exceeded. */
    QUOTA_EXCEEDED(0x97),
    /** 0x98: refused by an administrator's action. */
    ADMINISTRATIVE_ACTION(0x98),
    /** 0x99: the payload does not match its format indicator or content rules. */
    PAYLOAD_FORMAT_INVALID(0x99),
    /** 0x9F: the client connects too often. */
    CONNECTION_RATE_EXCEEDED(0x9F);

    private final int code;

    ReasonCode(int code) {
        this.code = code;
    }

    /** The MQTT 5 numeric reason code. */
    public int code() {
        return code;
    }
}
