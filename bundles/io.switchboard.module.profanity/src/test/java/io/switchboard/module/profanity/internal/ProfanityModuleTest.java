package io.switchboard.module.profanity.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.slf4j.event.Level;

import io.switchboard.api.Message;
import io.switchboard.api.ReasonCode;
import io.switchboard.api.Verdict;
import io.switchboard.api.admin.ChainEvent;
import io.switchboard.testkit.FakeHost;
import io.switchboard.testkit.FakeSession;
import io.switchboard.testkit.ModuleInstance;

class ProfanityModuleTest {

    /** The filter configured by {@code io.switchboard.module.profanity~<configName>}, not yet activated. */
    private static ModuleInstance<ProfanityModule, ProfanityConfig> newFilter(String configName) {
        FakeHost host = new FakeHost("io.switchboard.module.profanity");
        ProfanityModule module = new ProfanityModule();
        module.host = host;
        return ModuleInstance.builder(module, ProfanityConfig.class).pid(ProfanityModule.PID).factoryConfiguration(configName)
                .host(host).componentProperty("switchboard.module.name", "profanity")
                .componentProperty("switchboard.module.type", "FILTER").componentProperty("switchboard.module.maturity", "GA")
                .onActivate((m, call) -> m.activate(call.properties(), call.config()))
                .onModified((m, call) -> m.modified(call.properties(), call.config()))
                .build();
    }

    private static ModuleInstance<ProfanityModule, ProfanityConfig> activated(String configName, Map<String, ?> configuration) {
        return newFilter(configName).activate(configuration);
    }

    private static Verdict publish(ModuleInstance<ProfanityModule, ProfanityConfig> filter, String text) {
        return publish(filter, utf8(text));
    }

    private static Verdict publish(ModuleInstance<ProfanityModule, ProfanityConfig> filter, byte[] payload) {
        return filter.probe().message(Message.builder("chat/room1").payload(payload).build()).from(null).verdict();
    }

