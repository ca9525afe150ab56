package io.switchboard.core.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import io.switchboard.api.HostServices;
import io.switchboard.api.Message;
import io.switchboard.api.MessageModule;
import io.switchboard.api.ModuleProperties;
import io.switchboard.api.Subscription;
import io.switchboard.api.broker.ClientSession;
import io.switchboard.api.broker.LoginRequest;
import io.switchboard.api.broker.PublishResult;
import io.switchboard.store.MemoryStateStore;
import io.switchboard.store.StateStore;
import org.osgi.framework.Bundle;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceReference;

/** A started core with fake OSGi around it, and helpers to add modules and clients. */
final class CoreHarness implements AutoCloseable {

    static final Duration WAIT = Duration.ofSeconds(5);

    final BrokerCore core;
    final Bundle coreBundle = FakeOsgi.bundle("io.switchboard.core");
    private final List<ServiceReference<MessageModule>> refs = new ArrayList<>();

    CoreHarness(int workers) {
        this(workers, Map.of());
    }

    /** @param config core configuration by {@link CoreConfig} method name, e.g. {@code quarantine_failures} */
    CoreHarness(int workers, Map<String, Object> config) {
        this(new BrokerCore(), withWorkers(config, workers));
    }

    /** {@code config}: {@link CoreConfig} values by method name ({@code max_hops}). */
    CoreHarness(BrokerCore core, Map<String, Object> config) {
        this(core, config, new MemoryStateStore());
    }

    /** On {@code store}: a harness on the store of an earlier one sees what the core recovers. */
    CoreHarness(BrokerCore core, Map<String, Object> config, StateStore store) {
        this.core = core;
        core.stateStore = store;
        core.activate(FakeOsgi.context(coreBundle), FakeOsgi.config(CoreConfig.class, config));
    }

    private static Map<String, Object> withWorkers(Map<String, Object> config, int workers) {
        Map<String, Object> all = new HashMap<>(config);
        all.put("workers", workers);
        return all;
    }

    /** Waits up to {@link #WAIT} for {@code condition}. */
    static void await(String what, java.util.function.BooleanSupplier condition) {
        org.awaitility.Awaitility.await(what).atMost(WAIT).until(condition::getAsBoolean);
    }

    io.switchboard.api.admin.ModuleInfo module(String name) {
        return core.modules().stream().filter(m -> m.name().equals(name)).findFirst().orElseThrow();
    }

    ServiceReference<MessageModule> add(String name, int ranking, MessageModule module, Object... moreProperties) {
        return add(FakeOsgi.bundle("module." + name), name, ranking, module, moreProperties);
    }

    ServiceReference<MessageModule> add(Bundle bundle, String name, int ranking, MessageModule module, Object... more) {
        Map<String, Object> props = new HashMap<>();
        props.put(ModuleProperties.NAME, name);
        props.put(Constants.SERVICE_RANKING, ranking);
        for (int i = 0; i < more.length; i += 2) {
            props.put((String) more[i], more[i + 1]);
        }
        ServiceReference<MessageModule> ref = FakeOsgi.reference(bundle, props);
        core.whiteboard().add(ref, module);
        refs.add(ref);
        return ref;
    }

    void remove(ServiceReference<MessageModule> ref) {
        core.whiteboard().remove(ref);
        refs.remove(ref);
    }

    HostServices hostFor(Bundle bundle) {
        return core.hostServices().getService(bundle, null);
    }

    /** An in-process client that records what it receives and acknowledges it. */
    final class Client {
        final ClientSession session;
        final BlockingQueue<Message> received = new LinkedBlockingQueue<>();

        Client(String id) throws Exception {
            session = core.login(LoginRequest.internal(id, null), (m, d) -> {
                received.add(m);
                d.delivered();
            }).toCompletableFuture().get(5, TimeUnit.SECONDS);
        }

        Client subscribe(String filter, int qos) throws Exception {
            session.subscribe(Subscription.of(filter, qos)).toCompletableFuture().get(5, TimeUnit.SECONDS);
            return this;
        }

        PublishResult publish(String topic, String payload) throws Exception {
            return session.publish(Message.builder(topic).payload(payload).qos(1).build()).toCompletableFuture()
                    .get(5, TimeUnit.SECONDS);
        }

        Message next() throws InterruptedException {
            Message m = received.poll(5, TimeUnit.SECONDS);
            if (m == null) {
                throw new AssertionError("no message within 5 s");
            }
            return m;
        }
    }

    Client client(String id) throws Exception {
        return new Client(id);
    }

    @Override
    public void close() {
        core.deactivate();
    }
}
