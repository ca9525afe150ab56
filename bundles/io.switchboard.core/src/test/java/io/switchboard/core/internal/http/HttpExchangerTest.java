package io.switchboard.core.internal.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;

import io.switchboard.api.HttpListener;
import io.switchboard.api.HttpRequest;
import io.switchboard.api.HttpResponse;

class HttpExchangerTest {

    private static final long WAIT_SECONDS = 5;

    private final CountDownLatch release = new CountDownLatch(1); // lets stalling handlers go at the end
    private final List<HttpServer> servers = new ArrayList<>();
    private ExecutorService serverThreads;
    private ExecutorService callbackThreads;
    private ScheduledExecutorService timer;
    private HttpExchanger http;
    private HttpServer server;

    @BeforeEach
    void start() throws IOException {
        serverThreads = Executors.newCachedThreadPool();
        callbackThreads = Executors.newFixedThreadPool(4); // several threads, yet one exchange's callbacks are serial
        timer = Executors.newSingleThreadScheduledExecutor();
        http = new HttpExchanger(callbackThreads, timer);
        server = newServer();
    }

    @AfterEach
    void stop() {
        release.countDown();
        http.close();
        servers.forEach(s -> s.stop(0));
        serverThreads.shutdownNow();
        callbackThreads.shutdownNow();
        timer.shutdownNow();
    }

