package io.switchboard.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

import java.io.IOException;
import java.net.http.HttpClient;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.switchboard.api.HttpListener;
import io.switchboard.api.HttpRequest;
import io.switchboard.api.HttpResponse;

class FakeHostRealHttpTest {

    /**
     * A small real HTTP implementation on the JDK's client, standing in for the broker's (which the kit
     * cannot depend on): completes on the callback executor the host gave it.
     */
    static final class JdkTransport implements AutoCloseable {
        final Executor callbacks;
        final ScheduledExecutorService timer;
        private final HttpClient client = HttpClient.newHttpClient();
        volatile boolean closed;

        JdkTransport(Executor callbacks, ScheduledExecutorService timer) {
            this.callbacks = callbacks;
            this.timer = timer;
        }

        CompletionStage<HttpResponse> exchange(HttpRequest request, HttpListener listener) {
            return client.sendAsync(java.net.http.HttpRequest.newBuilder(request.uri()).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofByteArray())
                    .thenApplyAsync(r -> new HttpResponse(r.statusCode(), r.headers().map(), r.body(), 1), callbacks);
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    private FakeApiServer api;
    private final FakeHost host = new FakeHost("org.example.weather");

    @BeforeEach
    void start() throws IOException {
        api = new FakeApiServer();
    }

    @AfterEach
    void stop() {
        host.close();
        api.close();
    }

    @Test
    void runsHttpOnTheRealImplementationWithTheHostsThreads() throws Exception {
        JdkTransport[] opened = new JdkTransport[1];
        host.httpThrough((callbacks, timer) -> opened[0] = new JdkTransport(callbacks, timer), JdkTransport::exchange);
        api.answer(200, "text/plain", "sunny");
        String[] completedOn = new String[1];

        HttpResponse response = host.http(HttpRequest.get(api.url() + "/today").build(), null)
                .whenComplete((r, e) -> completedOn[0] = Thread.currentThread().getName())
                .toCompletableFuture().get(5, TimeUnit.SECONDS);

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.bodyText()).isEqualTo("sunny");
        assertThat(api.requests()).singleElement().satisfies(r -> assertThat(r.path()).isEqualTo("/today"));
        assertThat(completedOn[0]).startsWith("testkit-http-callback-org.example.weather");
        assertThat(host.exchanges()).as("the server records real requests, not the host").isEmpty();
    }

    @Test
    void closingTheHostClosesTheImplementationAndStopsItsThreads() {
        JdkTransport[] opened = new JdkTransport[1];
        host.httpThrough((callbacks, timer) -> opened[0] = new JdkTransport(callbacks, timer), JdkTransport::exchange);

        host.close();

        assertThat(opened[0].closed).isTrue();
        assertThat(((ExecutorService) opened[0].callbacks).isShutdown()).isTrue();
        assertThat(opened[0].timer.isShutdown()).isTrue();
    }

    @Test
    void aHostRunsHttpOnOneImplementationOnly() {
        host.httpThrough(JdkTransport::new, JdkTransport::exchange);

        assertThatIllegalStateException().isThrownBy(() -> host.httpThrough(JdkTransport::new, JdkTransport::exchange))
                .withMessageContaining("already runs HTTP");
    }
}
