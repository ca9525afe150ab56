package io.switchboard.module.chatbot.internal;

import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

import io.switchboard.api.HttpListener;
import io.switchboard.api.HttpRequest;
import io.switchboard.api.HttpResponse;
import io.switchboard.core.internal.http.HttpExchanger;
import io.switchboard.testkit.FakeHost;

/**
 * A recording host whose {@link #http} is the broker's own implementation ({@link HttpExchanger} from
 * io.switchboard.core, what {@code HostServices.http} runs on in the broker): real connections, timeouts,
 * retries and callbacks, against a local server in the test.
 */
final class RealHttpHost extends FakeHost {

    private final ExecutorService callbacks = Executors.newFixedThreadPool(2);
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private final HttpExchanger exchanger = new HttpExchanger(callbacks, timer);

    RealHttpHost(String bundleSymbolicName) {
        super(bundleSymbolicName);
    }

    @Override
    public CompletionStage<HttpResponse> http(HttpRequest request, HttpListener listener) {
        return exchanger.exchange(request, listener);
    }

    @Override
    public void close() {
        exchanger.close();
        callbacks.shutdownNow();
        timer.shutdownNow();
        super.close();
    }
}
