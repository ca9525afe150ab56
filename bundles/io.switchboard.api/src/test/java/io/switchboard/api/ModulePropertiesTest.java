package io.switchboard.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.Test;

class ModulePropertiesTest {

    @Test
    void derivedPropertiesGoOverThePublicComponentPropertiesAndPrivateOnesStayPrivate() {
        Map<String, Object> component = Map.of("service.ranking", "5", ".api.key", "secret",
                ModuleProperties.TOPICS, "configured/#", "rules", "chat/#:fr>en");

        Map<String, Object> published = ModuleProperties.withDerived(component,
                Map.of(ModuleProperties.TOPICS, new String[] {"chat/#"}));

        assertThat(published).containsOnlyKeys("service.ranking", ModuleProperties.TOPICS, "rules");
        assertThat((String[]) published.get(ModuleProperties.TOPICS)).containsExactly("chat/#");
        assertThat(published.get("service.ranking")).isEqualTo("5");
    }
}
