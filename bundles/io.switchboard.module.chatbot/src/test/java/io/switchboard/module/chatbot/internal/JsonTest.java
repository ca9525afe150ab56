package io.switchboard.module.chatbot.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class JsonTest {

    @Test
    void readsADocumentIntoPlainJavaValues() {
        Object document = Json.parse("{\"b\":1,\"a\":[true,null,2.5,\"x\"],\"big\":12345678901}");

        assertThat(document).isInstanceOf(Map.class);
        assertThat(((Map<?, ?>) document).keySet().toString()).isEqualTo("[b, a, big]");
        assertThat(Json.at(document, "b")).isEqualTo(1L);
        assertThat(Json.at(document, "big")).isEqualTo(12345678901L);
        assertThat(Json.at(document, "a")).isEqualTo(java.util.Arrays.asList(true, null, 2.5, "x"));
        assertThat(Json.stringAt(document, "a", 3)).isEqualTo("x");
        assertThat(Json.stringAt(document, "a", 0)).as("not a string").isNull();
        assertThat(Json.at(document, "a", 9)).isNull();
        assertThat(Json.at(document, "missing", "deeper")).isNull();
    }

    @Test
    void refusesWhatIsNotStrictJson() {
        for (String bad : List.of("", "{", "{\"a\":1} trailing", "{'a':1}", "[1,]", "{\"a\":1 /* c */}", "01")) {
            assertThatIllegalArgumentException().as(bad).isThrownBy(() -> Json.parse(bad));
        }
    }

    @Test
    void refusesNestingDeeperThanTheLimit() {
        String deep = "[".repeat(Json.MAX_DEPTH + 1) + "]".repeat(Json.MAX_DEPTH + 1);
        String allowed = "[".repeat(Json.MAX_DEPTH) + "]".repeat(Json.MAX_DEPTH);

        assertThatIllegalArgumentException().isThrownBy(() -> Json.parse(deep));
        assertThat(Json.parse(allowed)).isInstanceOf(List.class);
    }

    @Test
    void writesWhatItReadsBack() {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("q", "line\nbreak \"quoted\" \u0001 ü 💬");
        body.put("n", 3);
        body.put("ok", true);
        body.put("none", null);
        body.put("list", List.of("a", 1.5));

        String json = Json.write(body);

        assertThat(json).startsWith("{\"q\":").doesNotContain("\n");
        assertThat(Json.stringAt(Json.parse(json), "q")).isEqualTo(body.get("q"));
        assertThat(Json.at(Json.parse(json), "n")).isEqualTo(3L);
        assertThat(Json.at(Json.parse(json), "list")).isEqualTo(List.of("a", 1.5));
        assertThat(((Map<?, ?>) Json.parse(json)).containsKey("none")).isTrue();
    }
}
