package io.switchboard.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.switchboard.api.FailurePolicy;
import io.switchboard.api.Message;
import io.switchboard.api.MessageModule;
import io.switchboard.api.ModuleProperties;
import io.switchboard.api.Session;
import io.switchboard.api.Verdict;
import io.switchboard.api.broker.PublishResult;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A client's publish runs its chains on the publishing thread when every module declares itself non-blocking
 * and the session's worker is idle, and on the worker otherwise, with the publisher's order kept either way.
 */
class NonBlockingChainTest {

    private final CoreHarness harness = new CoreHarness(1); // one worker: every session shares it

    @AfterEach
    void stop() {
        harness.close();
    }

    /** Records the thread each message's chain ran on. */
    private static final class ThreadRecorder implements MessageModule {
        final List<String> threads = new ArrayList<>();

        @Override
        public synchronized Verdict onMessage(Message message, Session sender) {
            threads.add(Thread.currentThread().getName());
            return Verdict.pass();
        }

        synchronized List<String> threads() {
            return List.copyOf(threads);
        }
    }

    /** The logins' trailing tasks are done: a publish now finds the worker idle. */
    private void awaitIdleWorker() {
        CoreHarness.await("the worker idle", harness.core.workers().workerFor(0)::isIdle);
    }

    @Test
    void nonBlockingChainRunsOnThePublishingThread() throws Exception {
        ThreadRecorder recorder = new ThreadRecorder();
        harness.add("recorder", 10, recorder, ModuleProperties.NON_BLOCKING, true);
        CoreHarness.Client sub = harness.client("sub").subscribe("#", 1);

        CoreHarness.Client pub = harness.client("pub");
        awaitIdleWorker();
        CompletableFuture<PublishResult> result = pub.session
                .publish(Message.builder("t/1").payload("x").build()).toCompletableFuture();

        // decided and delivered before publish returned: no hand-off to the worker
        assertThat(result).isCompletedWithValueMatching(PublishResult::routed);
        assertThat(recorder.threads()).containsExactly(Thread.currentThread().getName());
        assertThat(sub.next().topic()).isEqualTo("t/1");
    }

    @Test
    void oneModuleWithoutTheDeclarationKeepsTheChainOnTheWorker() throws Exception {
        ThreadRecorder recorder = new ThreadRecorder();
        harness.add("recorder", 10, recorder, ModuleProperties.NON_BLOCKING, true);
        harness.add("plain", 5, new MessageModule() {
            @Override
            public Verdict onMessage(Message message, Session sender) {
                return Verdict.pass();
            }
        });

        assertThat(harness.client("pub").publish("t/1", "x").routed()).isTrue();

        assertThat(recorder.threads()).containsExactly("switchboard-worker-0");
    }

    @Test
    void aBadDeclarationCountsAsBlockingAndIsReported() throws Exception {
        ThreadRecorder recorder = new ThreadRecorder();
        harness.add("recorder", 10, recorder, ModuleProperties.NON_BLOCKING, "yes");

        harness.client("pub").publish("t/1", "x");

        assertThat(recorder.threads()).containsExactly("switchboard-worker-0");
        assertThat(harness.module("recorder").reason()).contains(ModuleProperties.NON_BLOCKING + ": 'yes' is not true or false");
    }

    @Test
    void aBusyWorkerQueuesThePublishAndKeepsItsOrder() throws Exception {
        ThreadRecorder recorder = new ThreadRecorder();
        harness.add("recorder", 10, recorder, ModuleProperties.NON_BLOCKING, true);
        CoreHarness.Client sub = harness.client("sub").subscribe("#", 1);
        CoreHarness.Client pub = harness.client("pub");
        CountDownLatch release = new CountDownLatch(1);
        harness.core.workers().workerFor(0).execute(() -> {
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });

        List<CompletableFuture<PublishResult>> queued = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            queued.add(pub.session.publish(Message.builder("t/" + i).payload("x").build()).toCompletableFuture());
        }
        assertThat(queued).noneMatch(CompletableFuture::isDone);
        release.countDown();
        for (int i = 3; i < 6; i++) {
            pub.session.publish(Message.builder("t/" + i).payload("x").build()).toCompletableFuture().get(5, TimeUnit.SECONDS);
        }

        for (int i = 0; i < 6; i++) {
            assertThat(sub.next().topic()).isEqualTo("t/" + i);
        }
        assertThat(recorder.threads().subList(0, 3)).containsOnly("switchboard-worker-0");
    }

    @Test
    void publishersRacingTheWorkerKeepTheirOrderAndLoseNothing() throws Exception {
        harness.add("passer", 10, new MessageModule() {
            @Override
            public Verdict onMessage(Message message, Session sender) {
                return Verdict.pass();
            }
        }, ModuleProperties.NON_BLOCKING, true);
        CoreHarness.Client sub = harness.client("sub").subscribe("#", 0);
        int perPublisher = 10_000;
        List<Thread> publishers = new ArrayList<>();
        for (int p = 0; p < 4; p++) {
            CoreHarness.Client pub = harness.client("pub" + p);
            String topic = "p/" + p;
            // a quarter of the publishes leave no gap, so the worker is busy with others' queued steps while some run here
            publishers.add(new Thread(() -> {
                CompletableFuture<PublishResult> last = null;
                for (int i = 0; i < perPublisher; i++) {
                    last = pub.session.publish(Message.builder(topic).payload(Integer.toString(i)).build()).toCompletableFuture();
                }
                last.join();
            }, "publisher-" + p));
        }
        publishers.forEach(Thread::start);
        for (Thread t : publishers) {
            t.join(TimeUnit.SECONDS.toMillis(30));
        }

        Map<String, Integer> nextExpected = new HashMap<>();
        for (int i = 0; i < 4 * perPublisher; i++) {
            Message m = sub.next();
            int seq = Integer.parseInt(m.payloadText());
            assertThat(seq).as("order of %s", m.topic()).isEqualTo(nextExpected.getOrDefault(m.topic(), 0));
            nextExpected.put(m.topic(), seq + 1);
        }
        assertThat(sub.received.poll(100, TimeUnit.MILLISECONDS)).isNull();
    }

    @Test
    void aDeclaredModuleThatBlocksGetsItsFailurePolicyWhenItReturns() throws Exception {
        harness.add("liar", 10, new MessageModule() {
            @Override
            public Verdict onMessage(Message message, Session sender) {
                try {
                    Thread.sleep(300);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return Verdict.pass();
            }
        }, ModuleProperties.NON_BLOCKING, true, ModuleProperties.TIMEOUT, 100L, ModuleProperties.FAILURE_POLICY,
                FailurePolicy.FAIL_CLOSED.name());

        CoreHarness.Client pub = harness.client("pub");
        awaitIdleWorker();
        PublishResult result = pub.publish("t/1", "x");

        assertThat(result.routed()).isFalse();
        assertThat(result.reason()).contains("liar").contains("over its time budget of 100 ms");
        assertThat(harness.module("liar").counters().timeouts()).isEqualTo(1);
    }
}
