package io.switchboard.module.profanity.internal;

import static io.switchboard.module.profanity.internal.TestInstance.activated;
import static io.switchboard.module.profanity.internal.TestInstance.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.util.Map;

import org.junit.jupiter.api.Test;
import org.slf4j.event.Level;

import io.switchboard.api.Message;
import io.switchboard.api.ReasonCode;
import io.switchboard.api.Verdict;
import io.switchboard.api.admin.ChainEvent;
import io.switchboard.testkit.FakeSession;

class ProfanityModuleTest {

    // ---- masking ----

    @Test
    void masksEachWordToItsLengthIgnoringCase() {
        TestInstance chat = activated("chat", Map.of("words", "darn, heck"));

        assertThat(chat.seen("Darn it, what the HECK!")).isEqualTo("**** it, what the ****!");
    }

    @Test
    void passesAChangedCopyKeepingEverythingButThePayload() {
        TestInstance chat = activated("chat", Map.of("words", "darn"));
        Message original = Message.builder("chat/room1").from("alice").qos(1).retain(true)
                .payload(utf8("oh darn")).userProperty("lang", "en").build();

        Message masked = chat.probe.message(original).from(FakeSession.of("alice")).assertReplacedWithPayload("oh ****");

        assertThat(masked.payloadUtf8()).as("format indicator kept").isFalse();
        assertThat(masked.toBuilder().payload(utf8("oh darn")).build()).isEqualTo(original);
        assertThat(original.payloadText()).as("original unchanged").isEqualTo("oh darn");
    }

    @Test
    void caseSensitiveMasksOnlyTheExactSpelling() {
        TestInstance chat = activated("chat", Map.of("words", "Darn", "case.sensitive", true));

        assertThat(chat.seen("Darn darn DARN")).isEqualTo("**** darn DARN");
    }

    @Test
    void wholeWordsLeaveLongerWordsAlone() {
        TestInstance chat = activated("chat", Map.of("words", "darn"));

        assertThat(chat.publish("darning socks, darn_it, darn2, 2darn")).isSameAs(Verdict.pass());
        assertThat(chat.seen("darn. (darn) \"darn\" darn-it")).isEqualTo("****. (****) \"****\" ****-it");
    }

    @Test
    void substringsMatchInsideWordsWhenWholeWordsIsOff() {
        TestInstance chat = activated("chat", Map.of("words", "darn", "whole.words", "false"));

        assertThat(chat.seen("Darning socks")).isEqualTo("****ing socks");
    }

    @Test
    void unicodeText() {
        TestInstance chat = activated("chat", Map.of(
                "words", new String[] {"scheiße", "дурак", "💩", "ǆ"},
                "mask", "•"));

        assertThat(chat.seen("SCHEIẞE! Ты ДУРАК 💩, ǅ Ǆ"))
                .isEqualTo("•••••••! Ты ••••• •, • •");
    }

    @Test
    void combiningMarksBelongToTheWord() {
        TestInstance chat = activated("chat", Map.of("words", "cafe"));

        assertThat(chat.publish("cafe\u0301 au lait")).isSameAs(Verdict.pass());
        assertThat(chat.seen("un cafe noir")).isEqualTo("un **** noir");
    }

    @Test
    void wordsWithPunctuationAtTheirEdges() {
        TestInstance chat = activated("chat", Map.of("words", "@$$, c++"));

        assertThat(chat.seen("x@$$ and c++!")).isEqualTo("x*** and ***!");
    }

    @Test
    void overlappingWordsAreAllMasked() {
        TestInstance inside = activated("inside", Map.of("words", "abc, cde", "whole.words", false));
        TestInstance phrases = activated("phrases", Map.of("words", "bad word, word up, ass, asshat"));

        assertThat(inside.seen("xabcdex")).isEqualTo("x*****x");
        assertThat(phrases.seen("a bad word up!")).isEqualTo("a ***********!");
        assertThat(phrases.seen("you asshat, ass")).isEqualTo("you ******, ***");
    }

    @Test
    void aValidTextMayContainTheReplacementCharacter() {
        TestInstance chat = activated("chat", Map.of("words", "darn"));

        assertThat(chat.seen("\uFFFD darn")).isEqualTo("\uFFFD ****");
    }

    @Test
    void handlesOnlyPublishedMessages() {
        TestInstance chat = activated("chat", Map.of("words", "darn"));

        assertThat(chat.probe.handledEvents()).as("the broker calls nothing else").containsExactly(ChainEvent.MESSAGE);
    }

    // ---- consuming ----

    @Test
    void consumesWithAReasonThePublisherCanSee() {
        TestInstance news = activated("news", Map.of("words", "darn", "mode", "consume"));

        Verdict verdict = news.publish("well, DARN.");

        assertThat(verdict.kind()).isEqualTo(Verdict.Kind.CONSUME);
        assertThat(verdict.reasonCode()).isEqualTo(ReasonCode.IMPLEMENTATION_SPECIFIC_ERROR);
        assertThat(verdict.reason()).isNotBlank().doesNotContainIgnoringCase("darn");
        assertThat(news.publish("fine words")).isSameAs(Verdict.pass());
    }

