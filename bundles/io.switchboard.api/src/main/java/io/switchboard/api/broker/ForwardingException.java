package io.switchboard.api.broker;

/**
 * A message was not confirmed by every node of the broker it was routed to: the node left, or did not answer
 * within the cluster's timeout. Its publisher must not be told the message was accepted (no PUBACK), so that it
 * sends it again (at least once). The message names the nodes.
 *
 * <p>Since 2.8 a QoS 2 message may be {@linkplain #canForwardAgain() forwarded again}: the broker keeps it with the
 * nodes that did accept it, and {@link ClientSession#forwardAgain} with its {@link #messageId()} sends the publisher's
 * resend to the others only, so that every subscriber gets it exactly once.
 *
 * @since 2.3
 */
public class ForwardingException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final long messageId;

    public ForwardingException(String message) {
        this(message, -1);
    }

    /**
     * @param messageId the id of the message the broker keeps to forward it again, or -1 when it keeps none
     * @since 2.8
     */
    public ForwardingException(String message, long messageId) {
        super(message);
        this.messageId = messageId;
    }

    /**
     * Whether the broker kept the message to forward it again to the nodes that did not accept it.
     *
     * @since 2.8
     */
    public boolean canForwardAgain() {
        return messageId >= 0;
    }

    /**
     * The id of the message the broker keeps to forward it again ({@link ClientSession#forwardAgain}), or -1.
     *
     * @since 2.8
     */
    public long messageId() {
        return messageId;
    }
}