    /** The payload text the next module would see: the masked copy, or the original if passed. */
    private static String seen(ModuleInstance<ProfanityModule, ProfanityConfig> filter, String text) {
        Verdict verdict = publish(filter, text);
        return switch (verdict.kind()) {
            case PASS -> text;
            case REPLACE -> verdict.message().payloadText();
            default -> throw new AssertionError("expected pass or replace, got " + verdict);
        };
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    // ---- masking ----

    @Test
    void masksEachWordToItsLengthIgnoringCase() {
        ModuleInstance<ProfanityModule, ProfanityConfig> chat = activated("chat", Map.of("words", "darn, heck"));

        assertThat(seen(chat, "Darn it, what the HECK!")).isEqualTo("**** it, what the ****!");
    }

    @Test
    void passesAChangedCopyKeepingEverythingButThePayload() {
        ModuleInstance<ProfanityModule, ProfanityConfig> chat = activated("chat", Map.of("words", "darn"));
        Message original = Message.builder("chat/room1").from("alice").qos(1).retain(true)
                .payload(utf8("oh darn")).userProperty("lang", "en").build();

        Message masked = chat.probe().message(original).from(FakeSession.of("alice")).assertReplacedWithPayload("oh ****");

        assertThat(masked.payloadUtf8()).as("format indicator kept").isFalse();
        assertThat(masked.toBuilder().payload(utf8("oh darn")).build()).isEqualTo(original);
        assertThat(original.payloadText()).as("original unchanged").isEqualTo("oh darn");
    }

    @Test
    void caseSensitiveMasksOnlyTheExactSpelling() {
        ModuleInstance<ProfanityModule, ProfanityConfig> chat = activated("chat", Map.of("words", "Darn", "case.sensitive", true));

        assertThat(seen(chat, "Darn darn DARN")).isEqualTo("**** darn DARN");
    }

    @Test
    void wholeWordsLeaveLongerWordsAlone() {
        ModuleInstance<ProfanityModule, ProfanityConfig> chat = activated("chat", Map.of("words", "darn"));

        assertThat(publish(chat, "darning socks, darn_it, darn2, 2darn")).isSameAs(Verdict.pass());
        assertThat(seen(chat, "darn. (darn) \"darn\" darn-it")).isEqualTo("****. (****) \"****\" ****-it");
    }

    @Test
    void substringsMatchInsideWordsWhenWholeWordsIsOff() {
        ModuleInstance<ProfanityModule, ProfanityConfig> chat = activated("chat", Map.of("words", "darn", "whole.words", "false"));

        assertThat(seen(chat, "Darning socks")).isEqualTo("****ing socks");
    }

    @Test
    void unicodeText() {
        ModuleInstance<ProfanityModule, ProfanityConfig> chat = activated("chat", Map.of(
                "words", new String[] {"scheiße", "дурак", "💩", "ǆ"},
                "mask", "•"));

        assertThat(seen(chat, "SCHEIẞE! Ты ДУРАК 💩, ǅ Ǆ"))
                .isEqualTo("•••••••! Ты ••••• •, • •");
    }

    @Test
    void combiningMarksBelongToTheWord() {
        ModuleInstance<ProfanityModule, ProfanityConfig> chat = activated("chat", Map.of("words", "cafe"));

        assertThat(publish(chat, "cafe\u0301 au lait")).isSameAs(Verdict.pass());
        assertThat(seen(chat, "un cafe noir")).isEqualTo("un **** noir");
    }

    @Test
    void wordsWithPunctuationAtTheirEdges() {
        ModuleInstance<ProfanityModule, ProfanityConfig> chat = activated("chat", Map.of("words", "@$$, c++"));

        assertThat(seen(chat, "x@$$ and c++!")).isEqualTo("x*** and ***!");
    }

    @Test
    void overlappingWordsAreAllMasked() {
        ModuleInstance<ProfanityModule, ProfanityConfig> inside = activated("inside", Map.of("words", "abc, cde", "whole.words", false));
        ModuleInstance<ProfanityModule, ProfanityConfig> phrases = activated("phrases", Map.of("words", "bad word, word up, ass, asshat"));

        assertThat(seen(inside, "xabcdex")).isEqualTo("x*****x");
        assertThat(seen(phrases, "a bad word up!")).isEqualTo("a ***********!");
        assertThat(seen(phrases, "you asshat, ass")).isEqualTo("you ******, ***");
    }

    @Test
    void aValidTextMayContainTheReplacementCharacter() {
        ModuleInstance<ProfanityModule, ProfanityConfig> chat = activated("chat", Map.of("words", "darn"));

        assertThat(seen(chat, "\uFFFD darn")).isEqualTo("\uFFFD ****");
    }

    @Test
    void handlesOnlyPublishedMessages() {
        ModuleInstance<ProfanityModule, ProfanityConfig> chat = activated("chat", Map.of("words", "darn"));

        assertThat(chat.probe().handledEvents()).as("the broker calls nothing else").containsExactly(ChainEvent.MESSAGE);
    }

    // ---- consuming ----

    @Test
    void consumesWithAReasonThePublisherCanSee() {
        ModuleInstance<ProfanityModule, ProfanityConfig> news = activated("news", Map.of("words", "darn", "mode", "consume"));

        Verdict verdict = publish(news, "well, DARN.");

        assertThat(verdict.kind()).isEqualTo(Verdict.Kind.CONSUME);
        assertThat(verdict.reasonCode()).isEqualTo(ReasonCode.IMPLEMENTATION_SPECIFIC_ERROR);
        assertThat(verdict.reason()).isNotBlank().doesNotContainIgnoringCase("darn");
        assertThat(publish(news, "fine words")).isSameAs(Verdict.pass());
    }

    // ---- passing ----

    @Test
    void cleanMessagesPassUnchanged() {
        ModuleInstance<ProfanityModule, ProfanityConfig> chat = activated("chat", Map.of("words", "darn"));

        assertThat(publish(chat, "a perfectly clean message")).isSameAs(Verdict.pass());
        assertThat(publish(chat, "")).isSameAs(Verdict.pass());
        assertThat(publish(chat, new byte[0])).isSameAs(Verdict.pass());
    }

    @Test
    void binaryThatIsNotUtf8Passes() {
        ModuleInstance<ProfanityModule, ProfanityConfig> chat = activated("chat", Map.of("words", "darn", "mode", "CONSUME"));
        byte[] binary = {(byte) 0xFF, 'd', 'a', 'r', 'n', (byte) 0xC3, 0x28, 0};

        assertThat(publish(chat, binary)).isSameAs(Verdict.pass());
        assertThat(publish(chat, utf8("darn"))).isEqualTo(ProfanityModule.CONSUMED);
    }

    @Test
    void textWithAReplacementCharacterOfItsOwnIsStillText() {
        ModuleInstance<ProfanityModule, ProfanityConfig> chat = activated("chat", Map.of("words", "darn", "mode", "CONSUME"));

        assertThat(publish(chat, utf8("\uFFFD darn"))).isEqualTo(ProfanityModule.CONSUMED);
        assertThat(publish(chat, new byte[] {(byte) 0xEF, (byte) 0xBF, ' ', 'd', 'a', 'r', 'n'})).as("a cut sequence")
                .isSameAs(Verdict.pass());
    }

    // ---- configuration ----

    @Test
    void activationRefusesABadConfigurationNamingTheAttribute() {
        ModuleInstance<ProfanityModule, ProfanityConfig> chat = newFilter("chat");

        assertThatIllegalArgumentException()
                .isThrownBy(() -> chat.activate(Map.of("words", "darn", "mask", "**")))
                .withMessage("profanity:chat: invalid configuration: mask: '**' is not one character");
    }

    @Test
    void aChangeWithAnIntegerThatCannotBeReadIsRejectedWholeNamingTheModuleAttributeValueAndExpectation() {
        ModuleInstance<ProfanityModule, ProfanityConfig> chat = activated("chat", Map.of("words", "darn", "service.ranking", "5"));
        ProfanityRules good = chat.module().rules();

        // "heck" comes first: nothing of this configuration may be applied when a later attribute is bad
        chat.modify(Map.of("words", "heck", "mode", "CONSUME", "service.ranking", "abc"));

        assertThat(chat.host().lastProblem()).isEqualTo("profanity:chat: configuration rejected, keeping the last good one: "
                + "service.ranking: 'abc' is not an integer");
        assertThat(chat.module().rules()).isSameAs(good);
        assertThat(seen(chat, "darn heck")).isEqualTo("**** heck");
    }

    @Test
    void aBadChangeIsLoggedAndTheLastGoodRulesStay() {
        ModuleInstance<ProfanityModule, ProfanityConfig> chat = activated("chat", Map.of("words", "darn", "service.ranking", 5));
        ProfanityRules good = chat.module().rules();

        chat.modify(Map.of("words", " ", "service.ranking", 50));

        assertThat(chat.host().lastProblem()).contains("profanity:chat")
                .contains("words: at least one word is required")
                .contains("keeping the last good one");
        assertThat(chat.host().logs(Level.ERROR)).as("logged under the module's name").containsExactly(chat.host().lastProblem());
        assertThat(chat.module().rules()).isSameAs(good);
        assertThat(seen(chat, "darn")).isEqualTo("****");
    }

    @Test
    void aGoodChangeAppliesLive() {
        ModuleInstance<ProfanityModule, ProfanityConfig> chat = activated("chat", Map.of("words", "darn"));

        chat.modify(Map.of("words", "heck", "mode", "CONSUME", "service.ranking", "10"));

        assertThat(chat.host().problems()).containsExactly((String) null);
        assertThat(publish(chat, "darn")).isSameAs(Verdict.pass());
        assertThat(publish(chat, "heck").kind()).isEqualTo(Verdict.Kind.CONSUME);
        assertThat(chat.module().rules().ranking()).isEqualTo(10);
    }

    @Test
    void logsWithTheNameTheBrokerShows() {
        ModuleInstance<ProfanityModule, ProfanityConfig> chat = activated("chat", Map.of("words", "darn"));
        ModuleInstance<ProfanityModule, ProfanityConfig> named = activated("news", Map.of("words", "darn", "switchboard.module.name", "news-filter"));

        assertThat(chat.module().name()).isEqualTo("profanity:chat");
        assertThat(named.module().name()).as("a configured name wins").isEqualTo("news-filter");
    }

    @Test
    void twoInstancesAreIndependent() {
        ModuleInstance<ProfanityModule, ProfanityConfig> chat = activated("chat", Map.of("words", "darn", "service.ranking", 10));
        ModuleInstance<ProfanityModule, ProfanityConfig> news = activated("news", Map.of("words", "heck", "mode", "CONSUME", "service.ranking", 20));

        assertThat(seen(chat, "darn heck")).isEqualTo("**** heck");
        assertThat(publish(news, "darn heck").kind()).isEqualTo(Verdict.Kind.CONSUME);
        assertThat(publish(news, "darn")).isSameAs(Verdict.pass());

        chat.modify(Map.of("words", "gosh"));
        assertThat(publish(chat, "darn")).isSameAs(Verdict.pass());
        assertThat(publish(news, "heck").kind()).isEqualTo(Verdict.Kind.CONSUME);

        assertThat(news.module().rules().ranking()).isEqualTo(20);
    }
}
