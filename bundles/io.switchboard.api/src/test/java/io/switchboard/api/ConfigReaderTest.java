package io.switchboard.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;

import org.junit.jupiter.api.Test;

class ConfigReaderTest {

    /** What a DS configuration annotation member does when it cannot convert its value (Felix SCR's message). */
    private static int unconvertible() {
        throw new IllegalStateException("java.lang.NumberFormatException: For input string: \"abc\"");
    }

    enum Mode { CONSUME, MASK }

    @Test
    void anIntegerThatDsCannotConvertIsNamedWithItsValueAndWhatIsExpected() {
        ConfigReader in = ConfigReader.of(Map.of("max.files", "abc"));

        assertThatThrownBy(() -> in.integer("max.files", ConfigReaderTest::unconvertible, 0, 1000))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("max.files: 'abc' is not an integer from 0 to 1000");
        assertThatThrownBy(() -> in.integer("max.files", ConfigReaderTest::unconvertible, Integer.MIN_VALUE, Integer.MAX_VALUE))
                .hasMessage("max.files: 'abc' is not an integer");
    }

    @Test
    void anIntegerOutOfRangeIsRefused() {
        ConfigReader in = ConfigReader.of(Map.of("max.files", "5000", "timeout", "0"));

        assertThat(in.integer("max.files", () -> 7, 0, 1000)).isEqualTo(7);
        assertThatThrownBy(() -> in.integer("max.files", () -> 5000, 0, 1000))
                .hasMessage("max.files: '5000' is not an integer from 0 to 1000");
        assertThatThrownBy(() -> in.longInteger("timeout", () -> 0L, 1, Long.MAX_VALUE))
                .hasMessage("timeout: '0' is not an integer of at least 1");
    }

    @Test
    void aBooleanMustBeTrueOrFalseAlthoughDsReadsAnythingElseAsFalse() {
        ConfigReader in = ConfigReader.of(Map.of("stream", "yes", "whole.words", "TRUE", "typed", Boolean.FALSE));

        assertThatThrownBy(() -> in.bool("stream", () -> false)).hasMessage("stream: 'yes' is not true or false");
        assertThat(in.bool("whole.words", () -> true)).isTrue();
        assertThat(in.bool("typed", () -> false)).isFalse();
        assertThat(in.bool("missing", () -> true)).as("the annotation's default").isTrue();
    }

    @Test
    void aChoiceIgnoresCaseAndNamesTheChoices() {
        ConfigReader in = ConfigReader.of(Map.of("mode", "DROP"));

        assertThat(in.choice("mode", () -> " mask ", Mode.class)).isEqualTo(Mode.MASK);
        assertThatThrownBy(() -> in.choice("mode", () -> "DROP", Mode.class))
                .hasMessage("mode: 'DROP' is not one of [CONSUME, MASK]");
    }

    @Test
    void aListIsSplitAtCommasAndTrimmedAndAStrayCommaIsRefused() {
        ConfigReader in = ConfigReader.of(Map.of("words", "darn,, heck"));

        assertThat(in.list("words", () -> new String[] {" darn , heck", "frick"})).containsExactly("darn", "heck", "frick");
        assertThat(in.list("words", () -> new String[] {" "})).isEmpty();
        assertThat(in.list("words", () -> new String[0])).isEmpty();
        assertThatThrownBy(() -> in.list("words", () -> new String[] {"darn,, heck"}))
                .hasMessage("words: 'darn,, heck': entry 2 is blank (an empty value or a stray comma?)");
    }

    @Test
    void anArrayValueIsQuotedWithItsItems() {
        ConfigReader in = ConfigReader.of(Map.of("sizes", new String[] {"1", "x"}));

        assertThatThrownBy(() -> in.integer("sizes", ConfigReaderTest::unconvertible, 0, 10))
                .hasMessage("sizes: '[1, x]' is not an integer from 0 to 10");
    }

    @Test
    void textIsTrimmedAndNoneIsEmpty() {
        ConfigReader in = ConfigReader.of(Map.of());

        assertThat(in.text("name", () -> "  chat ")).isEqualTo("chat");
        assertThat(in.text("name", () -> null)).isEmpty();
    }

    @Test
    void anHttpUrlIsABaseUrlWithAHostAndNoQuery() {
        ConfigReader in = ConfigReader.of(Map.of());

        assertThat(in.httpUrl("url", () -> " https://api.example.com/v1/ ", "http://localhost:5000"))
                .hasToString("https://api.example.com/v1");
        assertThatThrownBy(() -> in.httpUrl("url", () -> " ", "http://localhost:5000"))
                .hasMessage("url: is required (the base URL of the service, e.g. http://localhost:5000)");
        assertThatThrownBy(() -> in.httpUrl("url", () -> "ftp://x", "http://localhost:5000"))
                .hasMessage("url: 'ftp://x' is not an http:// or https:// URL with a host");
        assertThatThrownBy(() -> in.httpUrl("url", () -> "localhost:5000", "http://localhost:5000"))
                .hasMessage("url: 'localhost:5000' is not an http:// or https:// URL with a host");
        assertThatThrownBy(() -> in.httpUrl("url", () -> "http://x/?a=1", "http://localhost:5000"))
                .hasMessage("url: 'http://x/?a=1' has a query or fragment; expected none (the module appends its path)");
        assertThatThrownBy(() -> in.httpUrl("url", () -> "http://a b", "http://localhost:5000"))
                .hasMessageStartingWith("url: 'http://a b' is not a URL: ");
    }
}
