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
    /** The message as routing got it (or null), and its publisher's order key: what {@link #moved} relays. */
    private final transient Message routed;
    private final transient String orderKey;

    DeliveryImpl(Router router, Message message, SubscriptionTree.Entry target, Message routed, String orderKey) {
        this.router = router;
        this.message = message;
        this.target = target;
        this.routed = routed;
        this.orderKey = orderKey;
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
            // as routing got it, with its key, as a closed session's subscriptions relay: the node taking the
            // session tells it from its direct copy by that message's identity
            if (routed != null) {
                router.relay(routed, target, orderKey);
            } else {
                router.relay(message, target, null); // a retained or $SYS message: no direct copy to tell it from
            }
        }
    }
}
