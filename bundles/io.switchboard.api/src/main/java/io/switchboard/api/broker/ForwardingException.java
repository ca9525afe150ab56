package io.switchboard.api.broker;

/**
 * A message was not confirmed by every node of the broker it was routed to: the node left, or did not answer
 * within the cluster's timeout. Its publisher must not be told the message was accepted (no PUBACK), so that it
 * sends it again (at least once). The message names the nodes.
 *
 * @since 2.3
 */
public class ForwardingException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public ForwardingException(String message) {
        super(message);
    }
}
