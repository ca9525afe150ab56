package io.switchboard.core.internal.http;

import java.net.http.HttpRequest.BodyPublisher;
import java.nio.ByteBuffer;
import java.util.concurrent.Flow;

/** Tells when the client has taken the whole request body. */
final class SentSignal implements BodyPublisher {
    private final BodyPublisher delegate;
    private final Runnable onSent;

    SentSignal(BodyPublisher delegate, Runnable onSent) {
        this.delegate = delegate;
        this.onSent = onSent;
    }

    @Override
    public long contentLength() {
        return delegate.contentLength();
    }

    @Override
    public void subscribe(Flow.Subscriber<? super ByteBuffer> subscriber) {
        delegate.subscribe(new Flow.Subscriber<ByteBuffer>() {
            @Override
            public void onSubscribe(Flow.Subscription subscription) {
                subscriber.onSubscribe(subscription);
            }

            @Override
            public void onNext(ByteBuffer item) {
                subscriber.onNext(item);
            }

            @Override
            public void onError(Throwable throwable) {
                subscriber.onError(throwable);
            }

            @Override
            public void onComplete() {
                subscriber.onComplete();
                onSent.run();
            }
        });
    }
}
