package io.switchboard.itest;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.switchboard.itest.support.Provisioning;
import io.switchboard.itest.support.SwitchboardTestSupport;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.Version;
import org.osgi.framework.wiring.BundleCapability;
import org.osgi.framework.wiring.BundleWiring;
import org.osgi.service.cm.ConfigurationAdmin;
import org.slf4j.LoggerFactory;

/**
 * The test infrastructure itself: the framework starts with every bundle active, the API exports
 * its packages at their versions, SLF4J logs through the capturing provider. Needs no core.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class FrameworkSmokeIT extends SwitchboardTestSupport {

    @Test
    public void switchboardBundlesAreActive() {
        for (String bsn : Provisioning.SWITCHBOARD_BUNDLES) {
            List<Bundle> found = bundles(bsn);
            assertEquals("bundles named " + bsn, 1, found.size());
            assertEquals(bsn + " state", "ACTIVE", stateName(found.get(0).getState()));
        }
    }

    @Test
    public void apiExportsItsPackagesAtTheirVersions() {
        Bundle api = bundles("io.switchboard.api").get(0);
        List<BundleCapability> exports = api.adapt(BundleWiring.class).getCapabilities("osgi.wiring.package");
        // api 1.1.0: ConfigReader, Subscription.identifier; admin 1.1.0: quarantine and last errors; broker 2.1.0: Broker.restore,
        // one session model (receiver hooks, in-turn login, subscription ids on deliveries); 2.0.0: ClientSession.unsubscribe
        // became an ordered, asynchronous step
        // io.switchboard.api.admin 1.1.0: a module's last error, abandoned threads (1.0 record constructors kept)
        // broker 2.2.0: ClusterPeer, Broker.deliverForwarded; admin 1.2.0: ClusterStatistics (several nodes, one broker)
        // broker 2.3.0: SessionHandover, SessionHolder (sessions across nodes); acknowledged forwarding (ClusterPeer.forward,
        // Broker.acceptForwarded)
        // broker 2.4.0: presence across nodes (ClusterPeer.userOnline, userOffline, onlineElsewhere); admin 1.3.0:
        // ClusterStats.unconfirmed, Member.usersOnline
        // broker 2.5.0: relays while a session moves (ClusterPeer.leaving, relay; Delivery.moved)
        // broker 2.6.0: Broker.acceptForwarded leaving out the sessions a message was relayed to already
        // broker 2.7.0: ClusterPeer.relayConfirmed (what is relayed to a moving session is confirmed); admin 1.4.0:
        // per member unconfirmed messages and confirmations (ClusterStats.Member)
        // broker 2.8.0: QoS 2 forwarded again after a failed forward (ForwardingException.messageId, forwardAgain,
        // Broker.deliverShared)
        // broker 2.9.0: the order at the end of a move (Broker.routedSoFar, releaseDeliveries leaving out what was had)
        Map<String, Version> expected = Map.of("io.switchboard.api", new Version(1, 1, 0),
                "io.switchboard.api.broker", new Version(2, 9, 0), "io.switchboard.api.admin", new Version(1, 4, 0));
        for (String pkg : expected.keySet()) {
            BundleCapability export = exports.stream().filter(c -> pkg.equals(c.getAttributes().get("osgi.wiring.package")))
                    .findFirst().orElse(null);
            assertNotNull(pkg + " exported", export);
            assertEquals(pkg + " version", expected.get(pkg), export.getAttributes().get("version"));
        }
    }

    @Test
    public void configAdminIsAvailable() {
        assertNotNull(service(ConfigurationAdmin.class, null));
        assertFalse("scr", bundles("org.apache.felix.scr").isEmpty());
    }

    @Test
    public void slf4jLogsThroughTheCapturingProvider() {
        String marker = UUID.randomUUID().toString();
        int before = logLines().size();
        LoggerFactory.getLogger("itest.smoke").info("hello {}", marker);
        String line = awaitLogLine("with " + marker, before, l -> l.contains(marker));
        assertTrue(line, line.contains("INFO") && line.contains("itest.smoke") && line.contains("hello " + marker));
    }
}
