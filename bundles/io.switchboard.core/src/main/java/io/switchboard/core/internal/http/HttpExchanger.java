package io.switchboard.core.internal.http;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ProxySelector;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;

import io.switchboard.api.HostServices;
import io.switchboard.api.HttpListener;
import io.switchboard.api.HttpRequest;
import io.switchboard.api.HttpResponse;

/**
 * Runs the HTTP exchanges behind {@link HostServices#http(HttpRequest, HttpListener)} on the JDK's
 * {@link HttpClient}, without blocking the caller.
 *
 * <p>What an exchange does with the {@link HttpRequest} options:
 * <ul>
 * <li>Headers: the extra headers first, then the options (User-Agent, default {@value #DEFAULT_USER_AGENT}
 * unless set as option or extra header; Content-Type, Referer, Origin, Cookie, Accept-Encoding,
 * Cache-Control, Accept, If-None-Match from the ETag, If-Modified-Since as an RFC 7231 date), which replace
 * extra headers of the same name.</li>
 * <li>Redirects (301, 302, 303, 307, 308) are followed here, not by the client, so that exactly
 * {@link HttpRequest#maxRedirects()} are followed; a further redirect is returned as the response. 303
 * (for any method but GET and HEAD) and 301/302 (for POST) continue as GET without body; 307 and 308 keep
 * method and body. Cookie and Authorization are not sent on after a redirect to another origin.</li>
 * <li>Retries: an attempt that fails before the response headers (an {@link IOException}, including the
 * header and connect timeouts) or answers 5xx is retried, after a short pause (50 ms, doubling, at most
 * 1 s), up to {@link HttpRequest#retries()} times. Redirects within one exchange do not count as
 * attempts. The listener hears nothing of a retried 5xx response; a 5xx of the last allowed attempt is
 * the response.</li>
 * <li>Timeouts fail with {@link java.net.http.HttpTimeoutException} whose message names the timeout:
 * connect ({@link java.net.http.HttpConnectTimeoutException}), header (from handing the request to the
 * client, connecting included, to the response headers; per attempt), body (longest silence of the
 * server between two body chunks, time the listener spends not counted), total (the whole exchange,
 * retries and pauses included; not retried).</li>
 * <li>A gzip body ({@code Content-Encoding: gzip}) is decoded chunk by chunk for the listener and the
 * response; its {@code content-encoding} and {@code content-length} headers are then removed from what
 * is reported, and {@code onBody}'s total is -1.</li>
 * <li>Proxy and connect timeout: one {@link HttpClient} per distinct pair, kept and reused (at most
 * {@value #MAX_CLIENTS}, least recently used dropped first). {@code proxy == null} is a direct connection,
 * whatever the JVM's proxy settings.</li>
 * </ul>
 *
 * <p>Listener: callbacks run on the callback executor, one at a time per exchange, never on the thread
 * calling {@link #exchange}: {@code onRequestSent} at most once (when the request body has been handed to
 * the connection, or, for a request without body or before that is known, when the first response
 * headers arrive; an exchange failing before that gets none), {@code onHeaders} once for the final
 * response, {@code onBody} per chunk, then {@code onComplete} or {@code onError}. The next body chunk is
 * read only after the listener has returned from the last one. A listener that throws fails the exchange
 * with that exception ({@code onError} is called with it, unless it was {@code onComplete} that threw).
 * The returned stage completes on the callback executor after {@code onComplete}/{@code onError};
 * cancelling it aborts the exchange.
 */
public final class HttpExchanger implements AutoCloseable {

    /** The User-Agent sent when the request sets none. */
    public static final String DEFAULT_USER_AGENT = "Switchboard/1.0";

    /** How many HTTP clients (one per proxy and connect timeout) are kept. */
    static final int MAX_CLIENTS = 16;

    private final Executor callbackExecutor;
    private final ScheduledExecutorService timer;
    private final Map<ClientKey, HttpClient> clients = new LinkedHashMap<>(16, 0.75f, true) { // guarded by itself
        @Override
        protected boolean removeEldestEntry(Map.Entry<ClientKey, HttpClient> eldest) {
            return size() > MAX_CLIENTS;
        }
    };
    private final Set<Exchange> live = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    private record ClientKey(InetSocketAddress proxy, Duration connectTimeout) {
    }

    /**
     * @param callbackExecutor runs the listeners' callbacks and completes the returned stages
     * @param timer fires the timeouts and retry pauses; only short tasks run on it
     */
    public HttpExchanger(Executor callbackExecutor, ScheduledExecutorService timer) {
        this.callbackExecutor = Objects.requireNonNull(callbackExecutor, "callbackExecutor");
        this.timer = Objects.requireNonNull(timer, "timer");
    }

    /**
     * Starts an exchange and returns at once.
     *
     * @param request what to send
     * @param listener the streaming callbacks; {@code null} is {@link HttpListener#NONE}
     * @return completes with the final response (a 4xx or 5xx status is a response too), or exceptionally
     *         with the failure after the retries; after {@link #close()} with an {@link IOException}
     */
    public CompletionStage<HttpResponse> exchange(HttpRequest request, HttpListener listener) {
        Objects.requireNonNull(request, "request");
        Exchange exchange = new Exchange(this, request, listener == null ? HttpListener.NONE : listener,
                new SerialExecutor(callbackExecutor), timer);
        live.add(exchange);
        if (closed) {
            exchange.fail(new IOException("HTTP exchanger closed; not sending " + request));
        } else {
            exchange.start();
        }
        return exchange.result();
    }

    /**
     * Fails the exchanges in progress with an {@link IOException} and drops the HTTP clients; later
     * exchanges fail the same way. The executors passed in are not shut down.
     */
    @Override
    public void close() {
        closed = true;
        for (Exchange exchange : live) {
            exchange.fail(new IOException("HTTP exchanger closed"));
        }
        synchronized (clients) {
            clients.clear();
        }
    }

    /** The client for a proxy and connect timeout, made on first use. */
    HttpClient client(InetSocketAddress proxy, Duration connectTimeout) {
        if (closed) {
            throw new IllegalStateException("HTTP exchanger closed");
        }
        synchronized (clients) {
            return clients.computeIfAbsent(new ClientKey(proxy, connectTimeout), key -> HttpClient.newBuilder()
                    .followRedirects(HttpClient.Redirect.NEVER) // followed by Exchange, which counts them
                    .connectTimeout(key.connectTimeout())
                    .proxy(key.proxy() == null ? HttpClient.Builder.NO_PROXY : ProxySelector.of(key.proxy()))
                    .build());
        }
    }

    /** How many clients are kept now (for tests). */
    int clientCount() {
        synchronized (clients) {
            return clients.size();
        }
    }

    /** How many exchanges are in progress (for tests). */
    int liveCount() {
        return live.size();
    }

    void forget(Exchange exchange) {
        live.remove(exchange);
    }
}
