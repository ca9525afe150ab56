package io.switchboard.core.internal.routing;

import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import io.switchboard.api.Message;
import io.switchboard.api.broker.Delivery;

/** The outcome handle of one delivery; the first report counts. */
final class DeliveryImpl extends AtomicBoolean implements Delivery {

    private static final long serialVersionUID = 1L;

    private final transient Router router;
    private final transient Message message;
    private final String recipient;
    private final transient List<Integer> subscriptionIds;

    DeliveryImpl(Router router, Message message, String recipient, List<Integer> subscriptionIds) {
        this.router = router;
        this.message = message;
        this.recipient = recipient;
        this.subscriptionIds = subscriptionIds;
    }

    @Override
    public List<Integer> subscriptionIds() {
        return subscriptionIds;
    }

    @Override
    public void delivered() {
        if (compareAndSet(false, true)) {
            router.delivered(message, recipient);
        }
    }

    @Override
    public void failed(String reason) {
        if (compareAndSet(false, true)) {
            router.deliveryFailed(message, recipient, reason);
        }
    }
}
