package io.switchboard.console.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Hashtable;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.osgi.service.metatype.AttributeDefinition;

/** Metatype attributes as form fields, e.g. the profanity filter's. */
class ConfigFormsTest {

    private final FakeMetatype.Ocd profanity = FakeMetatype.Ocd.of(
            FakeMetatype.Ad.of("words", AttributeDefinition.STRING).cardinality(Integer.MAX_VALUE),
            FakeMetatype.Ad.of("mode", AttributeDefinition.STRING, "MASK").options("MASK", "Mask the words", "CONSUME", ""),
            FakeMetatype.Ad.of("whole.words", AttributeDefinition.BOOLEAN, "true"),
            FakeMetatype.Ad.of("service.ranking", AttributeDefinition.INTEGER, "0"),
            FakeMetatype.Ad.of("secret", AttributeDefinition.PASSWORD).optional(),
            FakeMetatype.Ad.of("switchboard.module.name", AttributeDefinition.STRING, "").optional());

    private static Map<String, Object> field(List<Map<String, Object>> fields, String id) {
        return fields.stream().filter(f -> f.get("id").equals(id)).findFirst().orElseThrow();
    }

    @Test
    void fieldsShowTheConfigurationsValuesElseTheDefaults() {
        Hashtable<String, Object> current = new Hashtable<>();
        current.put("words", new String[] {"darn", "heck"});
        current.put("service.ranking", 100);
        current.put("secret", "s3cret");

        List<Map<String, Object>> fields = ConfigForms.fields(profanity, current);

        assertThat(fields).extracting(f -> f.get("id")).containsExactly("words", "mode", "whole.words", "service.ranking",
                "secret", "switchboard.module.name");
        assertThat(field(fields, "words")).containsEntry("input", "list").containsEntry("value", List.of("darn", "heck"))
                .containsEntry("required", true);
        assertThat(field(fields, "mode")).containsEntry("input", "select").containsEntry("value", "MASK")
                .containsEntry("options", List.of(Map.of("value", "MASK", "label", "Mask the words"),
                        Map.of("value", "CONSUME", "label", "CONSUME")));
        assertThat(field(fields, "whole.words")).containsEntry("input", "checkbox").containsEntry("value", "true")
                .containsEntry("type", "boolean");
        assertThat(field(fields, "service.ranking")).containsEntry("input", "number").containsEntry("value", "100")
                .containsEntry("name", "SERVICE.RANKING").containsEntry("description", "about service.ranking");
        assertThat(field(fields, "switchboard.module.name")).containsEntry("required", false).containsEntry("value", "");
    }

    @Test
    void aPasswordIsNeverSentOnlyWhetherOneIsSet() {
        Hashtable<String, Object> current = new Hashtable<>();
        current.put("secret", "s3cret");

        assertThat(field(ConfigForms.fields(profanity, current), "secret")).containsEntry("input", "password")
                .containsEntry("value", "").containsEntry("set", true);
        assertThat(field(ConfigForms.fields(profanity, null), "secret")).containsEntry("set", false);
        assertThat(ConfigForms.fields(profanity, current).toString()).doesNotContain("s3cret");
    }

    @Test
    void withoutAConfigurationTheDefaultsShow() {
        List<Map<String, Object>> fields = ConfigForms.fields(profanity, null);

        assertThat(field(fields, "words")).containsEntry("value", List.of());
        assertThat(field(fields, "service.ranking")).containsEntry("value", "0");
    }

    @Test
    void valuesOfAnyShapeAsStrings() {
        assertThat(ConfigForms.strings(new int[] {1, 2})).containsExactly("1", "2");
        assertThat(ConfigForms.strings(List.of("a", "b"))).containsExactly("a", "b");
        assertThat(ConfigForms.strings(true)).containsExactly("true");
    }
}
