package io.switchboard.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import org.junit.jupiter.api.Test;

import io.switchboard.api.Call;
import io.switchboard.api.Message;
import io.switchboard.api.MessageStatus;

class DoublesTest {

    @Test
    void messagesAreStampedLikeAcceptedOnes() {
        Message a = TestMessages.text("alice", "chat/room", "hi");
        Message b = TestMessages.text("chat/room", "hi");

        assertThat(a.id()).isNotZero().isNotEqualTo(b.id());
        assertThat(a.timestamp()).isPositive();
        assertThat(a.from()).isEqualTo("alice");
        assertThat(a.payloadUtf8()).isTrue();
        assertThat(TestMessages.binary("bob", "bin", new byte[] {1, 2}).payloadUtf8()).isFalse();
        Message unstamped = Message.builder("x").payload("p").build();
        assertThat(TestMessages.accepted(unstamped).id()).isNotZero();
        assertThat(TestMessages.accepted(unstamped).payloadText()).isEqualTo("p");
    }

    @Test
    void sessionsHaveDefaultsAndIndependentState() {
        FakeSession alice = FakeSession.of("alice");
        FakeSession inProcess = FakeSession.builder().user("svc").clientId("svc-1").protocol("internal")
                .connection(null).online(false).build();

        assertThat(alice.clientId()).isEqualTo("alice");
        assertThat(alice.protocol()).isEqualTo("mqtt-5");
        assertThat(alice.isOnline()).isTrue();
        assertThat(alice.connection().listener()).isEqualTo("tcp");
        assertThat(alice.id()).isNotEqualTo(inProcess.id());
        assertThat(inProcess.connection()).isNull();
        assertThat(inProcess.clientId()).isEqualTo("svc-1");
        assertThat(alice.setOnline(false).isOnline()).isFalse();
    }

    @Test
    void connectionsAndTls() {
        FakeConnection connection = FakeConnection.builder().remote("10.0.0.7", 50123).listener("websocket").build();

        assertThat(connection.remoteAddress().getAddress().getHostAddress()).isEqualTo("10.0.0.7");
        assertThat(connection.localAddress().getPort()).isEqualTo(1883);
        assertThat(connection.tls()).isEmpty();
        assertThat(connection.establishTls().tls()).hasValueSatisfying(t -> assertThat(t.protocol()).isEqualTo("TLSv1.3"));
    }

    @Test
    void logins() {
        FakeLogin login = FakeLogin.of("alice", "secret");

        assertThat(login.clientId()).isEqualTo("alice");
        assertThat(new String(login.password())).isEqualTo("secret");
        login.password()[0] = 'X';
        assertThat(new String(login.password())).as("a copy each time").isEqualTo("secret");
        assertThat(FakeLogin.builder().build().clientId()).isEqualTo("client");
        assertThat(FakeLogin.builder().cleanStart(false).alreadyOnline(true).build())
                .satisfies(l -> assertThat(l.cleanStart()).isFalse()).satisfies(l -> assertThat(l.alreadyOnline()).isTrue());
    }

    @Test
    void statuses() {
        Message m = TestMessages.text("alice", "chat/x", "hi");

        FakeStatus delivered = FakeStatus.builder(MessageStatus.State.DELIVERED).message(m).recipient("bob").build();

        assertThat(delivered.messageId()).isEqualTo(m.id());
        assertThat(delivered.topic()).isEqualTo("chat/x");
        assertThat(delivered.from()).isEqualTo("alice");
        assertThat(delivered.recipient()).isEqualTo("bob");
        assertThat(delivered.timestamp()).isPositive();
        assertThat(FakeStatus.builder(MessageStatus.State.FAILED).messageId(9).reason("no route").timestamp(5).build())
                .hasToString("FakeStatus[9 FAILED topic: no route]");
    }

    @Test
    void callsFollowTheTopicConvention() {
        FakeCall setup = FakeCall.setup("alice", "bob", "c1");

        assertThat(setup.message().topic()).isEqualTo("$call/bob/c1/setup");
        assertThat(setup.message().from()).isEqualTo("alice");
        assertThat(setup.state()).isEqualTo(Call.State.SETUP);

        FakeCall ended = FakeCall.of(TestMessages.text("bob", "$call/bob/c1/ENDED", ""));
        assertThat(ended.state()).isEqualTo(Call.State.ENDED);
        assertThat(ended.callee()).isEqualTo("bob");
        assertThat(ended.callId()).isEqualTo("c1");
        assertThat(ended.from()).isEqualTo("bob");
        assertThatIllegalArgumentException().isThrownBy(() -> FakeCall.of(TestMessages.text("chat/x", "")));
        assertThatIllegalArgumentException().isThrownBy(() -> FakeCall.of(TestMessages.text("$call/bob/c1/dancing", "")))
                .withMessageContaining("dancing");
    }

    @Test
    void workers() {
        FakeWorker worker = new FakeWorker(1);

        assertThat(worker.name()).isEqualTo("switchboard-worker-1");
        assertThat(worker.index()).isEqualTo(1);
    }
}
