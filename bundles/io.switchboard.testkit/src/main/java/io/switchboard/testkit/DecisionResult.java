package io.switchboard.testkit;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.opentest4j.AssertionFailedError;

/**
 * What a module decided in one callback driven by {@link ModuleProbe}: at once, or later through a
 * completion stage, or by throwing. The base of {@link VerdictResult} and {@link AdmissionResult}.
 *
 * @param <D> the decision type ({@link io.switchboard.api.Verdict} or {@link io.switchboard.api.Admission})
 */
public abstract class DecisionResult<D> {

    private final String call;
    private final D immediate;
    private final Throwable thrown;
    private final Duration timeout;

    DecisionResult(String call, D immediate, Throwable thrown, Duration timeout) {
        this.call = call;
        this.immediate = immediate;
        this.thrown = thrown;
        this.timeout = timeout;
    }

    /** The stage of a {@code later} decision, or {@code null}. */
    abstract CompletionStage<D> stageOf(D decision);

    /** The callback that was made, e.g. {@code onMessage(Message[...], FakeSession[...])}. */
    public String call() {
        return call;
    }

    /**
     * The decision the callback returned, possibly a {@code later} one.
     *
     * @throws AssertionFailedError if the callback threw
     */
    public D decision() {
        if (thrown != null) {
            throw new AssertionFailedError(call + " threw " + thrown, thrown);
        }
        if (immediate == null) {
            throw new AssertionFailedError(call + " returned null");
        }
        return immediate;
    }

    /** Whether the callback decided {@code later}. */
    public boolean isAsync() {
        return thrown == null && immediate != null && stageOf(immediate) != null;
    }

    /** Whether the decision is still outstanding: a {@code later} decision whose stage has not completed. */
    public boolean isPending() {
        return isAsync() && !stageOf(immediate).toCompletableFuture().isDone();
    }

    /**
     * The final decision: the callback's own, or what its {@code later} stage completed with, waiting up to
     * {@code limit}.
     *
     * @throws AssertionFailedError if the callback threw or returned null, the stage failed, did not complete
     *         within {@code limit}, or completed with null or another {@code later} decision (which the
     *         broker does not accept either)
     */
    public D awaitDecision(Duration limit) {
        D first = decision();
        CompletionStage<D> stage = stageOf(first);
        if (stage == null) {
            return first;
        }
        D last;
        try {
            last = stage.toCompletableFuture().get(limit.toNanos(), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            throw new AssertionFailedError("the later decision of " + call + " failed: " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new AssertionFailedError("the later decision of " + call + " did not complete within "
                    + limit.toMillis() + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionFailedError("interrupted waiting for " + call, e);
        }
        if (last == null) {
            throw new AssertionFailedError("the later decision of " + call + " completed with null");
        }
        if (stageOf(last) != null) {
            throw new AssertionFailedError("the later decision of " + call + " completed with another later decision");
        }
        return last;
    }

    /** {@link #awaitDecision(Duration)} with the probe's timeout. */
    public D awaitDecision() {
        return awaitDecision(timeout);
    }

    /**
     * Asserts that the module failed: the callback threw, or its {@code later} stage failed (waiting up to
     * the probe's timeout). The broker then applies the module's failure policy.
     *
     * @return what it failed with
     */
    public Throwable assertFailed() {
        if (thrown != null) {
            return thrown;
        }
        CompletionStage<D> stage = immediate == null ? null : stageOf(immediate);
        if (stage == null) {
            throw new AssertionFailedError("expected " + call + " to fail, but it decided " + immediate);
        }
        CompletableFuture<D> future = stage.toCompletableFuture();
        try {
            D last = future.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
            throw new AssertionFailedError("expected " + call + " to fail, but it decided later " + last);
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (TimeoutException e) {
            throw new AssertionFailedError("expected " + call + " to fail, but its later decision is still pending after "
                    + timeout.toMillis() + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionFailedError("interrupted waiting for " + call, e);
        } catch (CompletionException e) {
            return e.getCause();
        }
    }

    /** Asserts that the decision is {@code later} and still outstanding now. */
    public DecisionResult<D> assertPending() {
        if (!isAsync()) {
            throw new AssertionFailedError("expected " + call + " to decide later, but it decided " + describe());
        }
        if (!isPending()) {
            throw new AssertionFailedError("expected the later decision of " + call + " to be outstanding, but it completed: "
                    + describeCompleted());
        }
        return this;
    }

    /**
     * Asserts that the decision is still outstanding after {@code duration}: for a module that must wait,
     * e.g. for a slow HTTP answer, within its time budget. This waits the whole {@code duration}.
     */
    public DecisionResult<D> assertStillPendingAfter(Duration duration) {
        assertPending();
        try {
            stageOf(immediate).toCompletableFuture().get(duration.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException expected) {
            return this;
        } catch (ExecutionException | CompletionException e) {
            throw new AssertionFailedError("expected " + call + " to be still pending after " + duration.toMillis()
                    + " ms, but it failed: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionFailedError("interrupted waiting for " + call, e);
        }
        throw new AssertionFailedError("expected " + call + " to be still pending after " + duration.toMillis()
                + " ms, but it completed: " + describeCompleted());
    }

    /** The probe's timeout for the assertions that wait. */
    Duration timeout() {
        return timeout;
    }

    /** Fails with "expected &lt;what&gt;, but ..." for the final decision {@code actual}. */
    AssertionFailedError unexpected(String expected, D actual) {
        return new AssertionFailedError("expected " + call + " to " + expected + ", but it decided " + actual
                + (isAsync() ? " (later)" : ""), expected, String.valueOf(actual));
    }

    private String describe() {
        return thrown != null ? "by throwing " + thrown : String.valueOf(immediate);
    }

    private String describeCompleted() {
        CompletableFuture<D> f = stageOf(immediate).toCompletableFuture();
        return f.handle((d, e) -> e == null ? String.valueOf(d) : "failed with " + e).join();
    }

    @Override
    public String toString() {
        return call + " -> " + (thrown != null ? "threw " + thrown : immediate + (isPending() ? " (pending)" : ""));
    }
}
