package io.switchboard.itest;

import static org.awaitility.Awaitility.await;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

import io.switchboard.api.admin.ChainEvent;
import io.switchboard.api.admin.ModuleInfo;
import io.switchboard.itest.support.FixtureBundle;
import io.switchboard.itest.support.SwitchboardTestSupport;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleException;
import org.osgi.framework.wiring.BundleWiring;

/**
 * A module built for another major version of the API ({@code Import-Package:
 * io.switchboard.api;version="[2.0,3)"}) is refused at resolve time, and the broker says why in plain
 * words; the same module built against this API joins the chain.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class IncompatibleApiIT extends SwitchboardTestSupport {

    private static final String PACKAGE = "io.switchboard.itest.fixture.incompatible";
    private static final String FUTURE = PACKAGE + ".future";
    private static final String CURRENT = PACKAGE + ".current";
    /** The required range as the reason may render it: [2.0,3), [2.0.0,3.0.0), ... */
    private static final Pattern RANGE = Pattern.compile("\\[2(\\.0){0,2}, ?3(\\.0){0,2}\\)");

    @Override
    protected Option[] extraOptions() throws Exception {
        return new Option[] {
            fixture("future", FixtureBundle.of(PACKAGE).symbolicName(FUTURE).importPackage("io.switchboard.api;version=\"[2.0,3)\"")),
            fixture("current", FixtureBundle.of(PACKAGE).symbolicName(CURRENT)),
        };
    }

    @Test
    public void aModuleBuiltForApiTwoStaysUnresolvedAndTheBrokerSaysWhy() throws Exception {
        Bundle future = installFixture("future");
        try {
            future.start();
            fail("a module importing io.switchboard.api [2.0,3) started against API 1.0.0");
        } catch (BundleException expected) {
            assertEquals("the start failed resolving: " + expected, BundleException.RESOLVE_ERROR, expected.getType());
        }
        assertEquals("state after the start attempt", "INSTALLED", stateName(future.getState()));
        assertFalse("resolvable", frameworkWiring().resolveBundles(List.of(future)));

        ModuleInfo info = await("BrokerAdmin.modules() to list " + FUTURE).until(
                () -> modules().stream().filter(m -> m.bundle() != null && m.bundle().startsWith(FUTURE)).findFirst().orElse(null),
                Objects::nonNull);
        assertEquals("state of " + info, "UNRESOLVED", info.state());
        String reason = String.valueOf(info.reason());
        assertTrue("the reason names the API package: " + reason, reason.contains("io.switchboard.api"));
        assertTrue("the reason names the required range [2.0,3): " + reason, RANGE.matcher(reason).find());
        String provided = String.valueOf(bundles("io.switchboard.api").get(0).adapt(BundleWiring.class)
                .getCapabilities("osgi.wiring.package").stream()
                .filter(c -> "io.switchboard.api".equals(c.getAttributes().get("osgi.wiring.package"))).findFirst()
                .orElseThrow().getAttributes().get("version"));
        assertTrue("the reason names the provided version " + provided + ": " + reason, reason.contains(provided));
        assertEquals("no service", -1, info.serviceId());
        assertTrue("not in the message chain",
                admin().chain(ChainEvent.MESSAGE).stream().noneMatch(m -> Objects.equals(m.bundle(), info.bundle())));
    }

    @Test
    public void theSameModuleBuiltAgainstThisApiJoinsTheChain() throws Exception {
        Bundle current = installFixture("current");
        current.start();
        assertEquals("ACTIVE", stateName(current.getState()));
        ModuleInfo info = awaitModule("active, from " + CURRENT, "api-probe",
                m -> "ACTIVE".equals(m.state()) && m.bundle() != null && m.bundle().startsWith(CURRENT));
        assertEquals("no reason when active", null, info.reason());
        assertTrue("handles messages: " + info.events(), info.events().contains(ChainEvent.MESSAGE));
    }
}
