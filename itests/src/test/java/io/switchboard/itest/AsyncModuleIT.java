package io.switchboard.itest;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.switchboard.api.broker.ClientSession;
import io.switchboard.api.broker.PublishResult;
import io.switchboard.api.admin.ModuleInfo;
import io.switchboard.itest.support.FixtureBundle;
import io.switchboard.itest.support.Inbox;
import io.switchboard.itest.support.SwitchboardTestSupport;
import org.junit.Before;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;

/**
 * An asynchronous module (fixture {@code lookup}) asks a slow HTTP service through
 * {@code HostServices.http} for messages on {@code slow/...}: only those messages wait. Another
 * publisher's messages arrive meanwhile, and the slow publisher's own messages keep their order.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class AsyncModuleIT extends SwitchboardTestSupport {

    private static final String PACKAGE = "io.switchboard.itest.fixture.lookup";
    /** The fixture's configuration PID (LookupModule.PID). */
    private static final String LOOKUP_PID = "io.switchboard.itest.fixture.lookup";
    /** How long the HTTP service takes to answer a slow/... path. */
    private static final long DELAY_MILLIS = 500;

    private HttpServer server;
    private final List<String> requests = new CopyOnWriteArrayList<>();

    @Override
    protected Option[] extraOptions() throws Exception {
        return new Option[] {fixture("lookup", FixtureBundle.of(PACKAGE))};
    }

    /** A local HTTP service: answers "looked-up:<path>", after {@value #DELAY_MILLIS} ms for /slow/... paths. */
    @Before
    public void startHttpService() throws IOException {
        ExecutorService threads = Executors.newFixedThreadPool(4);
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::answer);
        server.setExecutor(threads);
        server.start();
        onCleanup(() -> {
            server.stop(0);
            threads.shutdownNow();
        });
    }

    private void answer(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        requests.add(path);
        if (path.startsWith("/slow/")) {
            try {
                TimeUnit.MILLISECONDS.sleep(DELAY_MILLIS); // the slow service being slow, not a wait in the test
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        byte[] body = ("looked-up:" + path).getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "text/plain; charset=utf-8");
        exchange.sendResponseHeaders(200, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    @Test
    public void slowLookupsDelayOnlyTheirOwnMessagesAndKeepTheirPublishersOrder() throws Exception {
        Bundle lookup = installFixture("lookup");
        lookup.start();
        configuration(LOOKUP_PID, Map.of("url", "http://127.0.0.1:" + server.getAddress().getPort()));
        awaitModule("active", "lookup", m -> "ACTIVE".equals(m.state()));

        Inbox inbox = subscriber("async-sub", "slow/#", "quick/#");
        ClientSession slow = publisher("async-slow");
        ClientSession fast = publisher("async-fast");

        long start = System.nanoTime();
        CompletionStage<PublishResult> slow1 = slow.publish(message("slow/1", "a"));
        CompletionStage<PublishResult> slow2 = slow.publish(message("slow/2", "b"));
        CompletionStage<PublishResult> slowQuick = slow.publish(message("quick/s-3", "c"));
        List<String> fastTopics = List.of("quick/f-1", "quick/f-2", "quick/f-3", "quick/f-4", "quick/f-5");
        for (String topic : fastTopics) {
            assertTrue(topic + " routed", publish(fast, topic, "f").routed());
        }

        List<Inbox.Received> arrived = inbox.awaitCount(8, Duration.ofSeconds(10));
        assertTrue("slow/1 routed", get(slow1, "slow/1").routed());
        assertTrue("slow/2 routed", get(slow2, "slow/2").routed());
        assertTrue("quick/s-3 routed", get(slowQuick, "quick/s-3").routed());
        List<String> order = arrived.stream().map(r -> r.message().topic()).collect(Collectors.toList());
        assertEquals("arrivals: " + order, 8, order.size());

        int firstSlow = order.indexOf("slow/1");
        for (String topic : fastTopics) {
            assertTrue(topic + " (another publisher) arrived while slow/1 waited: " + order, order.indexOf(topic) < firstSlow);
        }
        assertTrue("the slow publisher's order slow/1, slow/2, quick/s-3 is kept: " + order,
                order.indexOf("slow/1") < order.indexOf("slow/2") && order.indexOf("slow/2") < order.indexOf("quick/s-3"));

        Inbox.Received first = arrived.get(firstSlow);
        long waited = Duration.ofNanos(first.nanos() - start).toMillis();
        assertTrue("slow/1 waited for the HTTP answer (" + DELAY_MILLIS + " ms), waited " + waited + " ms",
                waited >= DELAY_MILLIS - 50);
        assertEquals(List.of("looked-up:/slow/1"), userProperties(first.message(), "lookup"));
        assertEquals(List.of("looked-up:/slow/2"), userProperties(inbox.awaitTopic("slow/2").message(), "lookup"));
        assertEquals("quick messages are not looked up", List.of(),
                userProperties(inbox.awaitTopic("quick/s-3").message(), "lookup"));
        assertEquals("HTTP requests made", List.of("/slow/1", "/slow/2"), requests);

        ModuleInfo info = module("lookup").orElseThrow();
        assertTrue("the module changed the two slow messages: " + info.counters(), info.counters().replaces() >= 2);
        assertEquals("no errors or timeouts: " + info.counters(), 0, info.counters().errors() + info.counters().timeouts());
    }
}
