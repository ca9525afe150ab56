package io.switchboard.itest.examples;

import static org.awaitility.Awaitility.await;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import io.switchboard.api.ReasonCode;
import io.switchboard.api.admin.ChainEvent;
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

/**
 * The call policy in a running framework, with calls signalled over {@code $call/<callee>/<callId>/<state>}:
 * a call to a user in do-not-disturb hours is refused with 0x87 and never reaches the callee; another
 * call rings, is answered and ended, and {@code callpolicy:calls} shows both with the duration; the
 * shipped configuration activates the module.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class CallPolicyIT extends SwitchboardTestSupport {

    private static final String PID = "io.switchboard.module.callpolicy";

    @Override
    protected Option[] extraOptions() {
        return new Option[] {ExampleModules.moduleBundle("io.switchboard.module.callpolicy")};
    }

    @Test
    public void refusesCallsInDoNotDisturbHoursAndRecordsTheOthers() throws Exception {
        configuration(PID, Map.of("dnd", "cp-bob:00:00-24:00", "time.zone", "UTC"));
        ModuleInfo info = awaitModule("active", "callpolicy", m -> "ACTIVE".equals(m.state()));
        assertTrue("on the call chains: " + info.events(), info.events().contains(ChainEvent.CALL)
                && info.events().contains(ChainEvent.CALL_STATUS));
        Inbox bob = subscriber("cp-bob", "$call/cp-bob/#");
        Inbox dave = subscriber("cp-dave", "$call/cp-dave/#");
        ClientSession alice = publisher("cp-alice");
        ClientSession daveSession = publisher("cp-dave-phone");

        PublishResult refused = publish(alice, "$call/cp-bob/c1/setup", "");
        assertFalse(refused.routed());
        assertEquals(ReasonCode.NOT_AUTHORIZED, refused.reasonCode());
        assertTrue(refused.reason(), refused.reason().contains("cp-bob does not take calls now (do not disturb until 24:00)"));

        assertTrue(publish(alice, "$call/cp-dave/c2/setup", "").routed());
        dave.awaitTopic("$call/cp-dave/c2/setup");
        assertTrue(publish(daveSession, "$call/cp-dave/c2/answered", "").routed());
        assertTrue(publish(alice, "$call/cp-dave/c2/ended", "").routed());
        dave.awaitTopic("$call/cp-dave/c2/ended");
        assertEquals("bob's phone never rang", 0, bob.size());

        CommandProcessor gogo = service(CommandProcessor.class, null);
        String calls = await("callpolicy:calls to show the ended call")
                .until(() -> call(gogo, "callpolicy:calls"), c -> c.contains("ENDED"));
        assertTrue(calls, calls.lines().anyMatch(l -> l.contains("cp-alice") && l.contains("cp-dave") && l.contains("c2")
                && l.contains("ENDED") && l.matches(".*\\d+s$")));
        assertTrue(calls, calls.lines().anyMatch(l -> l.contains("cp-bob") && l.contains("REFUSED")));
        String dnd = call(gogo, "callpolicy:dnd");
        assertTrue(dnd, dnd.contains("cp-bob") && dnd.contains("do not disturb until 24:00"));
    }

    @Test
    public void theShippedConfigurationActivatesTheModule() throws Exception {
        Path installed = ExampleModules.install(ExampleModules.shipped(PID + ".cfg"), configDir(), workDir());
        onCleanup(() -> {
            Files.deleteIfExists(installed);
            awaitModuleGone("callpolicy");
        });

        awaitModule("active from the shipped file", "callpolicy", m -> "ACTIVE".equals(m.state()));
        assertTrue("refuses nothing as shipped", publish(publisher("cp-shipped"), "$call/anyone/c9/setup", "").routed());
    }

    private static String call(CommandProcessor gogo, String command) {
        try {
            return ExampleModules.gogo(gogo, command);
        } catch (Exception e) {
            throw new AssertionError(command + " failed: " + e, e);
        }
    }
}
