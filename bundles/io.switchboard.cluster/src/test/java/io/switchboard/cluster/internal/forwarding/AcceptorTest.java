package io.switchboard.cluster.internal.forwarding;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

import io.switchboard.api.Message;
import io.switchboard.api.broker.Broker;
import io.switchboard.store.MemoryStateStore;
import org.junit.jupiter.api.Test;

class AcceptorTest {

    private final CompletableFuture<Integer> handed = new CompletableFuture<>();
    private final List<String> calls = new ArrayList<>();
    private final Broker broker = (Broker) Proxy.newProxyInstance(Broker.class.getClassLoader(), new Class<?>[] {Broker.class},
            (proxy, method, args) -> {
                if (!method.getName().equals("acceptForwarded")) {
                    throw new UnsupportedOperationException(method.getName());
                }
                calls.add(((Message) args[0]).topic() + " key " + args[1] + " shared " + args[2] + " not to " + args[3]);
                return handed;
            });
    private final MemoryStateStore store = new MemoryStateStore();
    private final List<Runnable> sends = new ArrayList<>();
    private final List<String> confirmed = new ArrayList<>();
    private final Acceptor acceptor = new Acceptor(broker, store, new Confirmer("b", sends::add, (origin, frame) -> {
        ConfirmationFrames.Confirmation c = ConfirmationFrames.decode(frame);
        confirmed.add(origin + (c.accepted() ? " ok " : " refused ") + java.util.Arrays.toString(c.ids()));
    }));

    @Test
    void aMessageIsConfirmedOnlyAfterTheBrokerHandedItToItsSessionsAndTheStoreWroteIt() {
        acceptor.accept(41, "a", Message.builder("t/1").payload("x").qos(1).build(), "a\0pub", Set.of("$share/g/t/#"),
                Set.of("mover"));
        assertThat(calls).containsExactly("t/1 key a\0pub shared [$share/g/t/#] not to [mover]");
        assertThat(sends).as("not handed yet: nothing confirmed").isEmpty();

        handed.complete(2);
        sends.forEach(Runnable::run);

        assertThat(confirmed).containsExactly("a ok [41]");
    }

    @Test
    void aMessageTheStoreCouldNotWriteIsRefused() {
        store.failWrites(new java.io.IOException("disk full"));
        acceptor.accept(42, "a", Message.builder("t/1").payload("x").qos(1).build(), "a\0pub", Set.of(), Set.of());
        handed.complete(1);
        sends.forEach(Runnable::run);

        assertThat(confirmed).containsExactly("a refused [42]");
    }
}
