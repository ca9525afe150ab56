package io.switchboard.itest;

import static org.awaitility.Awaitility.await;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.CoreOptions.bundle;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Hashtable;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import io.switchboard.api.MessageIdGenerator;
import io.switchboard.api.broker.ClientSession;
import io.switchboard.itest.support.Provisioning;
import io.switchboard.itest.support.SwitchboardTestSupport;
import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.CommandSession;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceRegistration;

/**
 * The message id module in a running framework: deployed, it becomes the broker's id generator (the
 * exactly-one hook), its ids carry the configured node and increase, {@code msgid:decode} reads them,
 * and a higher-ranked generator takes over and hands back when it leaves.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class MessageIdModuleIT extends SwitchboardTestSupport {

    private static final String PID = "io.switchboard.module.msgid";
    private static final Instant EPOCH = Instant.parse("2024-01-01T00:00:00Z");

    @Override
    protected Option[] extraOptions() {
        return new Option[] {
            bundle(Provisioning.projectBundle("io.switchboard.module.msgid").toURI().toString()).startLevel(3),
        };
    }

    private static int node(long id) {
        return (int) ((id >>> 12) & 1023);
    }

    @Test
    public void theBrokerNumbersMessagesWithItsIdsAndTheConfiguredNode() throws Exception {
        await("the broker to use the module's generator").until(() -> admin().messageIdGenerator(),
                g -> g.contains("io.switchboard.module.msgid"));
        configuration(PID, Map.of("node.id", "513"));
        ClientSession publisher = publisher("msgid-pub");

        long first = await("a message id of node 513").until(() -> publish(publisher, "ids/1", "x").messageId(),
                id -> node(id) == 513);
        long second = publish(publisher, "ids/2", "y").messageId();

        assertTrue(second + " after " + first, second > first);
        assertEquals(513, node(second));
        Instant time = EPOCH.plusMillis(second >>> 22);
        assertTrue("the id's time " + time + " is now", Duration.between(time, Instant.now()).abs().toSeconds() < 60);
        String decoded = gogo("msgid:decode " + second);
        assertTrue(decoded, decoded.contains("node      513"));
        assertTrue(decoded, decoded.contains("time      " + time));
        assertTrue(admin().messageIdGenerator(), admin().messageIdGenerator().contains("ranking 0"));
    }

    @Test
    public void aHigherRankedGeneratorWinsAndHandsBack() throws Exception {
        AtomicLong ids = new AtomicLong(7_000_000_000L);
        Hashtable<String, Object> properties = new Hashtable<>();
        properties.put(Constants.SERVICE_RANKING, 100);
        ServiceRegistration<MessageIdGenerator> registration = context.registerService(MessageIdGenerator.class,
                ids::incrementAndGet, properties);
        onCleanup(() -> {
            try {
                registration.unregister();
            } catch (IllegalStateException alreadyGone) {
                // unregistered by the test
            }
        });
        ClientSession publisher = publisher("msgid-rank-pub");

        await("the broker to use the higher-ranked generator").until(() -> admin().messageIdGenerator(),
                g -> g.contains("ranking 100"));
        long theirs = publish(publisher, "ids/r1", "x").messageId();
        assertTrue("from the ranking-100 generator: " + theirs, theirs > 7_000_000_000L && theirs < 7_000_001_000L);

        registration.unregister();
        await("the module's generator to be back").until(() -> admin().messageIdGenerator(),
                g -> g.contains("io.switchboard.module.msgid"));
        long ours = publish(publisher, "ids/r2", "y").messageId();
        assertTrue("a Snowflake id again: " + ours, ours > 1L << 40);
        String next = gogo("msgid:next");
        assertTrue("msgid:next after it: " + next, Long.parseLong(next.trim()) > ours);
    }

    /** Runs a Gogo command in a fresh session; its result (or output) as text. */
    private String gogo(String command) {
        CommandProcessor processor = service(CommandProcessor.class, null);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream print = new PrintStream(out, true, StandardCharsets.UTF_8);
        try (CommandSession session = processor.createSession(new ByteArrayInputStream(new byte[0]), print, print)) {
            Object result = session.execute(command);
            return result != null ? String.valueOf(result) : out.toString(StandardCharsets.UTF_8);
        } catch (Exception e) {
            throw new AssertionError(command + " failed: " + e, e);
        }
    }
}
