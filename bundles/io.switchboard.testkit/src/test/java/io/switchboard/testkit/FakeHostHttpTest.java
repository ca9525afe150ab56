package io.switchboard.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.ConnectException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.switchboard.api.HttpListener;
import io.switchboard.api.HttpRequest;
import io.switchboard.api.HttpResponse;

class FakeHostHttpTest {

    private static final Duration WAIT = Duration.ofSeconds(5);

    private final FakeHost host = new FakeHost();

    @AfterEach
    void close() {
        host.close();
    }

    /** Records every callback with the thread it ran on. */
    static final class Recorder implements HttpListener {
        final List<String> events = new CopyOnWriteArrayList<>();
        final List<String> threads = new CopyOnWriteArrayList<>();

        private void add(String event) {
            events.add(event);
            threads.add(Thread.currentThread().getName());
        }

        @Override
        public void onRequestSent(long bodyBytes) {
            add("sent " + bodyBytes);
        }

        @Override
        public void onHeaders(int status, Map<String, List<String>> headers) {
            add("headers " + status + " " + headers);
        }

        @Override
        public void onBody(ByteBuffer chunk, long received, long total) {
            add("body '" + StandardCharsets.UTF_8.decode(chunk) + "' " + received + "/" + total);
        }

        @Override
        public void onComplete(HttpResponse response) {
            add("complete " + response.status() + " '" + response.bodyText() + "'");
        }

        @Override
        public void onError(Throwable failure) {
            add("error " + failure);
        }
    }

