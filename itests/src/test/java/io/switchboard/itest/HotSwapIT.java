package io.switchboard.itest;

import static org.awaitility.Awaitility.await;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.InputStream;
import java.net.URL;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.switchboard.api.Message;
import io.switchboard.api.ModuleProperties;
import io.switchboard.api.broker.ClientSession;
import io.switchboard.api.broker.Delivery;
import io.switchboard.api.broker.Receiver;
import io.switchboard.itest.support.FixtureBundle;
import io.switchboard.itest.support.SwitchboardTestSupport;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.Version;

/**
 * A module is installed, replaced three ways and uninstalled while a publisher streams QoS 1 messages:
 * updated in place (v1 to v2, as FileInstall does for an overwritten jar: update, then refresh), its jar
 * deleted and a newer versioned jar copied in (v2 uninstalled, v3 installed, refreshed, started, as
 * FileInstall does in one scan), and its configuration changed so that DS re-creates the component (tag
 * v3c). Every message arrives exactly once and carries the tag of exactly one version; since one
 * publisher's messages pass the chain in order, the tags along the sequence read: none, v1, v2, v3, v3c,
 * none. No message between the first v1 and the last v3c may miss the module: each sees the old or the
 * new version, never neither.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class HotSwapIT extends SwitchboardTestSupport {

    private static final String TAGGER = "io.switchboard.itest.fixture.tagger";
    /** The tagger component's configuration PID: its name, the class name. */
    private static final String TAGGER_PID = TAGGER + ".TaggerModule";
    /** The tagger's time budget: how long its messages wait for a successor at most. */
    private static final long TAGGER_BUDGET_MILLIS = 2000;
    /** How many messages at least pass in each phase before the next step. */
    private static final int PER_PHASE = 400;
    /** How many messages the stream sends at least. */
    private static final int MIN_TOTAL = 4000;
    /** Publishes not yet decided at any time. */
    private static final int WINDOW = 64;

    @Override
    protected Option[] extraOptions() throws Exception {
        return new Option[] {
            fixture("tagger-v1", FixtureBundle.of(TAGGER).version("1.0.0").header("Fixture-Tag", "v1")),
            fixture("tagger-v2", FixtureBundle.of(TAGGER).version("2.0.0").header("Fixture-Tag", "v2")),
            fixture("tagger-v3", FixtureBundle.of(TAGGER).version("3.0.0").header("Fixture-Tag", "v3")),
        };
    }

    @Test
    public void everyMessageSeesTheOldOrTheNewModuleThroughUpdatesReplacementsAndReconfiguration() throws Exception {
        // configured from the start: the change below then re-creates a configured component
        org.osgi.service.cm.Configuration config = configuration(TAGGER_PID,
                Map.of(ModuleProperties.TIMEOUT, Long.toString(TAGGER_BUDGET_MILLIS)));
        Tags tags = new Tags();
        ClientSession subscriber = login("swap-sub", tags);
        get(subscriber.subscribe(io.switchboard.api.Subscription.of("swap/#", 1)), "subscribe swap/#");
        Stream stream = new Stream(publisher("swap-pub"));
        Thread thread = new Thread(stream, "swap-publisher");
        thread.setDaemon(true);
        thread.start();
        int afterRemoval = Integer.MAX_VALUE;
        try {
            tags.awaitSeq(PER_PHASE, "the stream to flow before any tagger");

            Bundle tagger = installFixture("tagger-v1");
            tagger.start();
            awaitPhase(tags, stream, "v1");

            // the jar overwritten in place
            try (InputStream v2 = new URL(fixtureLocation("tagger-v2")).openStream()) {
                tagger.update(v2);
            }
            refresh(List.of(tagger));
            assertEquals("updated version", new Version(2, 0, 0), tagger.getVersion());
            awaitPhase(tags, stream, "v2");

            // the old jar deleted and a newer versioned jar copied in, seen in one scan
            tagger.uninstall();
            Bundle v3 = installFixture("tagger-v3");
            refresh(null);
            v3.start();
            awaitPhase(tags, stream, "v3");

            // a configuration change DS applies by re-creating the component (it has no @Modified)
            update(config, Map.of("tag", "v3c"));
            awaitPhase(tags, stream, "v3c");

            v3.uninstall();
            refresh(null);
            assertEquals("bundles pending removal after the refresh", List.of(),
                    new ArrayList<>(frameworkWiring().getRemovalPendingBundles()));
            assertEquals("tagger bundles left", List.of(), bundles(TAGGER));
            await("the tagger to leave the chain once its budget passed without a successor")
                    .until(() -> module("tagger").isEmpty());
            afterRemoval = stream.sent();
            tags.awaitSeq(afterRemoval + PER_PHASE, "the stream to flow after the tagger left");
        } finally {
            stream.stop();
            thread.join(WAIT_TIMEOUT.toMillis());
        }
        assertTrue("the publisher thread ended", !thread.isAlive());
        assertEquals("publishes that failed", List.of(), stream.failures());
        assertEquals("messages a chain consumed", 0, stream.notRouted.get());
        int sent = stream.sent();
        assertTrue("sent at least " + MIN_TOTAL + ", sent " + sent, sent >= MIN_TOTAL);

        await("all " + sent + " messages delivered").atMost(Duration.ofSeconds(30)).until(tags::size, n -> n >= sent);
        assertEquals("duplicate deliveries", 0, tags.duplicates.get());
        List<Integer> missing = new ArrayList<>();
        StringBuilder phases = new StringBuilder(sent);
        for (int seq = 0; seq < sent; seq++) {
            String tag = tags.tagOf(seq);
            if (tag == null) {
                if (missing.size() < 20) {
                    missing.add(seq);
                }
                phases.append('?');
                continue;
            }
            switch (tag) {
                case "" -> phases.append('-');
                case "v1" -> phases.append('1');
                case "v2" -> phases.append('2');
                case "v3" -> phases.append('3');
                case "v3c" -> phases.append('c');
                default -> throw new AssertionError("message " + seq + " carries tags of more than one chain: " + tag);
            }
            if (seq >= afterRemoval && !tag.isEmpty()) {
                throw new AssertionError("message " + seq + ", published after the tagger was uninstalled and left, "
                        + "is tagged " + tag);
            }
        }
        System.out.println("HotSwapIT: " + sent + " messages, tags along the sequence: " + runLengths(phases));
        assertEquals("lost messages (first 20)", List.of(), missing);
        assertEquals("messages in total", sent, tags.size());
        assertTrue("the tags along the sequence must read none, v1, v2, v3, v3c, none, with no untagged message "
                + "while the module was being replaced; they read " + runLengths(phases),
                phases.toString().matches("-*+1++2++3++c++-*+"));
    }

    /** Waits for a message tagged {@code tag}, then for {@value #PER_PHASE} more messages. */
    private static void awaitPhase(Tags tags, Stream stream, String tag) {
        await("a message tagged " + tag).until(() -> tags.count(tag) > 0);
        tags.awaitSeq(stream.sent() + PER_PHASE, "the stream to flow with tagger " + tag);
    }

    /** "-" x 812, "1" x 903, ... for a failure message. */
    private static String runLengths(CharSequence s) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < s.length();) {
            int j = i;
            while (j < s.length() && s.charAt(j) == s.charAt(i)) {
                j++;
            }
            out.append(out.length() == 0 ? "" : ", ").append(s.charAt(i)).append(" x ").append(j - i);
            i = j;
        }
        return out.toString();
    }

    /** The subscriber: remembers each sequence number's tags ("" none, "v1", "v1,v2" a mix), counts duplicates. */
    private static final class Tags implements Receiver {
        final Map<Integer, String> bySeq = new ConcurrentHashMap<>();
        final Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();
        final AtomicInteger duplicates = new AtomicInteger();

        @Override
        public void deliver(Message message, Delivery delivery) {
            int seq = Integer.parseInt(message.payloadText());
            String tag = String.join(",", userProperties(message, "tag"));
            if (bySeq.putIfAbsent(seq, tag) != null) {
                duplicates.incrementAndGet();
            }
            counts.computeIfAbsent(tag, t -> new AtomicInteger()).incrementAndGet();
            delivery.delivered();
        }

        int count(String tag) {
            AtomicInteger c = counts.get(tag);
            return c == null ? 0 : c.get();
        }

        int size() {
            return bySeq.size();
        }

        String tagOf(int seq) {
            return bySeq.get(seq);
        }

        void awaitSeq(int seq, String what) {
            await(what + " (message " + seq + " delivered; delivered so far)").atMost(Duration.ofSeconds(20))
                    .until(this::size, n -> bySeq.containsKey(seq));
        }
    }

    /** Publishes "0", "1", ... on swap/stream at QoS 1, at most {@value #WINDOW} undecided at once. */
    private static final class Stream implements Runnable {
        private final ClientSession session;
        private final Semaphore window = new Semaphore(WINDOW);
        private final AtomicInteger sent = new AtomicInteger();
        private final AtomicInteger notRouted = new AtomicInteger();
        private final List<String> failures = new ArrayList<>();
        private volatile boolean stop;

        Stream(ClientSession session) {
            this.session = session;
        }

        @Override
        public void run() {
            long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            while ((!stop || sent.get() < MIN_TOTAL) && System.nanoTime() < deadline) {
                try {
                    if (!window.tryAcquire(WAIT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                        fail("no publish completed within " + WAIT_TIMEOUT.toMillis() + " ms (" + WINDOW + " pending)");
                        return;
                    }
                    int seq = sent.get();
                    Message message = Message.builder("swap/stream").qos(1).payload(Integer.toString(seq)).build();
                    session.publish(message).whenComplete((result, failure) -> {
                        if (failure != null) {
                            fail(seq + ": " + failure);
                        } else if (!result.routed()) {
                            notRouted.incrementAndGet();
                        }
                        window.release();
                    });
                    sent.incrementAndGet();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                } catch (RuntimeException e) {
                    fail(sent.get() + ": " + e);
                    return;
                }
            }
        }

        int sent() {
            return sent.get();
        }

        void stop() {
            stop = true;
        }

        private void fail(String what) {
            synchronized (failures) {
                failures.add(what);
            }
        }

        List<String> failures() {
            synchronized (failures) {
                return new ArrayList<>(failures);
            }
        }
    }
}