    @Test
    void streamsChunksInOrderWithProgress() throws Exception {
        String[] parts = {"alpha-", "bravo-", "charlie-", "delta-", "echo"};
        byte[] all = String.join("", parts).getBytes(StandardCharsets.US_ASCII);
        handle("/stream", ex -> {
            ex.sendResponseHeaders(200, all.length);
            OutputStream out = ex.getResponseBody();
            for (String part : parts) {
                out.write(part.getBytes(StandardCharsets.US_ASCII));
                out.flush();
                pause(20); // server side: makes separate chunks likely
            }
            out.close();
        });
        Recorder rec = new Recorder();

        HttpResponse response = await(http.exchange(HttpRequest.get(url("/stream")).streaming(true).build(), rec));

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.body()).isEmpty(); // streaming: the body went to the listener only
        assertThat(response.attempts()).isEqualTo(1);
        assertThat(response.headers().keySet()).allSatisfy(name -> assertThat(name).isLowerCase());
        assertThat(response.header("Content-Length")).isEqualTo(String.valueOf(all.length));
        assertThat(rec.body.toByteArray()).isEqualTo(all);
        assertThat(rec.progress).isNotEmpty().allSatisfy(p -> assertThat(p[1]).isEqualTo(all.length));
        List<Long> received = rec.progress.stream().map(p -> p[0]).toList();
        assertThat(received).isSorted().doesNotHaveDuplicates().last().isEqualTo((long) all.length);
        assertThat(rec.events.get(0)).isEqualTo("sent:0");
        assertThat(rec.events.get(1)).isEqualTo("headers:200");
        assertThat(rec.events.subList(2, rec.events.size() - 1)).isNotEmpty().containsOnly("body");
        assertThat(rec.events.get(rec.events.size() - 1)).isEqualTo("complete:200");
        assertThat(rec.threads).doesNotContain(Thread.currentThread());
        assertThat(rec.overlapped).isFalse();
    }

    @Test
    void collectsTheBodyAndSendsTheDefaultUserAgent() throws Exception {
        AtomicReference<String> userAgent = new AtomicReference<>();
        handle("/plain", ex -> {
            userAgent.set(ex.getRequestHeaders().getFirst("User-Agent"));
            respond(ex, 200, "hello");
        });

        HttpResponse response = await(http.exchange(HttpRequest.get(url("/plain")).build(), null));

        assertThat(response.bodyText()).isEqualTo("hello");
        assertThat(userAgent.get()).isEqualTo("Switchboard/1.0");
    }

    @Test
    void decodesGzipChunkByChunk() throws Exception {
        byte[] text = GzipDecoderTest.text(200_000);
        byte[] gz = GzipDecoderTest.gzip(text);
        AtomicReference<String> acceptEncoding = new AtomicReference<>();
        handle("/gz", ex -> {
            acceptEncoding.set(ex.getRequestHeaders().getFirst("Accept-Encoding"));
            ex.getResponseHeaders().add("Content-Encoding", "gzip");
            ex.sendResponseHeaders(200, gz.length);
            OutputStream out = ex.getResponseBody();
            for (int i = 0; i < gz.length; i += 4096) {
                out.write(gz, i, Math.min(4096, gz.length - i));
                out.flush();
            }
            out.close();
        });
        Recorder rec = new Recorder();

        HttpResponse response = await(http.exchange(HttpRequest.get(url("/gz")).acceptEncoding("gzip").build(), rec));

        assertThat(acceptEncoding.get()).isEqualTo("gzip");
        assertThat(response.body()).isEqualTo(text);
        assertThat(rec.body.toByteArray()).isEqualTo(text);
        assertThat(rec.progress).hasSizeGreaterThan(1).allSatisfy(p -> assertThat(p[1]).isEqualTo(-1));
        assertThat(rec.progress.get(rec.progress.size() - 1)[0]).isEqualTo(text.length);
        assertThat(response.headers()).doesNotContainKeys("content-encoding", "content-length");
    }

    @Test
    void followsExactlyMaxRedirectsAndReturnsTheNextRedirect() throws Exception {
        AtomicInteger hits = new AtomicInteger();
        handle("/r/", ex -> {
            hits.incrementAndGet();
            int n = Integer.parseInt(ex.getRequestURI().getPath().substring(3));
            ex.getResponseHeaders().add("Location", "/r/" + (n + 1));
            respond(ex, 302, "moved");
        });
        Recorder rec = new Recorder();

        HttpResponse response = await(http.exchange(HttpRequest.get(url("/r/0")).maxRedirects(2).build(), rec));

        assertThat(response.status()).isEqualTo(302);
        assertThat(response.header("location")).isEqualTo("/r/3");
        assertThat(response.bodyText()).isEqualTo("moved");
        assertThat(hits).hasValue(3); // /r/0, /r/1, /r/2
        assertThat(rec.events).containsExactly("sent:0", "headers:302", "body", "complete:302");

        hits.set(0);
        HttpResponse none = await(http.exchange(HttpRequest.get(url("/r/0")).maxRedirects(0).build(), null));
        assertThat(none.header("location")).isEqualTo("/r/1");
        assertThat(hits).hasValue(1);
    }

    @Test
    void followsRedirectsToTheEnd() throws Exception {
        handle("/hop/", ex -> {
            int n = Integer.parseInt(ex.getRequestURI().getPath().substring(5));
            if (n < 3) {
                ex.getResponseHeaders().add("Location", url("/hop/" + (n + 1)));
                respond(ex, 301, "");
            } else {
                respond(ex, 200, "arrived");
            }
        });

        HttpResponse response = await(http.exchange(HttpRequest.get(url("/hop/0")).maxRedirects(3).build(), null));

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.bodyText()).isEqualTo("arrived");
    }

    @Test
    void aRedirectToAnotherOriginDropsCredentialsAndSkipsALargeRedirectBody() throws Exception {
        HttpServer other = newServer(); // another port: another origin
        AtomicReference<Headers> arrived = new AtomicReference<>();
        other.createContext("/landing", ex -> {
            arrived.set(ex.getRequestHeaders());
            respond(ex, 200, "landed");
            ex.close();
        });
        String landing = "http://127.0.0.1:" + other.getAddress().getPort() + "/landing";
        handle("/away", ex -> {
            ex.getResponseHeaders().add("Location", landing);
            byte[] big = new byte[Exchange.DISCARD_LIMIT * 4];
            ex.sendResponseHeaders(302, big.length);
            try {
                ex.getResponseBody().write(big);
            } catch (IOException e) {
                // the client gave up on this body: expected
            }
        });

        HttpResponse response = await(http.exchange(HttpRequest.get(url("/away")).cookie("session=1")
                .header("Authorization", "Bearer secret").header("X-Kept", "yes").build(), null));

        assertThat(response.bodyText()).isEqualTo("landed");
        assertThat(arrived.get().getFirst("X-Kept")).isEqualTo("yes");
        assertThat(arrived.get()).doesNotContainKeys("Cookie", "Authorization");
    }

    @Test
    void aSlowListenerDoesNotTripTheBodyTimeout() throws Exception {
        byte[] data = new byte[256 * 1024];
        handle("/bulk", ex -> {
            ex.sendResponseHeaders(200, data.length);
            ex.getResponseBody().write(data);
        });
        AtomicInteger chunks = new AtomicInteger();
        HttpListener slow = new HttpListener() {
            @Override
            public void onBody(ByteBuffer chunk, long received, long total) {
                if (chunks.getAndIncrement() == 0) {
                    pause(400); // longer than the body timeout; the server is not the one being silent
                }
            }
        };

        HttpResponse response = await(http.exchange(HttpRequest.get(url("/bulk"))
                .bodyTimeout(Duration.ofMillis(150)).build(), slow));

        assertThat(response.body()).hasSize(data.length);
    }

    @Test
    void postBecomesGetOn303AndStaysPostOn307() throws Exception {
        List<String> seen = Collections.synchronizedList(new ArrayList<>());
        handle("/see-other", ex -> {
            ex.getResponseHeaders().add("Location", "/target");
            respond(ex, 303, "");
        });
        handle("/temporary", ex -> {
            ex.getResponseHeaders().add("Location", "/target");
            respond(ex, 307, "");
        });
        handle("/target", ex -> {
            String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            seen.add(ex.getRequestMethod() + " [" + body + "] " + ex.getRequestHeaders().getFirst("Content-Type"));
            respond(ex, 200, "done");
        });
        Recorder rec = new Recorder();

        HttpResponse get = await(http.exchange(
                HttpRequest.post(url("/see-other")).body("ping", "text/plain").build(), rec));
        HttpResponse post = await(http.exchange(
                HttpRequest.post(url("/temporary")).body("ping", "text/plain").build(), null));

        assertThat(get.status()).isEqualTo(200);
        assertThat(post.status()).isEqualTo(200);
        assertThat(seen).containsExactly("GET [] null", "POST [ping] text/plain");
        assertThat(rec.events).startsWith("sent:4", "headers:200").endsWith("complete:200");
    }

    @Test
    void headerTimeoutFails() {
        handle("/slow", ex -> {
            await(release);
            respond(ex, 200, "late");
        });
        Recorder rec = new Recorder();
        String uri = url("/slow");

        Throwable failure = failure(http.exchange(
                HttpRequest.get(uri).headerTimeout(Duration.ofMillis(200)).build(), rec));

        assertThat(failure).isInstanceOf(HttpTimeoutException.class)
                .hasMessage("header timeout of 200 ms exceeded for GET " + uri);
        assertThat(rec.events).containsExactly("error:HttpTimeoutException");
        assertThat(rec.failure).isSameAs(failure);
        assertThat(http.liveCount()).isZero();
    }

    @Test
    void bodyTimeoutFailsWhenTheServerStallsMidBody() {
        handle("/stall", ex -> {
            ex.sendResponseHeaders(200, 100);
            ex.getResponseBody().write(new byte[10]);
            ex.getResponseBody().flush();
            await(release);
        });
        Recorder rec = new Recorder();
        String uri = url("/stall");

        Throwable failure = failure(http.exchange(
                HttpRequest.get(uri).bodyTimeout(Duration.ofMillis(200)).build(), rec));

        assertThat(failure).isInstanceOf(HttpTimeoutException.class)
                .hasMessage("body timeout of 200 ms exceeded for GET " + uri);
        assertThat(rec.body.size()).isEqualTo(10);
        assertThat(rec.events).startsWith("sent:0", "headers:200").endsWith("error:HttpTimeoutException");
    }

    @Test
    void totalTimeoutFailsASlowButSteadyDownload() {
        handle("/trickle", ex -> {
            ex.sendResponseHeaders(200, 0);
            OutputStream out = ex.getResponseBody();
            try {
                while (!release.await(30, TimeUnit.MILLISECONDS)) { // a byte every 30 ms: no body timeout
                    out.write('x');
                    out.flush();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        String uri = url("/trickle");
        long start = System.nanoTime();

        Throwable failure = failure(http.exchange(HttpRequest.get(uri).totalTimeout(Duration.ofMillis(300))
                .bodyTimeout(Duration.ofSeconds(2)).build(), null));

        assertThat(failure).isInstanceOf(HttpTimeoutException.class)
                .hasMessage("total timeout of 300 ms exceeded for GET " + uri);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
    }

    @Test
    void retriesA5xxAndReportsOnlyTheFinalAttempt() throws Exception {
        AtomicInteger hits = new AtomicInteger();
        handle("/flaky", ex -> {
            if (hits.incrementAndGet() == 1) {
                respond(ex, 500, "boom");
            } else {
                respond(ex, 200, "ok");
            }
        });
        Recorder rec = new Recorder();

        HttpResponse response = await(http.exchange(HttpRequest.get(url("/flaky")).retries(2).build(), rec));

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.bodyText()).isEqualTo("ok");
        assertThat(response.attempts()).isEqualTo(2);
        assertThat(hits).hasValue(2);
        assertThat(rec.events).containsExactly("sent:0", "headers:200", "body", "complete:200");
        assertThat(rec.body.toString(StandardCharsets.UTF_8)).isEqualTo("ok");
    }

    @Test
    void aLast5xxIsTheResponse() throws Exception {
        AtomicInteger hits = new AtomicInteger();
        handle("/down", ex -> {
            hits.incrementAndGet();
            respond(ex, 503, "down");
        });
        Recorder rec = new Recorder();

        HttpResponse response = await(http.exchange(HttpRequest.get(url("/down")).retries(1).build(), rec));

        assertThat(response.status()).isEqualTo(503);
        assertThat(response.bodyText()).isEqualTo("down");
        assertThat(response.attempts()).isEqualTo(2);
        assertThat(hits).hasValue(2);
        assertThat(rec.events).containsExactly("sent:0", "headers:503", "body", "complete:503");
    }

    @Test
    void retriesAfterAHeaderTimeout() throws Exception {
        AtomicInteger hits = new AtomicInteger();
        handle("/once-slow", ex -> {
            if (hits.incrementAndGet() == 1) {
                await(release);
            }
            respond(ex, 200, "second");
        });

        HttpResponse response = await(http.exchange(HttpRequest.get(url("/once-slow"))
                .headerTimeout(Duration.ofMillis(200)).retries(1).build(), null));

        assertThat(response.bodyText()).isEqualTo("second");
        assertThat(response.attempts()).isEqualTo(2);
    }

    @Test
    void failsAfterTheRetriesWithTheLastFailure() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        Recorder rec = new Recorder();

        Throwable failure = failure(http.exchange(
                HttpRequest.post("http://127.0.0.1:" + closedPort + "/x").body("data", "text/plain").retries(1).build(),
                rec));

        assertThat(failure).isInstanceOf(ConnectException.class);
        assertThat(failure.getSuppressed()).hasSize(1); // the first attempt's failure
        assertThat(rec.events).containsExactly("error:ConnectException"); // nothing was sent
    }

    @Test
    void usesTheProxyAndReusesItsClient() throws Exception {
        HttpServer proxy = newServer();
        List<String> proxied = Collections.synchronizedList(new ArrayList<>());
        proxy.createContext("/", ex -> {
            proxied.add(ex.getRequestURI() + " host=" + ex.getRequestHeaders().getFirst("Host"));
            respond(ex, 200, "via proxy");
            ex.close();
        });
        handle("/direct", ex -> respond(ex, 200, "direct"));
        HttpRequest viaProxy = HttpRequest.get("http://switchboard.invalid:8081/data?x=1")
                .proxy("localhost", proxy.getAddress().getPort()).build();

        HttpResponse first = await(http.exchange(viaProxy, null));
        HttpResponse direct = await(http.exchange(HttpRequest.get(url("/direct")).build(), null));
        HttpResponse second = await(http.exchange(viaProxy, null));

        assertThat(first.bodyText()).isEqualTo("via proxy");
        assertThat(second.bodyText()).isEqualTo("via proxy");
        assertThat(direct.bodyText()).isEqualTo("direct");
        assertThat(proxied).containsExactly("http://switchboard.invalid:8081/data?x=1 host=switchboard.invalid:8081",
                "http://switchboard.invalid:8081/data?x=1 host=switchboard.invalid:8081");
        assertThat(http.clientCount()).isEqualTo(2); // one per proxy, not one per request

        await(http.exchange(HttpRequest.get(url("/direct")).connectTimeout(Duration.ofSeconds(3)).build(), null));
        assertThat(http.clientCount()).isEqualTo(3); // the connect timeout belongs to the client
    }

    @Test
    void everyHeaderOptionArrives() throws Exception {
        AtomicReference<Headers> headers = new AtomicReference<>();
        AtomicReference<String> requestLine = new AtomicReference<>();
        handle("/echo", ex -> {
            headers.set(ex.getRequestHeaders());
            requestLine.set(ex.getRequestMethod() + " " + new String(ex.getRequestBody().readAllBytes(),
                    StandardCharsets.UTF_8));
            respond(ex, 200, "");
        });
        HttpRequest request = HttpRequest.builder("put", url("/echo"))
                .body("hello", "text/plain; charset=utf-8")
                .header("X-Trace", "t1")
                .header("X-Trace", "t2")
                .userAgent("probe/2")
                .referrer("http://ref.example/page")
                .origin("http://origin.example")
                .cookie("a=1; b=2")
                .acceptEncoding("identity")
                .cacheControl("no-cache")
                .accept("application/json")
                .etag("\"v1\"")
                .ifModifiedSince(Instant.parse("1994-11-06T08:49:37Z"))
                .build();

        await(http.exchange(request, null));

        Headers h = headers.get();
        assertThat(requestLine.get()).isEqualTo("PUT hello");
        assertThat(h.get("X-Trace")).containsExactly("t1", "t2");
        assertThat(h.getFirst("Content-Type")).isEqualTo("text/plain; charset=utf-8");
        assertThat(h.get("User-Agent")).containsExactly("probe/2");
        assertThat(h.getFirst("Referer")).isEqualTo("http://ref.example/page");
        assertThat(h.getFirst("Origin")).isEqualTo("http://origin.example");
        assertThat(h.getFirst("Cookie")).isEqualTo("a=1; b=2");
        assertThat(h.getFirst("Accept-Encoding")).isEqualTo("identity");
        assertThat(h.getFirst("Cache-Control")).isEqualTo("no-cache");
        assertThat(h.getFirst("Accept")).isEqualTo("application/json");
        assertThat(h.getFirst("If-None-Match")).isEqualTo("\"v1\"");
        assertThat(h.getFirst("If-Modified-Since")).isEqualTo("Sun, 06 Nov 1994 08:49:37 GMT");
    }

    @Test
    void aThrowingListenerFailsTheExchange() {
        handle("/fine", ex -> respond(ex, 200, "fine"));
        IllegalStateException boom = new IllegalStateException("listener bug");
        AtomicReference<Throwable> reported = new AtomicReference<>();
        List<String> calls = Collections.synchronizedList(new ArrayList<>());
        HttpListener throwing = new HttpListener() {
            @Override
            public void onHeaders(int status, Map<String, List<String>> headers) {
                throw boom;
            }

            @Override
            public void onBody(ByteBuffer chunk, long received, long total) {
                calls.add("body");
            }

            @Override
            public void onComplete(HttpResponse response) {
                calls.add("complete");
            }

            @Override
            public void onError(Throwable failure) {
                reported.set(failure);
            }
        };

        Throwable failure = failure(http.exchange(HttpRequest.get(url("/fine")).build(), throwing));

        assertThat(failure).isSameAs(boom);
        assertThat(reported.get()).isSameAs(boom);
        assertThat(calls).isEmpty();

        IllegalStateException late = new IllegalStateException("onComplete bug");
        Throwable lateFailure = failure(http.exchange(HttpRequest.get(url("/fine")).build(), new HttpListener() {
            @Override
            public void onComplete(HttpResponse response) {
                throw late;
            }
        }));
        assertThat(lateFailure).isSameAs(late);
    }

    @Test
    void cancellingTheStageAbortsTheExchange() throws Exception {
        handle("/slow", ex -> {
            await(release);
            respond(ex, 200, "late");
        });
        CompletableFuture<Throwable> reported = new CompletableFuture<>();

        CompletionStage<HttpResponse> stage = http.exchange(HttpRequest.get(url("/slow")).build(), new HttpListener() {
            @Override
            public void onError(Throwable failure) {
                reported.complete(failure);
            }
        });
        stage.toCompletableFuture().cancel(true);

        assertThat(reported.get(WAIT_SECONDS, TimeUnit.SECONDS)).isInstanceOf(CancellationException.class);
        assertThat(http.liveCount()).isZero();
    }

    @Test
    void closeFailsExchangesInProgressAndLaterOnes() {
        handle("/slow", ex -> {
            await(release);
            respond(ex, 200, "late");
        });
        CompletionStage<HttpResponse> inProgress = http.exchange(HttpRequest.get(url("/slow")).build(), null);

        http.close();

        assertThat(failure(inProgress)).isInstanceOf(IOException.class).hasMessageContaining("closed");
        assertThat(failure(http.exchange(HttpRequest.get(url("/slow")).build(), null)))
                .isInstanceOf(IOException.class).hasMessageContaining("closed");
        assertThat(http.liveCount()).isZero();
    }

    // ---- helpers

    /** Records callbacks; notes when two of them overlap. */
    private static final class Recorder implements HttpListener {
        final List<String> events = Collections.synchronizedList(new ArrayList<>());
        final List<long[]> progress = Collections.synchronizedList(new ArrayList<>());
        final ByteArrayOutputStream body = new ByteArrayOutputStream();
        final Set<Thread> threads = ConcurrentHashMap.newKeySet();
        final AtomicInteger inside = new AtomicInteger();
        volatile boolean overlapped;
        volatile Throwable failure;

        private void enter(String event) {
            if (inside.incrementAndGet() != 1) {
                overlapped = true;
            }
            threads.add(Thread.currentThread());
            events.add(event);
        }

        private void leave() {
            inside.decrementAndGet();
        }

        @Override
        public void onRequestSent(long bodyBytes) {
            enter("sent:" + bodyBytes);
            leave();
        }

        @Override
        public void onHeaders(int status, Map<String, List<String>> headers) {
            enter("headers:" + status);
            leave();
        }

        @Override
        public void onBody(ByteBuffer chunk, long received, long total) {
            enter("body");
            byte[] bytes = new byte[chunk.remaining()];
            chunk.get(bytes);
            synchronized (body) {
                body.writeBytes(bytes);
            }
            progress.add(new long[] {received, total});
            leave();
        }

        @Override
        public void onComplete(HttpResponse response) {
            enter("complete:" + response.status());
            leave();
        }

        @Override
        public void onError(Throwable failure) {
            this.failure = failure;
            enter("error:" + failure.getClass().getSimpleName());
            leave();
        }
    }

    private interface Handler {
        void handle(HttpExchange exchange) throws IOException;
    }

    private void handle(String path, Handler handler) {
        server.createContext(path, (HttpHandler) ex -> {
            try {
                handler.handle(ex);
            } finally {
                ex.close();
            }
        });
    }

    private HttpServer newServer() throws IOException {
        HttpServer s = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        s.setExecutor(serverThreads);
        s.start();
        servers.add(s);
        return s;
    }

    private String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    private static void respond(HttpExchange ex, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            ex.getResponseBody().write(bytes);
        }
    }

    private static HttpResponse await(CompletionStage<HttpResponse> stage) throws Exception {
        return stage.toCompletableFuture().get(WAIT_SECONDS, TimeUnit.SECONDS);
    }

    private static Throwable failure(CompletionStage<HttpResponse> stage) {
        Throwable thrown = catchThrowable(() -> stage.toCompletableFuture().get(WAIT_SECONDS, TimeUnit.SECONDS));
        assertThat(thrown).isInstanceOf(ExecutionException.class);
        return thrown.getCause();
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
