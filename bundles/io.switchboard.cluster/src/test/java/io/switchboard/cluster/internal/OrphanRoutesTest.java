package io.switchboard.cluster.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

class OrphanRoutesTest {

    private final FilterIndex index = new FilterIndex();
    private final OrphanRoutes orphans = new OrphanRoutes();

    @Test
    void withoutNodesThatLeftAMatchLeadsWhereTheRoutesSay() {
        index.add("b", "t/#");
        index.add("c", "t/+");

        OrphanRoutes.Resolved resolved = orphans.resolve(index.match("t/1"));

        assertThat(resolved.nodes()).containsExactlyInAnyOrder("b", "c");
        assertThat(resolved.heldFor()).isEmpty();
    }

    @Test
    void theRoutesOfANodeThatLeftLeadToItsAdopterWhichGetsTheMessageForIt() {
        index.add("a", "t/#");
        index.add("b", "t/#");
        index.add("b", "$share/g/t/#");
        index.add("c", "t/+");
        orphans.pointAt("b", "a");

        OrphanRoutes.Resolved resolved = orphans.resolve(index.match("t/1"));

        assertThat(resolved.nodes()).containsExactlyInAnyOrder("a", "c");
        assertThat(resolved.sharedServedBy()).isEqualTo(Map.of("$share/g/t/#", "a"));
        assertThat(resolved.heldFor()).isEqualTo(Map.of("a", Set.of("b")));
        assertThat(orphans.resolve(index.match("u")).nodes()).as("no route, nothing held").isEmpty();
        assertThat(orphans.resolve(index.match("t/1/2")).heldFor()).isEqualTo(Map.of("a", Set.of("b")));
    }

    @Test
    void aNodeBackIsRoutedToItselfAndAnAdopterThatLeftTakesTheRoutesPointedAtItAlong() {
        index.add("b", "t/#");
        index.add("d", "t/#");
        orphans.pointAt("b", "a");
        orphans.pointAt("d", "c");

        orphans.forget("b");
        assertThat(orphans.resolve(index.match("t/1")).nodes()).containsExactlyInAnyOrder("b", "c");

        assertThat(orphans.adoptedBy("c")).containsExactly("d");
        assertThat(orphans.resolve(index.match("t/1")).heldFor()).as("d's routes point nowhere now").isEmpty();
        assertThat(orphans.adoptedBy("c")).isEmpty();
    }
}
