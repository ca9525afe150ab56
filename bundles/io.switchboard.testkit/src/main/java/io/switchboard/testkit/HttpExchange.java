package io.switchboard.testkit;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.switchboard.api.HttpListener;
import io.switchboard.api.HttpRequest;
import io.switchboard.api.HttpResponse;

/**
 * One {@link FakeHost#http} exchange: the request a module made and what it was answered. An exchange
 * that matched a script ({@link FakeHost#onHttp}) plays it at once; otherwise it waits until the test
 * answers it with {@link #respond(HttpScript)}, which lets a test look at a module while its request
 * is outstanding:
 *
 * <pre>{@code
 * VerdictResult result = probe.message(question).from(alice);
 * result.assertPending();
 * HttpExchange exchange = host.awaitExchange(Duration.ofSeconds(5));
 * assertThat(exchange.request().uri()).hasHost("bot.example");
 * exchange.respond(HttpScript.ok("{\"answer\":\"42\"}"));
 * result.assertPassed();
 * }</pre>
 *
 * <p>The listener's callbacks run in order on the fake host's HTTP thread, never on the caller's, as
 * the broker runs them; {@link #callbacks()} lists those made so far.
 */
public final class HttpExchange {

    private final HttpRequest request;
    private final HttpListener listener;
    private final ScheduledExecutorService executor;
    private final CompletableFuture<HttpResponse> result = new CompletableFuture<>();
    private final List<String> callbacks = new ArrayList<>();
    private HttpScript script;

    // playing state: touched only on the executor thread
    private List<HttpScript.Step> steps;
    private Integer status;
    private final Map<String, List<String>> headers = new LinkedHashMap<>();
    private boolean headersSent;
    private final ByteArrayOutputStream body = new ByteArrayOutputStream();
    private long received;

    HttpExchange(HttpRequest request, HttpListener listener, ScheduledExecutorService executor) {
        this.request = request;
        this.listener = listener == null ? HttpListener.NONE : listener;
        this.executor = executor;
    }

    /** The request the module made. */
    public HttpRequest request() {
        return request;
    }

    /** The listener the module passed ({@link HttpListener#NONE} for none). */
    public HttpListener listener() {
        return listener;
    }

    /** What {@link FakeHost#http} returned to the module. */
    public CompletionStage<HttpResponse> response() {
        return result;
    }

    /** Whether no script answers it yet: the test has to {@link #respond}. */
    public synchronized boolean isPending() {
        return script == null;
    }

    /** Whether the exchange has ended (completed or failed). */
    public boolean isDone() {
        return result.isDone();
    }

    /**
     * The listener callbacks made so far, in order, e.g. {@code onRequestSent(0)}, {@code onHeaders(200)},
     * {@code onBody(5/11)}, {@code onComplete(200)}, {@code onError(java.io.IOException: reset)}.
     */
    public synchronized List<String> callbacks() {
        return List.copyOf(callbacks);
    }

    /** Answers a pending exchange with {@code script}. */
    public HttpExchange respond(HttpScript script) {
        synchronized (this) {
            if (this.script != null) {
                throw new IllegalStateException("already answered by " + this.script + ": " + request);
            }
            this.script = script;
        }
        executor.execute(this::start);
        return this;
    }

    /** Answers a pending exchange with {@code status} and a UTF-8 body in one chunk. */
    public HttpExchange respond(int status, String body) {
        return respond(HttpScript.respond(status, body));
    }

    /** Fails a pending exchange without a response. */
    public HttpExchange fail(Throwable failure) {
        return respond(HttpScript.failure(failure));
    }

    /** Waits (bounded) until the exchange has ended; returns its response, or fails with what failed it. */
    public HttpResponse await(Duration timeout) {
        Waits.until("the exchange " + request + " to end (callbacks so far: " + callbacks() + ")", timeout, this::isDone);
        try {
            return result.join();
        } catch (java.util.concurrent.CompletionException e) {
            throw new org.opentest4j.AssertionFailedError("the exchange " + request + " failed: " + e.getCause(), e.getCause());
        }
    }

    @Override
    public String toString() {
        return request + (isPending() ? " (pending)" : isDone() ? " (done)" : " (playing)");
    }

    // ------------------------------------------------------------------------------ playing

    private void start() {
        synchronized (this) {
            steps = script.steps();
        }
        if (call("onRequestSent(" + request.body().length + ")", () -> listener.onRequestSent(request.body().length))) {
            play(0);
        }
    }

    /** Plays the steps from {@code index} until a delay (which schedules the rest) or the end. */
    private void play(int index) {
        for (int i = index; i < steps.size(); i++) {
            HttpScript.Step step = steps.get(i);
            if (step instanceof HttpScript.Status s) {
                status = s.status();
            } else if (step instanceof HttpScript.Header h) {
                headers.computeIfAbsent(h.name().toLowerCase(Locale.ROOT), k -> new ArrayList<>()).add(h.value());
            } else if (step instanceof HttpScript.Delay d) {
                if (status != null && !sendHeaders()) {
                    return;
                }
                int next = i + 1;
                executor.schedule(() -> play(next), d.duration().toNanos(), TimeUnit.NANOSECONDS);
                return;
            } else if (step instanceof HttpScript.Chunk c) {
                if (!sendHeaders() || !sendChunk(c.bytes())) {
                    return;
                }
            } else if (step instanceof HttpScript.Failure f) {
                if (status != null && !sendHeaders()) {
                    return;
                }
                failWith(f.failure());
                return;
            }
        }
        if (sendHeaders()) {
            complete();
        }
    }

    private boolean sendHeaders() {
        if (headersSent) {
            return true;
        }
        headersSent = true;
        if (status == null) {
            status = 200;
        }
        int st = status;
        Map<String, List<String>> copy = Map.copyOf(headers);
        return call("onHeaders(" + st + ")", () -> listener.onHeaders(st, copy));
    }

    private boolean sendChunk(byte[] chunk) {
        received += chunk.length;
        if (!request.streaming()) {
            body.writeBytes(chunk);
        }
        long soFar = received;
        long total = contentLength();
        return call("onBody(" + soFar + "/" + total + ")", () -> listener.onBody(ByteBuffer.wrap(chunk).asReadOnlyBuffer(), soFar, total));
    }

    private long contentLength() {
        List<String> values = headers.get("content-length");
        if (values == null || values.isEmpty()) {
            return -1;
        }
        try {
            return Long.parseLong(values.get(0).trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private void complete() {
        HttpResponse response = new HttpResponse(status, headers, body.toByteArray(), 1);
        record("onComplete(" + status + ")");
        try {
            listener.onComplete(response);
        } catch (RuntimeException | Error e) {
            result.completeExceptionally(e);
            return;
        }
        result.complete(response);
    }

    private void failWith(Throwable failure) {
        record("onError(" + failure + ")");
        try {
            listener.onError(failure);
        } catch (RuntimeException | Error e) {
            if (e != failure) {
                failure.addSuppressed(e);
            }
        }
        result.completeExceptionally(failure);
    }

    /** Calls a non-final callback; if it throws, the exchange fails with that (as the broker does). */
    private boolean call(String callback, Runnable call) {
        record(callback);
        try {
            call.run();
            return true;
        } catch (RuntimeException | Error e) {
            failWith(e);
            return false;
        }
    }

    private synchronized void record(String callback) {
        callbacks.add(callback);
    }
}
