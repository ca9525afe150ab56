package io.switchboard.module.profanity.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.lang.management.ManagementFactory;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.switchboard.testkit.Configs;

class ProfanityRulesTest {

    @ParameterizedTest(name = "{0} = ''{1}'' -> {2}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
            words                     | ""          | words: at least one word is required
            words                     | darn,,heck  | words: 'darn,,heck': entry 2 is blank (an empty value or a stray comma?)
            words                     | darn,       | words: 'darn,': entry 2 is blank (an empty value or a stray comma?)
            mode                      | DROP        | mode: 'DROP' is not one of [CONSUME, MASK]
            mask                      | **          | mask: '**' is not one character
            mask                      | ""          | mask: '' is not one character
            whole.words               | yes         | whole.words: 'yes' is not true or false
            case.sensitive            | 1           | case.sensitive: '1' is not true or false
            service.ranking           | ten         | service.ranking: 'ten' is not an integer
            switchboard.module.topics | chat/#/x    | switchboard.module.topics: 'chat/#/x' is not a valid MQTT topic filter: '#' must be a whole level and the last one
            switchboard.module.topics | chat/a+     | switchboard.module.topics: 'chat/a+' is not a valid MQTT topic filter: '+' must be a whole level
            """)
    void aBadValueIsRefusedNamingTheAttribute(String attribute, String value, String message) {
        Map<String, Object> configuration = new HashMap<>(Map.of("words", "darn"));
        configuration.put(attribute, value);

        assertThatIllegalArgumentException()
                .isThrownBy(() -> ProfanityRules.compile(configuration, Configs.of(ProfanityConfig.class, configuration)))
                .withMessage(message);
    }

    @Test
    void missingWordsAreRefused() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> ProfanityRules.compile(Map.of(), Configs.of(ProfanityConfig.class, Map.of())))
                .withMessageStartingWith("words: ");
    }

    @Test
    void defaultsAndNormalisation() {
        ProfanityRules rules = compiled(Map.of(
                "words", new String[] {" darn , heck", "darn", "gosh "},
                "mode", " consume ",
                "switchboard.module.topics", ""));

        assertThat(rules.words()).containsExactly("darn", "heck", "gosh");
        assertThat(rules.mode()).isEqualTo(ProfanityRules.Mode.CONSUME);
        assertThat(rules.maskCodePoint()).isEqualTo('*');
        assertThat(rules.wholeWords()).isTrue();
        assertThat(rules.caseSensitive()).isFalse();
        assertThat(rules.ranking()).isZero();
        assertThat(rules.topics()).isEmpty();
        assertThat(rules.configuredName()).isEmpty();
        assertThat(rules).hasToString("3 words, mode CONSUME, whole words, case-insensitive, ranking 0, topics all");
    }

    @Test
    void aMaskMayBeOneCharacterOutsideTheBmp() {
        ProfanityRules rules = compiled(Map.of("words", "darn", "mask", "🙊"));

        assertThat(rules.mask("darn it")).isEqualTo("🙊🙊🙊🙊 it");
    }

    @Test
    void checkingACleanTextAllocatesNothing() {
        java.lang.management.ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        assumeThat(threads).isInstanceOf(com.sun.management.ThreadMXBean.class);
        com.sun.management.ThreadMXBean memory = (com.sun.management.ThreadMXBean) threads;
        List<String> words = List.of("darn", "heck", "gosh", "scheiße", "дурак");
        ProfanityRules rules = compiled(Map.of("words", words.toArray(String[]::new)));
        String clean = "A perfectly clean message, with some Ünïcödé and numbers 12345, darning and hecks.";
        for (int i = 0; i < 20_000; i++) {
            rules.matches(clean);
        }

        long before = memory.getCurrentThreadAllocatedBytes();
        boolean any = false;
        for (int i = 0; i < 10_000; i++) {
            any |= rules.matches(clean);
        }
        long allocated = memory.getCurrentThreadAllocatedBytes() - before;

        assertThat(any).isFalse();
        assertThat(allocated).as("bytes allocated by 10,000 scans").isLessThan(1024);
    }

    private static ProfanityRules compiled(Map<String, ?> configuration) {
        return ProfanityRules.compile(configuration, Configs.of(ProfanityConfig.class, configuration));
    }
}