    @Test
    void aScriptedResponseDrivesTheCallbacksInOrderOffTheCallersThread() throws Exception {
        host.onHttp("https://api.example/", HttpScript.status(200).header("Content-Type", "text/plain")
                .header("Content-Length", "11").body("hello").body(" world"));
        Recorder recorder = new Recorder();

        HttpResponse response = host.http(HttpRequest.post("https://api.example/x").body("ping", "text/plain").build(), recorder)
                .toCompletableFuture().get(5, TimeUnit.SECONDS);

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.bodyText()).isEqualTo("hello world");
        assertThat(response.header("Content-Type")).isEqualTo("text/plain");
        assertThat(response.attempts()).isEqualTo(1);
        assertThat(recorder.events).containsExactly(
                "sent 4",
                "headers 200 " + response.headers(),
                "body 'hello' 5/11",
                "body ' world' 11/11",
                "complete 200 'hello world'");
        assertThat(recorder.threads).doesNotContain(Thread.currentThread().getName());
        assertThat(host.requests()).extracting(r -> r.uri().toString()).containsExactly("https://api.example/x");
        assertThat(host.exchanges().get(0).callbacks()).containsExactly(
                "onRequestSent(4)", "onHeaders(200)", "onBody(5/11)", "onBody(11/11)", "onComplete(200)");
    }

    @Test
    void withoutContentLengthTheTotalIsUnknownAndTheDefaultStatusIs200() {
        host.onAnyHttp(HttpScript.after(Duration.ZERO).body("abc"));
        Recorder recorder = new Recorder();

        host.http(HttpRequest.get("http://x.example/").build(), recorder);

        assertThat(host.exchanges().get(0).await(WAIT).status()).isEqualTo(200);
        assertThat(recorder.events).contains("body 'abc' 3/-1");
    }

    @Test
    void aDelayHoldsTheRestOfTheScript() {
        host.onAnyHttp(HttpScript.status(200).body("first").delay(Duration.ofMillis(300)).body("second"));
        Recorder recorder = new Recorder();
        long start = System.nanoTime();

        CompletableFuture<HttpResponse> response = host.http(HttpRequest.get("http://x.example/").build(), recorder)
                .toCompletableFuture();

        HttpExchange exchange = host.exchanges().get(0);
        exchange.await(WAIT);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
        assertThat(response.join().bodyText()).isEqualTo("firstsecond");
        assertThat(exchange.callbacks()).containsExactly("onRequestSent(0)", "onHeaders(200)", "onBody(5/-1)",
                "onBody(11/-1)", "onComplete(200)");
    }

    @Test
    void aFailureWithoutAResponseReportsOnlyTheError() {
        ConnectException refused = new ConnectException("refused");
        host.onAnyHttp(HttpScript.failure(refused));
        Recorder recorder = new Recorder();

        CompletableFuture<HttpResponse> response = host.http(HttpRequest.get("http://down.example/").build(), recorder)
                .toCompletableFuture();

        assertThatThrownBy(() -> response.get(5, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .hasCause(refused);
        assertThat(recorder.events).containsExactly("sent 0", "error " + refused);
        assertThatThrownBy(() -> host.exchanges().get(0).await(WAIT)).isInstanceOf(AssertionError.class)
                .hasMessageContaining("refused");
    }

    @Test
    void aFailureInTheMiddleOfTheBody() {
        IOException reset = new IOException("reset");
        host.onAnyHttp(HttpScript.status(206).body("half").fail(reset));
        Recorder recorder = new Recorder();

        CompletableFuture<HttpResponse> response = host.http(HttpRequest.get("http://x.example/").build(), recorder)
                .toCompletableFuture();

        assertThatThrownBy(() -> response.get(5, TimeUnit.SECONDS)).hasCause(reset);
        assertThat(recorder.events).containsExactly("sent 0", "headers 206 {}", "body 'half' 4/-1", "error " + reset);
    }

    @Test
    void theNewestMatchingScriptWins() {
        host.onAnyHttp(HttpScript.status(404));
        host.onHttp(r -> r.method().equals("POST"), HttpScript.ok("posted"));

        assertThat(host.http(HttpRequest.post("http://x.example/").build()).toCompletableFuture().join().bodyText())
                .isEqualTo("posted");
        assertThat(host.http(HttpRequest.get("http://x.example/").build()).toCompletableFuture().join().status())
                .isEqualTo(404);
    }

    @Test
    void anUnscriptedRequestWaitsForTheTestToAnswerIt() {
        Recorder recorder = new Recorder();
        CompletableFuture<HttpResponse> response = host.http(HttpRequest.get("http://bot.example/ask").build(), recorder)
                .toCompletableFuture();

        HttpExchange exchange = host.awaitExchange(WAIT);
        assertThat(exchange.isPending()).isTrue();
        assertThat(exchange.request().uri().getHost()).isEqualTo("bot.example");
        assertThat(response).isNotDone();
        assertThat(recorder.events).isEmpty();

        exchange.respond(201, "created");

        assertThat(response.join().status()).isEqualTo(201);
        assertThat(exchange.isPending()).isFalse();
        assertThatThrownBy(() -> exchange.respond(200, "again")).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> host.awaitExchange(Duration.ofMillis(30))).isInstanceOf(AssertionError.class)
                .hasMessageContaining("http://bot.example/ask");
    }

    @Test
    void aListenerThatThrowsFailsTheExchangeAsTheBrokerDoes() {
        host.onAnyHttp(HttpScript.ok("x"));
        IllegalStateException bug = new IllegalStateException("listener bug");
        List<Throwable> errors = new CopyOnWriteArrayList<>();
        HttpListener listener = new HttpListener() {
            @Override
            public void onHeaders(int status, Map<String, List<String>> headers) {
                throw bug;
            }

            @Override
            public void onError(Throwable failure) {
                errors.add(failure);
            }
        };

        CompletableFuture<HttpResponse> response = host.http(HttpRequest.get("http://x.example/").build(), listener)
                .toCompletableFuture();

        assertThatThrownBy(() -> response.get(5, TimeUnit.SECONDS)).hasCause(bug);
        assertThat(errors).containsExactly(bug);
        assertThat(host.exchanges().get(0).callbacks()).containsExactly("onRequestSent(0)", "onHeaders(200)",
                "onError(" + bug + ")");
    }

    @Test
    void aStreamingRequestGetsTheBodyOnlyThroughTheListener() {
        host.onAnyHttp(HttpScript.ok("streamed"));
        Recorder recorder = new Recorder();

        HttpResponse response = host.http(HttpRequest.get("http://x.example/").streaming(true).build(), recorder)
                .toCompletableFuture().join();

        assertThat(response.body()).isEmpty();
        assertThat(recorder.events).contains("body 'streamed' 8/-1");
    }

    @Test
    void headersCannotFollowTheBody() {
        assertThatThrownBy(() -> HttpScript.ok("x").header("a", "b")).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> HttpScript.status(99)).isInstanceOf(IllegalArgumentException.class);
        assertThat(HttpScript.status(200).header("a", "b").body("xy").delay(Duration.ofMillis(5)).fail(new IOException("e")))
                .hasToString("HttpScript[status 200, a: b, 2 bytes, delay 5 ms, fail java.io.IOException: e]");
    }
}
