package io.switchboard.cluster.internal.sessions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class MoveMessagesTest {

    @Test
    void aMoveSurvivesItsBytes() {
        MoveMessages.Move move = new MoveMessages.Move(MoveMessages.LET_GO, 42, "client ü", "node-b");
        assertThat(MoveMessages.decode(MoveMessages.encode(move))).isEqualTo(move);
    }

    @Test
    void theFiltersToSeeSurviveTheirBytes() {
        MoveMessages.Move move = new MoveMessages.Move(MoveMessages.SEE_ROUTES, 7, "mover", "b", "a",
                java.util.List.of("a/#", "$share/g/b/+"));
        assertThat(MoveMessages.decode(MoveMessages.encode(move))).isEqualTo(move);
    }

    @Test
    void anUnknownKindIsRefused() {
        byte[] bytes = MoveMessages.encode(new MoveMessages.Move(MoveMessages.RELEASED, 1, "c", "a"));
        bytes[0] = 9;
        assertThatThrownBy(() -> MoveMessages.decode(bytes)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown");
    }
}
