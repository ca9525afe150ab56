package io.switchboard.api.broker;

import org.osgi.annotation.versioning.ProviderType;

/** The outcome handle of one delivery to one session; the first report wins, later ones are ignored. */
@ProviderType
public interface Delivery {

    /** The subscriber acknowledged the message, or it was written at QoS 0: raises DELIVERED. */
    void delivered();

    /** The message could not be delivered: raises FAILED with {@code reason}. */
    void failed(String reason);
}
