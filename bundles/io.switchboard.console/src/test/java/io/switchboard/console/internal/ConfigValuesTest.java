package io.switchboard.console.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.osgi.service.metatype.AttributeDefinition;

/** A submitted form as typed configuration properties. */
class ConfigValuesTest {

    private final FakeMetatype.Ocd ocd = FakeMetatype.Ocd.of(
            FakeMetatype.Ad.of("words", AttributeDefinition.STRING).cardinality(Integer.MAX_VALUE).refusing("bad"),
            FakeMetatype.Ad.of("ids", AttributeDefinition.LONG).cardinality(-3).optional(),
            FakeMetatype.Ad.of("whole.words", AttributeDefinition.BOOLEAN, "true"),
            FakeMetatype.Ad.of("service.ranking", AttributeDefinition.INTEGER, "0"),
            FakeMetatype.Ad.of("ratio", AttributeDefinition.DOUBLE, "0.5").optional(),
            FakeMetatype.Ad.of("mask", AttributeDefinition.CHARACTER, "*").optional(),
            FakeMetatype.Ad.of("secret", AttributeDefinition.PASSWORD).optional(),
            FakeMetatype.Ad.of("note", AttributeDefinition.STRING, "").optional());

    private static Hashtable<String, Object> current() {
        Hashtable<String, Object> c = new Hashtable<>();
        c.put("words", new String[] {"darn"});
        c.put("secret", "s3cret");
        c.put("note", "old");
        c.put("felix.fileinstall.filename", "file:/x/configadmin/p.cfg");
        return c;
    }

    @Test
    void convertsEachValueToItsDeclaredTypeAndKeepsWhatTheFormDoesNotDescribe() {
        Dictionary<String, Object> out = ConfigValues.merge(ocd, current(), Map.of(
                "words", List.of("darn", " heck ", ""), "ids", List.of("1", "2"), "whole.words", "false",
                "service.ranking", "100", "ratio", "0.25", "mask", "#", "secret", "", "note", "  "));

        assertThat((String[]) out.get("words")).containsExactly("darn", "heck");
        assertThat(out.get("ids")).isEqualTo(List.of(1L, 2L));
        assertThat(out.get("whole.words")).isEqualTo(false);
        assertThat(out.get("service.ranking")).isEqualTo(100);
        assertThat(out.get("ratio")).isEqualTo(0.25);
        assertThat(out.get("mask")).isEqualTo('#');
        assertThat(out.get("secret")).as("an empty password keeps the one set").isEqualTo("s3cret");
        assertThat(out.get("note")).as("an empty optional value falls back to the default").isNull();
        assertThat(out.get("felix.fileinstall.filename")).isEqualTo("file:/x/configadmin/p.cfg");
    }

    @Test
    void attributesNotSubmittedStayAsTheyAre() {
        Dictionary<String, Object> out = ConfigValues.merge(ocd, current(), Map.of("service.ranking", "5"));

        assertThat((String[]) out.get("words")).containsExactly("darn");
        assertThat(out.get("note")).isEqualTo("old");
    }

    @Test
    void refusesValuesThatDoNotFitNamingTheAttribute() {
        assertThatThrownBy(() -> ConfigValues.merge(ocd, current(), Map.of("service.ranking", "high")))
                .hasMessage("SERVICE.RANKING (service.ranking): 'high' is not of type integer");
        assertThatThrownBy(() -> ConfigValues.merge(ocd, current(), Map.of("whole.words", "yes")))
                .hasMessageContaining("whole.words").hasMessageContaining("boolean");
        assertThatThrownBy(() -> ConfigValues.merge(ocd, current(), Map.of("mask", "##")))
                .hasMessageContaining("mask");
        assertThatThrownBy(() -> ConfigValues.merge(ocd, current(), Map.of("words", List.of("bad"))))
                .hasMessage("WORDS (words): 'bad' is not allowed");
        assertThatThrownBy(() -> ConfigValues.merge(ocd, current(), Map.of("words", List.of())))
                .hasMessage("WORDS (words): a value is required");
        assertThatThrownBy(() -> ConfigValues.merge(ocd, current(), Map.of("ids", List.of("1", "2", "3", "4"))))
                .hasMessageContaining("at most 3");
        assertThatThrownBy(() -> ConfigValues.merge(ocd, current(), Map.of("service.ranking", List.of("1", "2"))))
                .hasMessageContaining("one value");
    }
}
