package io.switchboard.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.switchboard.api.Message;
import io.switchboard.api.MessageModule;
import io.switchboard.api.MessageStatus;
import io.switchboard.api.ModuleProperties;
import io.switchboard.api.Session;
import io.switchboard.api.Verdict;
import io.switchboard.api.admin.ChainEvent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link ModuleProperties#EVENTS} narrows the callbacks a module is called for; the rest cost nothing. */
class ModuleEventsPropertyTest {

    private final CoreHarness harness = new CoreHarness(1);
    private final List<String> calls = new CopyOnWriteArrayList<>();

    @AfterEach
    void stop() {
        harness.close();
    }

    private MessageModule monitor() {
        return new MessageModule() {
            @Override
            public Verdict onMessage(Message message, Session sender) {
                calls.add("message " + message.topic());
                return Verdict.pass();
            }

            @Override
            public void onStatus(MessageStatus status) {
                calls.add("status " + status.state());
            }
        };
    }

    @Test
    void leftOutEventsAreNeitherRaisedNorCalled() throws Exception {
        harness.add("monitor", 10, monitor(), ModuleProperties.EVENTS, "message");
        harness.client("sub").subscribe("#", 0);

        harness.client("pub").publish("t/1", "x");

        // the publish's status events would have been queued on the (only) worker before it went idle
        CoreHarness.await("the worker idle", harness.core.workers().workerFor(0)::isIdle);
        assertThat(harness.module("monitor").events()).containsExactly(ChainEvent.MESSAGE);
        assertThat(calls).containsExactly("message t/1");
    }

    @Test
    void withoutThePropertyEveryImplementedCallbackIsCalled() throws Exception {
        harness.add("monitor", 10, monitor());
        harness.client("sub").subscribe("#", 0);

        harness.client("pub").publish("t/1", "x");

        assertThat(harness.module("monitor").events()).containsExactlyInAnyOrder(ChainEvent.MESSAGE, ChainEvent.STATUS);
        CoreHarness.await("status events", () -> calls.stream().anyMatch(c -> c.startsWith("status")));
    }

    @Test
    void aChangedPropertyAppliesAtOnce() throws Exception {
        var ref = harness.add("monitor", 10, monitor(), ModuleProperties.EVENTS, "status");
        assertThat(harness.core.chain(ChainEvent.MESSAGE)).isEmpty();

        FakeOsgi.setProperty(ref, ModuleProperties.EVENTS, new String[] {"MESSAGE", "STATUS"});
        harness.core.whiteboard().modified(ref);
        harness.client("pub").publish("t/2", "x");

        assertThat(harness.core.chain(ChainEvent.MESSAGE)).extracting(io.switchboard.api.admin.ModuleInfo::name)
                .containsExactly("monitor");
        assertThat(calls).contains("message t/2");
    }

    @Test
    void anUnknownEventIsAProblemAndLeavesTheModuleAsItWas() throws Exception {
        harness.add("monitor", 10, monitor(), ModuleProperties.EVENTS, new String[] {"message", "sattus"});

        assertThat(harness.module("monitor").reason()).contains(ModuleProperties.EVENTS + ": unknown event sattus");
        assertThat(harness.module("monitor").events()).containsExactlyInAnyOrder(ChainEvent.MESSAGE, ChainEvent.STATUS);
    }
}