    // ---- passing ----

    @Test
    void cleanMessagesPassUnchanged() {
        TestInstance chat = activated("chat", Map.of("words", "darn"));

        assertThat(chat.publish("a perfectly clean message")).isSameAs(Verdict.pass());
        assertThat(chat.publish("")).isSameAs(Verdict.pass());
        assertThat(chat.publish(new byte[0])).isSameAs(Verdict.pass());
    }

    @Test
    void binaryThatIsNotUtf8Passes() {
        TestInstance chat = activated("chat", Map.of("words", "darn", "mode", "CONSUME"));
        byte[] binary = {(byte) 0xFF, 'd', 'a', 'r', 'n', (byte) 0xC3, 0x28, 0};

        assertThat(chat.publish(binary)).isSameAs(Verdict.pass());
        assertThat(chat.publish(utf8("darn"))).isEqualTo(ProfanityModule.CONSUMED);
    }

    // ---- configuration ----

    @Test
    void activationRefusesABadConfigurationNamingTheAttribute() {
        TestInstance chat = new TestInstance("chat");

        assertThatIllegalArgumentException()
                .isThrownBy(() -> chat.activate(Map.of("words", "darn", "mask", "**")))
                .withMessage("profanity:chat: invalid configuration: mask: '**' is not one character");
    }

    @Test
    void aChangeWithAnIntegerThatCannotBeReadIsRejectedWholeNamingTheModuleAttributeValueAndExpectation() {
        TestInstance chat = activated("chat", Map.of("words", "darn", "service.ranking", "5"));
        ProfanityRules good = chat.module.rules();

        // "heck" comes first: nothing of this configuration may be applied when a later attribute is bad
        chat.modify(Map.of("words", "heck", "mode", "CONSUME", "service.ranking", "abc"));

        assertThat(chat.problem()).isEqualTo("profanity:chat: configuration rejected, keeping the last good one: "
                + "service.ranking: 'abc' is not an integer");
        assertThat(chat.module.rules()).isSameAs(good);
        assertThat(chat.seen("darn heck")).isEqualTo("**** heck");
    }

    @Test
    void aBadChangeIsLoggedAndTheLastGoodRulesStay() {
        TestInstance chat = activated("chat", Map.of("words", "darn", "service.ranking", 5));
        ProfanityRules good = chat.module.rules();

        chat.modify(Map.of("words", " ", "service.ranking", 50));

        assertThat(chat.problem()).contains("profanity:chat")
                .contains("words: at least one word is required")
                .contains("keeping the last good one");
        assertThat(chat.host.logs(Level.ERROR)).as("logged under the module's name").containsExactly(chat.problem());
        assertThat(chat.module.rules()).isSameAs(good);
        assertThat(chat.seen("darn")).isEqualTo("****");
    }

    @Test
    void aGoodChangeAppliesLive() {
        TestInstance chat = activated("chat", Map.of("words", "darn"));

        chat.modify(Map.of("words", "heck", "mode", "CONSUME", "service.ranking", "10"));

        assertThat(chat.problems()).containsExactly((String) null);
        assertThat(chat.publish("darn")).isSameAs(Verdict.pass());
        assertThat(chat.publish("heck").kind()).isEqualTo(Verdict.Kind.CONSUME);
        assertThat(chat.module.rules().ranking()).isEqualTo(10);
    }

    @Test
    void logsWithTheNameTheBrokerShows() {
        TestInstance chat = activated("chat", Map.of("words", "darn"));
        TestInstance named = activated("news", Map.of("words", "darn", "switchboard.module.name", "news-filter"));

        assertThat(chat.module.name()).isEqualTo("profanity:chat");
        assertThat(named.module.name()).as("a configured name wins").isEqualTo("news-filter");
    }

    @Test
    void twoInstancesAreIndependent() {
        TestInstance chat = activated("chat", Map.of("words", "darn", "service.ranking", 10));
        TestInstance news = activated("news", Map.of("words", "heck", "mode", "CONSUME", "service.ranking", 20));

        assertThat(chat.seen("darn heck")).isEqualTo("**** heck");
        assertThat(news.publish("darn heck").kind()).isEqualTo(Verdict.Kind.CONSUME);
        assertThat(news.publish("darn")).isSameAs(Verdict.pass());

        chat.modify(Map.of("words", "gosh"));
        assertThat(chat.publish("darn")).isSameAs(Verdict.pass());
        assertThat(news.publish("heck").kind()).isEqualTo(Verdict.Kind.CONSUME);

        assertThat(news.module.rules().ranking()).isEqualTo(20);
    }
}
