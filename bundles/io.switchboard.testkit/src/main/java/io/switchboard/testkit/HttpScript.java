package io.switchboard.testkit;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What a scripted HTTP exchange of {@link FakeHost} does, step by step, in the order written:
 *
 * <pre>{@code
 * host.onHttp("https://translate.example/", HttpScript.status(200)
 *         .header("Content-Type", "application/json")
 *         .body("{\"text\":")              // one onBody callback per body(...) call
 *         .delay(Duration.ofMillis(50))   // a pause before the next step
 *         .body("\"hola\"}"));
 * host.onHttp("https://down.example/", HttpScript.failure(new ConnectException("refused")));
 * host.onHttp("https://slow.example/", HttpScript.status(200).body("half").fail(new IOException("reset")));
 * }</pre>
 *
 * <p>The listener sees {@code onRequestSent} first, then {@code onHeaders} (once the status and the
 * headers written before the first body, delay or failure are known), {@code onBody} per chunk with the
 * bytes received so far and the {@code Content-Length} header as the total (-1 without one), then
 * {@code onComplete}, or {@code onError} at a {@link #fail} step. A script with neither a status nor a
 * failure answers 200. Header names reach the listener and the response in lower case, like the broker's.
 *
 * <p>A script may be reused for several exchanges; each plays it from the start.
 */
public final class HttpScript {

    /** One step; sealed to the kinds below. */
    sealed interface Step permits Status, Header, Chunk, Delay, Failure {
    }

    record Status(int status) implements Step {
    }

    record Header(String name, String value) implements Step {
    }

    record Chunk(byte[] bytes) implements Step {
    }

    record Delay(Duration duration) implements Step {
    }

    record Failure(Throwable failure) implements Step {
    }

    private final List<Step> steps = new ArrayList<>();

    private HttpScript() {
    }

    /** A response with {@code status}; add headers and body chunks. */
    public static HttpScript status(int status) {
        return new HttpScript().addStatus(status);
    }

    /** A 200 response whose body is {@code body} in UTF-8, in one chunk. */
    public static HttpScript ok(String body) {
        return status(200).body(body);
    }

    /** A response with {@code status} and a UTF-8 body in one chunk. */
    public static HttpScript respond(int status, String body) {
        return status(status).body(body);
    }

    /** An exchange that fails (no response at all), e.g. with a {@code java.net.ConnectException}. */
    public static HttpScript failure(Throwable failure) {
        return new HttpScript().fail(failure);
    }

    /** Starts with a pause, e.g. {@code HttpScript.delay(timeout.plusSeconds(1)).status(200)} to test a timeout. */
    public static HttpScript after(Duration delay) {
        return new HttpScript().delay(delay);
    }

    /** Sets the status; must come before any body chunk. */
    public synchronized HttpScript statusCode(int status) {
        return addStatus(status);
    }

    /** Adds a response header; must come before any body chunk. */
    public synchronized HttpScript header(String name, String value) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(value, "value");
        requireNoBodyYet("header");
        steps.add(new Header(name, value));
        return this;
    }

    /** Adds a body chunk: UTF-8 text. */
    public HttpScript body(String text) {
        return body(text.getBytes(StandardCharsets.UTF_8));
    }

    /** Adds a body chunk. */
    public synchronized HttpScript body(byte[] chunk) {
        steps.add(new Chunk(chunk.clone()));
        return this;
    }

    /** Pauses before the next step. */
    public synchronized HttpScript delay(Duration duration) {
        if (duration.isNegative()) {
            throw new IllegalArgumentException("negative delay: " + duration);
        }
        steps.add(new Delay(duration));
        return this;
    }

    /** Fails the exchange here: {@code onError(failure)}, and the stage completes exceptionally. The last step. */
    public synchronized HttpScript fail(Throwable failure) {
        Objects.requireNonNull(failure, "failure");
        steps.add(new Failure(failure));
        return this;
    }

    /** A copy of the steps, for one exchange to play. */
    synchronized List<Step> steps() {
        return List.copyOf(steps);
    }

    private synchronized HttpScript addStatus(int status) {
        if (status < 100 || status > 999) {
            throw new IllegalArgumentException("not an HTTP status: " + status);
        }
        requireNoBodyYet("status");
        steps.add(new Status(status));
        return this;
    }

    private void requireNoBodyYet(String what) {
        for (Step s : steps) {
            if (s instanceof Chunk || s instanceof Failure) {
                throw new IllegalStateException(what + " after a body chunk or a failure: the headers are already sent");
            }
        }
    }

    @Override
    public synchronized String toString() {
        List<String> parts = new ArrayList<>();
        for (Step s : steps) {
            if (s instanceof Status st) {
                parts.add("status " + st.status());
            } else if (s instanceof Header h) {
                parts.add(h.name() + ": " + h.value());
            } else if (s instanceof Chunk c) {
                parts.add(c.bytes().length + " bytes");
            } else if (s instanceof Delay d) {
                parts.add("delay " + d.duration().toMillis() + " ms");
            } else if (s instanceof Failure f) {
                parts.add("fail " + f.failure());
            }
        }
        return "HttpScript" + parts;
    }
}
