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
    private final transient SubscriptionTree.Entry target;

    DeliveryImpl(Router router, Message message, SubscriptionTree.Entry target) {
        this.router = router;
        this.message = message;
        this.target = target;
    }

    @Override
    public List<Integer> subscriptionIds() {
        return target.subscriptionIds();
    }

    @Override
    public void delivered() {
        if (compareAndSet(false, true)) {
            router.delivered(message, target.session().user());
        }
    }

    @Override
    public void failed(String reason) {
        if (compareAndSet(false, true)) {
            router.deliveryFailed(message, target.session().user(), reason);
        }
    }

    @Override
    public void moved() {
        if (compareAndSet(false, true)) {
            router.relay(message, target, null); // as delivered: its routing's key is not known here
        }
    }
}
