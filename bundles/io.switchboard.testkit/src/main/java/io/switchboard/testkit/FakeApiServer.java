package io.switchboard.testkit;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A local HTTP server playing a remote web API (a translation service, a chat-completions endpoint) for
 * one test of a module that calls it through the broker's real HTTP path: it records each request and answers it with
 * the current {@link Handler}. {@link #close()} also releases handlers waiting in {@link #stall()}.
 */
public final class FakeApiServer implements AutoCloseable {

    /**
     * One request as the server received it.
     *
     * @param method the HTTP method
     * @param path the request path
     * @param contentType the Content-Type header, or {@code null}
     * @param authorization the Authorization header, or {@code null}
     * @param body the body as UTF-8 text
     */
    public record Request(String method, String path, String contentType, String authorization, String body) {
    }

    /** Answers one request. */
    public interface Handler {
        void handle(HttpExchange exchange, Request request) throws IOException;
    }

    private final HttpServer server;
    private final ExecutorService threads = Executors.newCachedThreadPool();
    private final List<Request> requests = new ArrayList<>();
    private final CountDownLatch released = new CountDownLatch(1);
    private volatile Handler handler = (exchange, request) -> respond(exchange, 404, "text/plain", "no handler");

    public FakeApiServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(threads);
        server.createContext("/", exchange -> {
            try (exchange) {
                String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
                Request request = new Request(exchange.getRequestMethod(), exchange.getRequestURI().getPath(),
                        exchange.getRequestHeaders().getFirst("Content-Type"),
                        exchange.getRequestHeaders().getFirst("Authorization"), body);
                synchronized (requests) {
                    requests.add(request);
                }
                handler.handle(exchange, request);
            }
        });
        server.start();
    }

    /** The base URL: {@code http://127.0.0.1:<port>}. */
    public String url() {
        return "http://" + server.getAddress().getAddress().getHostAddress() + ":" + server.getAddress().getPort();
    }

    /** Answers the next requests with {@code handler}. */
    public void handle(Handler handler) {
        this.handler = handler;
    }

    /** Answers every request with {@code status}, {@code contentType} and {@code body}. */
    public void answer(int status, String contentType, String body) {
        handle((exchange, request) -> respond(exchange, status, contentType, body));
    }

    /** The requests received so far, oldest first. */
    public List<Request> requests() {
        synchronized (requests) {
            return List.copyOf(requests);
        }
    }

    /** Blocks the calling handler until the test ends (a service that never answers). */
    public void stall() {
        try {
            released.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Sends a complete response: {@code status}, a {@code Content-Type} and {@code body} in UTF-8. */
    public static void respond(HttpExchange exchange, int status, String contentType, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    @Override
    public void close() {
        released.countDown();
        server.stop(0);
        threads.shutdownNow();
    }
}
