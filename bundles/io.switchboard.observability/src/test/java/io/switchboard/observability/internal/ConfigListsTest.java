package io.switchboard.observability.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

class ConfigListsTest {

    @Test
    void aCfgStringAnArrayOrACollectionGiveTheSameTrimmedEntries() {
        assertThat(ConfigLists.of("auth, audit,,auth ")).containsExactly("auth", "audit");
        assertThat(ConfigLists.of(new String[] {"/health/live, /health/ready", "/x"}))
                .containsExactly("/health/live", "/health/ready", "/x");
        assertThat(ConfigLists.of(List.of("a", " b"))).containsExactly("a", "b");
        assertThat(ConfigLists.of(null)).isEmpty();
    }
}
