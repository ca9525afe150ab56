package io.switchboard.module.profanity.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class WordMatcherTest {

    /** The ASCII shortcut of the case folding gives what the Unicode tables give, for every ASCII character. */
    @Test
    void asciiFoldingIsUnicodeFolding() {
        for (int cp = 0; cp < 0x80; cp++) {
            assertThat(WordMatcher.fold(cp)).as("code point %d", cp)
                    .isEqualTo(Character.toLowerCase(Character.toUpperCase(cp)));
        }
        assertThat(WordMatcher.fold('Ä')).isEqualTo('ä');
    }
}
