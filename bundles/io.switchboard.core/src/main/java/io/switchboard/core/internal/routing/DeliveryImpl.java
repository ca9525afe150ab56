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
    /** The message's fan-out: what {@link #moved} relays (the message as routing got it, with its key) and to whom. */
    private final transient Fanout fanout;

    DeliveryImpl(Router router, Message message, SubscriptionTree.Entry target, Fanout fanout) {
        this.router = router;
        this.message = message;
        this.target = target;
        this.fanout = fanout;
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
            // (a retained or $SYS message has none: no direct copy to tell it from)
            router.relay(fanout.routed != null ? fanout.routed : message, target, fanout);
        }
    }
}
