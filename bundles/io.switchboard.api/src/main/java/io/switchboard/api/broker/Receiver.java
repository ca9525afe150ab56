package io.switchboard.api.broker;

import io.switchboard.api.Message;
import org.osgi.annotation.versioning.ConsumerType;

/** Receives the messages routed to a session; implemented by the front door or in-process client. */
@ConsumerType
public interface Receiver {

    /**
     * Delivers one message. Must not block: queue or write it and report the outcome on
     * {@code delivery} when known (acknowledged, written at QoS 0, or failed).
     */
    void deliver(Message message, Delivery delivery);
}
