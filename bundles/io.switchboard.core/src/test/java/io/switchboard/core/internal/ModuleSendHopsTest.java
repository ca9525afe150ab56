package io.switchboard.core.internal;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;

import io.switchboard.api.HostServices;
import io.switchboard.api.Message;
import io.switchboard.api.MessageModule;
import io.switchboard.api.MessageStatus;
import io.switchboard.core.internal.routing.ModuleSends;
import io.switchboard.core.internal.workers.CoreContext;
import org.junit.jupiter.api.Test;
import org.osgi.framework.Bundle;

/**
 * The hop count of a module-sent message must be recorded before the message is queued: its chain,
 * its statuses and the answers to them run on other workers and may all happen before the sending
 * thread runs again.
 */
class ModuleSendHopsTest {

    private static final int WORKERS = 2;

    /**
     * Records the hops of a message sent from outside the workers late, as a sending thread descheduled
     * at that point would: only after every worker ran what was queued, twice (a message's step queues
     * its SENT status on another worker; the second round lets that status be observed).
     */
    private static final class LateFromOutsideTheWorkers extends ModuleSends {
        private volatile BrokerCore core;

        @Override
        public void remember(long messageId, int hopCount) {
            if (CoreContext.worker() == null) {
                letEveryWorkerRunWhatIsQueued();
                letEveryWorkerRunWhatIsQueued();
            }
            super.remember(messageId, hopCount);
        }

        private void letEveryWorkerRunWhatIsQueued() {
            CountDownLatch ran = new CountDownLatch(WORKERS);
            for (int i = 0; i < WORKERS; i++) {
                core.workers().workerFor(i).execute(ran::countDown);
            }
            try {
                if (!ran.await(5, SECONDS)) {
                    throw new AssertionError("the workers did not run their queued tasks within 5 s");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    @Test
    void answeringTheSentStatusOfAModuleMessageContinuesItsHopCountHoweverLateTheSenderRuns() throws Exception {
        LateFromOutsideTheWorkers hops = new LateFromOutsideTheWorkers();
        BrokerCore core = new BrokerCore(hops);
        hops.core = core;
        try (CoreHarness harness = new CoreHarness(core, Map.of("workers", WORKERS, "max_hops", 1))) {
            CompletableFuture<String> echoSend = new CompletableFuture<>();
            Bundle echoBundle = FakeOsgi.bundle("module.echo");
            HostServices echoHost = harness.hostFor(echoBundle);
            harness.add(echoBundle, "echo", 5, new MessageModule() {
                @Override
                public void onStatus(MessageStatus status) {
                    if (status.topic().equals("answer") && status.state() == MessageStatus.State.SENT) {
                        try {
                            echoHost.send(Message.builder("answer").payload("echo").build());
                            echoSend.complete("sent");
                        } catch (IllegalStateException e) {
                            echoSend.complete("refused: " + e.getMessage());
                        }
                    }
                }
            });

            // sent from outside a chain (as a module answering later from its own thread): hop 1 of 1
            harness.hostFor(FakeOsgi.bundle("module.bot")).send(Message.builder("answer").payload("pong").build());

            // the echo of its SENT status would be hop 2
            assertThat(echoSend.get(5, SECONDS)).startsWith("refused").contains("hop 2");
        }
    }
}
