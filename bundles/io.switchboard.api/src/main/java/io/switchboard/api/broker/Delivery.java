package io.switchboard.api.broker;

import java.util.List;

import org.osgi.annotation.versioning.ProviderType;

/** The outcome handle of one delivery to one session; the first report wins, later ones are ignored. */
@ProviderType
public interface Delivery {

    /** The subscriber acknowledged the message, or it was written at QoS 0: raises DELIVERED. */
    void delivered();

    /** The message could not be delivered: raises FAILED with {@code reason}. */
    void failed(String reason);

    /**
     * The identifiers ({@link io.switchboard.api.Subscription#identifier()}) of the session's subscriptions this
     * delivery stands for, ascending: of every matching subscription of the session when they share one copy of
     * the message, of the member's subscription for a shared subscription. Empty when none has an identifier.
     *
     * @since 2.1
     */
    default List<Integer> subscriptionIds() {
        return List.of();
    }
}
