package io.switchboard.cluster.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Set;

import io.switchboard.api.Message;
import io.switchboard.cluster.internal.sessions.MoveFlushes;
import org.junit.jupiter.api.Test;

class FramesTest {

    @Test
    void aFrameCarriesItsCorrelationIdTheOriginThePublisherTheSharedSubscriptionsTheNodesItIsHeldForAndEveryFieldOfTheMessage() {
        Message message = Message.builder("t/1").payload("hello").qos(2).retain(true).id(42).from("alice").timestamp(7)
                .expiresAt(Long.MAX_VALUE - 1).contentType("text/plain").responseTopic("r").correlationData(new byte[] {1, 2})
                .userProperty("k", "v").build();

        Frames.Frame frame = Frames.decode(Frames.encode(99L, "a", "client-1", Set.of("$share/g/t/#", "$share/h/t/+"),
                Set.of("b"), message));

        assertThat(frame.correlation()).isEqualTo(99L);
        assertThat(frame.origin()).isEqualTo("a");
        assertThat(frame.orderKey()).isEqualTo("client-1");
        assertThat(frame.sharedHere()).containsExactlyInAnyOrder("$share/g/t/#", "$share/h/t/+");
        assertThat(frame.heldFor()).containsExactly("b");
        assertThat(frame.session()).isEmpty();
        assertThat(frame.resend()).isEqualTo(Frames.Resend.NO);
        assertThat(frame.message()).isEqualTo(message);
        assertThat(frame.message().payloadText()).isEqualTo("hello");
        assertThat(frame.message().userProperty("k")).isEqualTo("v");
    }

    @Test
    void aMovesMarkerIsToldFromAMessageAndSurvivesItsBytes() {
        MoveFlushes.Flush flush = new MoveFlushes.Flush(12L, "c", "b", "client ü", true);
        byte[] bytes = Frames.encodeFlush(flush);
        byte[] message = Frames.encode(0L, "a", "p", Set.of(), Set.of(), Message.builder("t").payload("x").build());

        assertThat(Frames.isFlush(bytes)).isTrue();
        assertThat(Frames.isFlush(message)).isFalse();
        assertThat(Frames.decodeFlush(bytes)).isEqualTo(flush);
        assertThatThrownBy(() -> Frames.decode(bytes)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown frame kind 1");
    }

    @Test
    void aMessageForwardedAgainSaysWhetherTheNodeHadConfirmedIt() {
        Message message = Message.builder("t/1").payload("again").qos(2).id(8).build();
        for (Frames.Resend resend : Frames.Resend.values()) {
            assertThat(Frames.decode(Frames.encode(3L, resend, "a", "p", Set.of(), Set.of("b"), message)).resend())
                    .isEqualTo(resend);
        }
    }

    @Test
    void aRelayedMessageNamesItsSessionAndItsConfirmation() {
        Message message = Message.builder("t/1").payload("moving").qos(1).id(5).build();

        Frames.Frame frame = Frames.decode(Frames.encodeRelayed(42, "a", "mover", "c\0pub", Set.of("$share/g/t/#"), message));

        assertThat(frame.correlation()).isEqualTo(42);
        assertThat(frame.origin()).isEqualTo("a");
        assertThat(frame.session()).isEqualTo("mover");
        assertThat(frame.orderKey()).isEqualTo("c\0pub");
        assertThat(frame.sharedHere()).containsExactly("$share/g/t/#");
        assertThat(frame.heldFor()).isEmpty();
        assertThat(frame.message()).isEqualTo(message);
    }

    @Test
    void bytesThatAreNoFrameAreRefused() {
        assertThatThrownBy(() -> Frames.decode(new byte[] {0, 1, 'a'})).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("not a forwarded message frame");
    }
}
