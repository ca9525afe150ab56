package io.switchboard.core.internal.sessions;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;

class ClientLanesTest {

    @Test
    void stepsOfOneClientIdRunOneAfterAnother() {
        ClientLanes steps = new ClientLanes();
        List<String> log = new CopyOnWriteArrayList<>();
        CompletableFuture<Void> first = new CompletableFuture<>();
        steps.run("a", () -> {
            log.add("a1 start");
            return first;
        });
        steps.run("a", () -> {
            log.add("a2");
            return null;
        });
        steps.run("b", () -> {
            log.add("b1");
            return null;
        });
        assertThat(log).containsExactly("a1 start", "b1");
        assertThat(steps.idle()).isFalse();
        first.complete(null);
        assertThat(log).containsExactly("a1 start", "b1", "a2");
        assertThat(steps.idle()).isTrue();

        steps.run("c", () -> {
            throw new IllegalStateException("a broken step");
        });
        steps.run("c", () -> {
            log.add("c2 after a failure");
            return null;
        });
        assertThat(log).endsWith("c2 after a failure");
        assertThat(steps.idle()).isTrue();
    }
}
