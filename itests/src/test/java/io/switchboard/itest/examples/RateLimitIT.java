package io.switchboard.itest.examples;

import static org.awaitility.Awaitility.await;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import io.switchboard.api.ReasonCode;
import io.switchboard.api.admin.ModuleInfo;
import io.switchboard.api.broker.ClientSession;
import io.switchboard.api.broker.PublishResult;
import io.switchboard.itest.support.Inbox;
import io.switchboard.itest.support.SwitchboardTestSupport;
import org.apache.felix.service.command.CommandProcessor;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.service.cm.Configuration;

/**
 * The rate limit in a running framework: a client over its rate and publishers over a topic rule get
 * 0x97 (quota exceeded) while others go on; {@code ratelimit:buckets} shows who is limited; a live
 * change applies to the existing buckets; the shipped configuration activates the module.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class RateLimitIT extends SwitchboardTestSupport {

    private static final String PID = "io.switchboard.module.ratelimit";

    @Override
    protected Option[] extraOptions() {
        return new Option[] {ExampleModules.moduleBundle("io.switchboard.module.ratelimit")};
    }

    /** How many of {@code count} messages to {@code topic} are routed. */
    private static int routed(ClientSession session, String topic, int count) {
        int routed = 0;
        for (int i = 0; i < count; i++) {
            if (publish(session, topic, "m" + i).routed()) {
                routed++;
            }
        }
        return routed;
    }

    @Test
    public void limitsClientsAndTopicsWithQuotaExceeded() throws Exception {
        // slow rates: no token comes back while the test runs
        Configuration configuration = configuration(PID, Map.of("client.rate", "1/h", "client.burst", "3",
                "topic.rules", "rl/sensors/#:1/h:4", "exempt.users", "rl-ops"));
        ModuleInfo info = awaitModule("active, early in the chain", "ratelimit",
                m -> "ACTIVE".equals(m.state()) && m.ranking() == 1000);
        assertEquals("early in the chain", 1000, info.ranking());
        Inbox inbox = subscriber("rl-sub", "rl/#");
        ClientSession flooder = publisher("rl-flooder");
        ClientSession calm = publisher("rl-calm");

        assertEquals(3, routed(flooder, "rl/chat", 3));
        PublishResult refused = publish(flooder, "rl/chat", "one too many");
        assertFalse(refused.routed());
        assertEquals(ReasonCode.QUOTA_EXCEEDED, refused.reasonCode());
        assertTrue(refused.reason(), refused.reason().contains("rate limit: more than 1/h from this client"));
        assertTrue("another client goes on", publish(calm, "rl/chat", "hello").routed());
        assertTrue("an exempt user goes on", routed(publisher("rl-ops"), "rl/chat", 10) == 10);

        ClientSession sensorA = publisher("rl-sensor-a");
        ClientSession sensorB = publisher("rl-sensor-b");
        assertEquals(2, routed(sensorA, "rl/sensors/a", 2));
        assertEquals(2, routed(sensorB, "rl/sensors/b", 3));
        PublishResult topicRefused = publish(calm, "rl/sensors/c", "x");
        assertEquals(ReasonCode.QUOTA_EXCEEDED, topicRefused.reasonCode());
        assertTrue(topicRefused.reason(), topicRefused.reason().contains("on rl/sensors/#"));
        inbox.awaitTopic("rl/sensors/b");

        CommandProcessor gogo = service(CommandProcessor.class, null);
        String buckets = ExampleModules.gogo(gogo, "ratelimit:buckets -n 3");
        assertTrue(buckets, buckets.contains("rl-flooder"));
        assertTrue(buckets, buckets.contains("rl/sensors/#"));
        assertTrue(buckets, buckets.contains("emptiest first"));

        update(configuration, Map.of("client.rate", "1000/s", "client.burst", "1000"));
        await("the new rate to apply to the flooder's bucket").until(() -> publish(flooder, "rl/chat", "more").routed());
        assertEquals("the flooder has its tokens back", 10, routed(flooder, "rl/chat", 10));

        update(configuration, Map.of("client.rate", "lots"));
        String shown = await("the rejected change beside the module").until(() -> module("ratelimit").orElseThrow().reason(),
                r -> r.contains("client.rate"));
        assertTrue(shown, shown.contains("lots"));
        assertEquals("still limiting the topic", ReasonCode.QUOTA_EXCEEDED, publish(calm, "rl/sensors/d", "x").reasonCode());
    }

    @Test
    public void theShippedConfigurationActivatesTheModule() throws Exception {
        Path shipped = ExampleModules.shipped(PID + ".cfg");
        Path installed = ExampleModules.install(shipped, configDir(), workDir());
        onCleanup(() -> {
            Files.deleteIfExists(installed);
            awaitModuleGone("ratelimit");
        });

        ModuleInfo info = awaitModule("active from the shipped file", "ratelimit",
                m -> "ACTIVE".equals(m.state()) && m.ranking() == 1000);
        assertEquals(1000, info.ranking());
        ClientSession client = publisher("rl-shipped");
        assertEquals("the shipped burst: 200", 200, routed(client, "rl/shipped", 200));
    }
}
