package io.switchboard.core.internal.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest.BodyPublisher;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse.BodySubscriber;
import java.net.http.HttpResponse.ResponseInfo;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.switchboard.api.HttpListener;
import io.switchboard.api.HttpRequest;
import io.switchboard.api.HttpResponse;

/**
 * One exchange of {@link HttpExchanger}: attempts, redirects, timeouts and the listener's callbacks.
 *
 * <p>Over 600 lines on purpose, not split further: its attempts, body reader and timers are inner classes
 * sharing the exchange's state under its one lock; apart, each would need that lock and state handed to it. What
 * needs none of it is apart: where a redirect leads ({@link Hop}), what the headers say ({@link ResponseHeaders}),
 * the body publisher and refusing subscriber ({@link SentSignal}, {@link Refusal}).
 *
 * <p>Threads: the HTTP client's threads deliver headers and body, the timer fires timeouts, the listener
 * runs on {@link #callbacks}. State shared between them is guarded by {@code this}; the listener is never
 * called while holding it, except that tasks are queued under it so that their order is the order of
 * the decisions.
 */
final class Exchange {

    private static final Logger LOG = LoggerFactory.getLogger(Exchange.class);

    /** Redirect and retried-5xx bodies are read (to keep the connection) up to this size, then dropped. */
    static final int DISCARD_LIMIT = 64 * 1024;
    private static final int GZIP_CHUNK = 16 * 1024;
    private static final long MAX_BACKOFF_MILLIS = 1000;
    /** IMF-fixdate (RFC 7231); RFC_1123_DATE_TIME would print one-digit days. */
    private static final DateTimeFormatter HTTP_DATE =
            DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US).withZone(ZoneOffset.UTC);

    private final HttpExchanger owner;
    private final HttpRequest request;
    private final HttpListener listener;
    private final SerialExecutor callbacks;
    private final ScheduledExecutorService timer;
    private final CompletableFuture<HttpResponse> result = new CompletableFuture<>();
    private final long requestBodyBytes;

    // Guarded by this.
    private boolean finished;
    private boolean sentReported;
    private Hop hop;
    private Attempt attempt;
    private int attempts = 1;
    private int redirects;
    private final List<Throwable> retriedFailures = new ArrayList<>();
    private ScheduledFuture<?> totalTimer;
    private ScheduledFuture<?> retryTimer;

    Exchange(HttpExchanger owner, HttpRequest request, HttpListener listener, SerialExecutor callbacks,
            ScheduledExecutorService timer) {
        this.owner = owner;
        this.request = request;
        this.listener = listener;
        this.callbacks = callbacks;
        this.timer = timer;
        byte[] body = request.body();
        this.requestBodyBytes = body.length;
        this.hop = new Hop(request.method(), request.uri(), body, request.contentType(), true);
    }

    CompletableFuture<HttpResponse> result() {
        return result;
    }

    /** Starts the first attempt; returns at once. */
    void start() {
        // Whoever else completes the stage (a module cancelling it) ends the exchange.
        result.whenComplete((r, e) -> {
            if (!isFinished()) {
                fail(e == null ? new CancellationException("completed by the caller") : unwrap(e));
            }
        });
        try {
            ScheduledFuture<?> t = timer.schedule(
                    () -> fail(timeout("total", request.totalTimeout(), request.method() + " " + request.uri())),
                    request.totalTimeout().toNanos(), TimeUnit.NANOSECONDS);
            synchronized (this) {
                totalTimer = t;
                if (finished) {
                    t.cancel(false);
                    return;
                }
            }
        } catch (RejectedExecutionException e) {
            fail(new IOException("HTTP timer is shut down", e));
            return;
        }
        send();
    }

    /** Ends the exchange with {@code failure}, unless it has ended already; any thread. */
    void fail(Throwable failure) {
        Attempt a;
        synchronized (this) {
            if (finished) {
                return;
            }
            finished = true;
            a = attempt;
            cancelTimers();
            owner.forget(this); // before the stage can complete, so a caller never sees it still live
            callbacks.execute(() -> reportError(failure));
        }
        if (a != null) {
            a.abort(failure);
        }
    }

    private void send() {
        Attempt a;
        synchronized (this) {
            if (finished) {
                return;
            }
            a = new Attempt(hop);
            attempt = a;
        }
        try {
            java.net.http.HttpRequest jdkRequest = toJdkRequest(a.hop);
            a.start(owner.client(request.proxy(), request.connectTimeout()), jdkRequest);
        } catch (RuntimeException e) { // a header the JDK refuses, a stopped timer or client
            fail(e);
        }
    }

    /** Called by the HTTP client when a response's headers arrive; decides what becomes of the response. */
    private BodySubscriber<Void> onResponse(Attempt a, ResponseInfo info) {
        int status = info.statusCode();
        Map<String, List<String>> headers = ResponseHeaders.lowerCase(info.headers());
        synchronized (this) {
            if (finished || a != attempt) {
                return new Refusal();
            }
            reportSent();
            Hop next = a.hop.redirect(status, ResponseHeaders.first(headers, "location"));
            if (next != null && redirects < request.maxRedirects()) {
                redirects++;
                LOG.debug("{}: {} redirect {} of {} to {}", request, status, redirects, request.maxRedirects(),
                        next.label());
                return a.read(new BodyReader(a, () -> follow(a, next)));
            }
            if (status >= 500 && attempts <= request.retries()) {
                attempts++;
                LOG.debug("{}: status {} from {}, retrying (attempt {})", request, status, a.hop.label(), attempts);
                // The listener is not told about this response: only the final attempt is reported.
                return a.read(new BodyReader(a, () -> retryLater(a)));
            }
            boolean gzip = ResponseHeaders.isGzip(headers);
            if (gzip) {
                // The body the module sees is decoded: these would describe the encoded one.
                headers = new TreeMap<>(headers);
                headers.remove("content-encoding");
                headers.remove("content-length");
                headers = Collections.unmodifiableMap(headers);
            }
            long total = gzip ? -1 : ResponseHeaders.contentLength(headers);
            Map<String, List<String>> shown = headers;
            notifyListener("onHeaders", l -> l.onHeaders(status, shown));
            return a.read(new BodyReader(a, status, shown, total, gzip ? new GzipDecoder(GZIP_CHUNK) : null));
        }
    }

    /** An attempt failed before its response headers: retry if allowed, else fail the exchange. */
    private void failedBeforeHeaders(Attempt a, Throwable failure) {
        synchronized (this) {
            if (finished || a != attempt) {
                return;
            }
            if (failure instanceof IOException && attempts <= request.retries()) {
                attempts++;
                retriedFailures.add(failure);
                LOG.debug("{}: attempt failed ({}), retrying (attempt {})", request, failure.toString(), attempts);
                scheduleRetry();
                return;
            }
            for (Throwable earlier : retriedFailures) {
                if (earlier != failure) {
                    failure.addSuppressed(earlier);
                }
            }
        }
        fail(failure);
    }

    private void retryLater(Attempt a) {
        synchronized (this) {
            if (finished || a != attempt) {
                return;
            }
            scheduleRetry();
        }
    }

    // Guarded by this.
    private void scheduleRetry() {
        // A short, growing pause: an immediate retry mostly meets the same overloaded or restarting server.
        long delay = Math.min(MAX_BACKOFF_MILLIS, 50L << Math.min(attempts - 2, 10));
        try {
            retryTimer = timer.schedule(this::send, delay, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            callbacks.execute(() -> fail(new IOException("HTTP timer is shut down", e)));
        }
    }

    private void follow(Attempt a, Hop next) {
        synchronized (this) {
            if (finished || a != attempt) {
                return;
            }
            hop = next;
        }
        send();
    }

    /** The final response is complete; runs on the callback executor after its last onBody. */
    private void succeed(Attempt a, int status, Map<String, List<String>> headers, byte[] body) {
        HttpResponse response;
        synchronized (this) {
            if (finished || a != attempt) {
                return;
            }
            finished = true;
            cancelTimers();
            response = new HttpResponse(status, headers, body, attempts);
        }
        owner.forget(this);
        try {
            listener.onComplete(response);
        } catch (Throwable e) {
            rethrowIfFatal(e);
            LOG.warn("HTTP listener {} failed in onComplete for {}", listener, request, e);
            result.completeExceptionally(e);
            return;
        }
        result.complete(response);
    }

    /** Runs on the callback executor as the last callback of a failed exchange. */
    private void reportError(Throwable failure) {
        try {
            listener.onError(failure);
        } catch (Throwable e) {
            rethrowIfFatal(e);
            LOG.warn("HTTP listener {} failed in onError for {}", listener, request, e);
            if (e != failure) {
                failure.addSuppressed(e);
            }
        }
        result.completeExceptionally(failure);
    }

    /** Reports onRequestSent once per exchange. Guarded by this, which orders it before onHeaders. */
    private void reportSent() {
        if (!sentReported && !finished) {
            sentReported = true;
            notifyListener("onRequestSent", l -> l.onRequestSent(requestBodyBytes));
        }
    }

    private void bodySent() {
        synchronized (this) {
            reportSent();
        }
    }

    /** Queues a non-final callback; it is skipped if the exchange has ended by the time it runs. */
    private void notifyListener(String callback, Consumer<HttpListener> call) {
        callbacks.execute(() -> callListener(callback, call));
    }

    /** On the callback executor: calls the listener unless the exchange ended; false if it did or it threw. */
    private boolean callListener(String callback, Consumer<HttpListener> call) {
        synchronized (this) {
            if (finished) {
                return false;
            }
        }
        try {
            call.accept(listener);
            return true;
        } catch (Throwable e) {
            rethrowIfFatal(e);
            LOG.warn("HTTP listener {} failed in {} for {}", listener, callback, request, e);
            fail(e);
            return false;
        }
    }

    // Guarded by this.
    private void cancelTimers() {
        if (totalTimer != null) {
            totalTimer.cancel(false);
        }
        if (retryTimer != null) {
            retryTimer.cancel(false);
        }
    }

    private boolean isFinished() {
        synchronized (this) {
            return finished;
        }
    }

    private java.net.http.HttpRequest toJdkRequest(Hop h) {
        java.net.http.HttpRequest.Builder b = java.net.http.HttpRequest.newBuilder(h.uri());
        if ("http".equalsIgnoreCase(h.uri().getScheme())) {
            // No h2c upgrade dance on plain connections; https still negotiates HTTP/2 by ALPN.
            b.version(HttpClient.Version.HTTP_1_1);
        }
        boolean userAgentHeader = false;
        for (String[] header : request.headers()) {
            if (!h.credentials() && isCredential(header[0])) {
                continue; // not sent to another origin after a redirect
            }
            userAgentHeader |= header[0].equalsIgnoreCase("User-Agent");
            b.header(header[0], header[1]);
        }
        if (request.userAgent() != null || !userAgentHeader) {
            b.setHeader("User-Agent", request.userAgent() != null ? request.userAgent() : HttpExchanger.DEFAULT_USER_AGENT);
        }
        setHeader(b, "Content-Type", h.contentType());
        setHeader(b, "Referer", request.referrer());
        setHeader(b, "Origin", request.origin());
        if (h.credentials()) {
            setHeader(b, "Cookie", request.cookie());
        }
        setHeader(b, "Accept-Encoding", request.acceptEncoding());
        setHeader(b, "Cache-Control", request.cacheControl());
        setHeader(b, "Accept", request.accept());
        setHeader(b, "If-None-Match", request.etag());
        if (request.ifModifiedSince() != null) {
            b.setHeader("If-Modified-Since", HTTP_DATE.format(request.ifModifiedSince()));
        }
        BodyPublisher body = h.body().length == 0 ? BodyPublishers.noBody()
                : new SentSignal(BodyPublishers.ofByteArray(h.body()), this::bodySent);
        b.method(h.method(), body);
        return b.build();
    }

    private static void setHeader(java.net.http.HttpRequest.Builder b, String name, String value) {
        if (value != null) {
            b.setHeader(name, value);
        }
    }

    private static boolean isCredential(String header) {
        return header.equalsIgnoreCase("Authorization") || header.equalsIgnoreCase("Cookie");
    }

    private static HttpTimeoutException timeout(String which, Duration limit, String target) {
        return new HttpTimeoutException(which + " timeout of " + limit.toMillis() + " ms exceeded for " + target);
    }

    private Throwable translate(Throwable failure, Hop h) {
        Throwable e = unwrap(failure);
        if (e instanceof HttpConnectTimeoutException) {
            HttpConnectTimeoutException named = new HttpConnectTimeoutException("connect timeout of "
                    + request.connectTimeout().toMillis() + " ms exceeded for " + h.label());
            named.initCause(e);
            return named;
        }
        return e;
    }

    private static Throwable unwrap(Throwable e) {
        while ((e instanceof CompletionException || e instanceof ExecutionException) && e.getCause() != null) {
            e = e.getCause();
        }
        return e;
    }

    private static void rethrowIfFatal(Throwable e) {
        if (e instanceof VirtualMachineError error) {
            throw error;
        }
    }

    /** One request of the exchange: one hop, one try. */
    private final class Attempt {
        final Hop hop;
        /** Set once the phase before the headers is over: headers arrived, header timeout, failure, abort. */
        final AtomicBoolean headersSettled = new AtomicBoolean();
        volatile CompletableFuture<java.net.http.HttpResponse<Void>> sending;
        volatile ScheduledFuture<?> headerTimer;
        volatile BodyReader reader;
        volatile boolean aborted;

        Attempt(Hop hop) {
            this.hop = hop;
        }

        void start(HttpClient client, java.net.http.HttpRequest jdkRequest) {
            CompletableFuture<java.net.http.HttpResponse<Void>> f = client.sendAsync(jdkRequest, this::onHeaders);
            sending = f;
            f.whenComplete((r, e) -> {
                if (e != null) {
                    sendFailed(e); // ignored if the headers came: the body reader reports then
                }
            });
            // The header timeout counts from handing the request to the client (so it includes connecting).
            ScheduledFuture<?> t = timer.schedule(this::headerTimeout, request.headerTimeout().toNanos(),
                    TimeUnit.NANOSECONDS);
            headerTimer = t;
            if (headersSettled.get()) {
                t.cancel(false);
            }
            if (aborted) {
                f.cancel(true);
            }
        }

        BodySubscriber<Void> onHeaders(ResponseInfo info) {
            if (!headersSettled.compareAndSet(false, true)) {
                return new Refusal();
            }
            cancel(headerTimer);
            return onResponse(this, info);
        }

        BodySubscriber<Void> read(BodyReader r) {
            reader = r;
            return r;
        }

        private void headerTimeout() {
            if (!headersSettled.compareAndSet(false, true)) {
                return;
            }
            cancel(sending);
            Exchange.this.failedBeforeHeaders(this, timeout("header", request.headerTimeout(), hop.label()));
        }

        private void sendFailed(Throwable e) {
            if (!headersSettled.compareAndSet(false, true)) {
                return;
            }
            cancel(headerTimer);
            Exchange.this.failedBeforeHeaders(this, translate(e, hop));
        }

        /** Stops the network work of this attempt; any thread. */
        void abort(Throwable reason) {
            aborted = true;
            headersSettled.set(true);
            cancel(headerTimer);
            cancel(sending); // the JDK client aborts the exchange when its future is cancelled
            BodyReader r = reader;
            if (r != null) {
                r.abort(reason);
            }
        }

        private static void cancel(java.util.concurrent.Future<?> f) {
            if (f != null) {
                f.cancel(true);
            }
        }
    }

    /**
     * Reads one response body: for the final response it decodes, collects and reports each chunk; for a
     * redirect or a retried 5xx it drops the body and then continues the exchange. Asks for one buffer
     * list at a time and the next only after the listener has seen the last, so a slow listener slows the
     * download instead of filling memory, and the body timeout measures the server's silence only.
     */
    private final class BodyReader implements BodySubscriber<Void> {
        private final Attempt attempt;
        private final boolean deliver;
        private final Runnable afterDiscard;
        private final AtomicBoolean discardEnded = new AtomicBoolean();
        private final int status;
        private final Map<String, List<String>> headers;
        private final long total;
        private final GzipDecoder decoder;
        private final ByteArrayOutputStream collected;
        private final CompletableFuture<Void> done = new CompletableFuture<>();
        private final long silenceLimit = request.bodyTimeout().toNanos();
        private volatile Flow.Subscription subscription;
        private volatile boolean cancelled;
        private volatile boolean ended;
        /** nanoTime of the outstanding request(1), or Long.MIN_VALUE while none is outstanding. */
        private volatile long waitingSince = Long.MIN_VALUE;
        private long discarded; // subscriber thread
        private long received; // callback executor

        /** A reader that drops the body and then runs {@code afterDiscard}. */
        BodyReader(Attempt attempt, Runnable afterDiscard) {
            this.attempt = attempt;
            this.deliver = false;
            this.afterDiscard = afterDiscard;
            this.status = 0;
            this.headers = Map.of();
            this.total = -1;
            this.decoder = null;
            this.collected = null;
        }

        /** A reader for the final response. */
        BodyReader(Attempt attempt, int status, Map<String, List<String>> headers, long total, GzipDecoder decoder) {
            this.attempt = attempt;
            this.deliver = true;
            this.afterDiscard = null;
            this.status = status;
            this.headers = headers;
            this.total = total;
            this.decoder = decoder;
            this.collected = request.streaming() ? null : new ByteArrayOutputStream();
        }

        @Override
        public CompletionStage<Void> getBody() {
            return done;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            if (subscription != null) {
                s.cancel();
                return;
            }
            subscription = s;
            if (cancelled || attempt.aborted) { // aborted before the body started
                s.cancel();
                done.complete(null);
                return;
            }
            scheduleSilenceCheck(silenceLimit);
            requestNext();
        }

        @Override
        public void onNext(List<ByteBuffer> items) {
            waitingSince = Long.MIN_VALUE;
            if (cancelled) {
                return;
            }
            if (!deliver) {
                for (ByteBuffer item : items) {
                    discarded += item.remaining();
                }
                if (discarded > DISCARD_LIMIT) { // not worth reading: give up the connection instead
                    cancelSubscription();
                    ended = true;
                    endDiscard();
                    done.complete(null);
                } else {
                    requestNext();
                }
                return;
            }
            List<ByteBuffer> chunks;
            try {
                chunks = decode(items);
            } catch (IOException | RuntimeException e) {
                cancelSubscription();
                fail(e);
                done.completeExceptionally(e);
                return;
            }
            if (chunks.isEmpty()) {
                requestNext();
                return;
            }
            callbacks.execute(() -> {
                if (deliverChunks(chunks)) {
                    requestNext();
                }
            });
        }

        @Override
        public void onError(Throwable failure) {
            waitingSince = Long.MIN_VALUE;
            ended = true;
            if (!deliver) {
                endDiscard(); // the status and headers are known: the exchange can go on without the body
            } else {
                if (decoder != null) {
                    decoder.close();
                }
                fail(unwrap(failure));
            }
            done.completeExceptionally(failure);
        }

        @Override
        public void onComplete() {
            waitingSince = Long.MIN_VALUE;
            ended = true;
            if (!deliver) {
                endDiscard();
                done.complete(null);
                return;
            }
            if (decoder != null) {
                try {
                    decoder.finish();
                } catch (IOException e) {
                    fail(e);
                    done.completeExceptionally(e);
                    return;
                }
            }
            // Queued after the last body chunk, so onComplete follows every onBody.
            callbacks.execute(() -> succeed(attempt, status, headers,
                    collected == null ? new byte[0] : collected.toByteArray()));
            done.complete(null);
        }

        void abort(Throwable reason) {
            cancelSubscription();
            ended = true;
            done.completeExceptionally(reason);
        }

        private List<ByteBuffer> decode(List<ByteBuffer> items) throws IOException {
            List<ByteBuffer> chunks = new ArrayList<>(items.size());
            for (ByteBuffer item : items) {
                if (decoder != null) {
                    chunks.addAll(decoder.decode(item));
                } else if (item.hasRemaining()) {
                    chunks.add(item); // the client does not reuse buffers it has handed over
                }
            }
            return chunks;
        }

        /** On the callback executor: collects and reports chunks; false if the exchange has ended. */
        private boolean deliverChunks(List<ByteBuffer> chunks) {
            for (ByteBuffer chunk : chunks) {
                if (isFinished()) {
                    return false;
                }
                int n = chunk.remaining();
                if (collected != null) {
                    byte[] bytes = new byte[n];
                    chunk.duplicate().get(bytes);
                    collected.writeBytes(bytes);
                }
                received += n;
                long soFar = received;
                if (!callListener("onBody", l -> l.onBody(chunk.asReadOnlyBuffer(), soFar, total))) {
                    return false;
                }
            }
            return true;
        }

        private void requestNext() {
            Flow.Subscription s = subscription;
            if (cancelled || ended || s == null) {
                return;
            }
            waitingSince = System.nanoTime(); // before request(): the data may arrive within it
            s.request(1);
        }

        private void cancelSubscription() {
            cancelled = true;
            Flow.Subscription s = subscription;
            if (s != null) {
                s.cancel();
            }
        }

        private void endDiscard() {
            if (discardEnded.compareAndSet(false, true)) {
                afterDiscard.run();
            }
        }

        // One timer per body rather than one per chunk: it re-arms itself for the rest of the allowed silence.
        private void scheduleSilenceCheck(long delayNanos) {
            try {
                timer.schedule(this::checkSilence, delayNanos, TimeUnit.NANOSECONDS);
            } catch (RejectedExecutionException e) {
                LOG.debug("{}: timer shut down, no body timeout", request);
            }
        }

        private void checkSilence() {
            if (ended || cancelled) {
                return;
            }
            long since = waitingSince;
            if (since == Long.MIN_VALUE) { // the listener has the data; the server is not silent
                scheduleSilenceCheck(silenceLimit);
                return;
            }
            long idle = System.nanoTime() - since;
            if (idle < silenceLimit) {
                scheduleSilenceCheck(silenceLimit - idle);
                return;
            }
            cancelSubscription();
            ended = true;
            HttpTimeoutException e = timeout("body", request.bodyTimeout(), attempt.hop.label());
            if (deliver) {
                fail(e);
            } else {
                endDiscard();
            }
            done.completeExceptionally(e);
        }
    }
}
