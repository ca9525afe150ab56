package io.switchboard.module.chatbot.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class JsonTest {

    @Test
    void readsEveryKindOfValue() {
        Object doc = Json.parse(" {\"s\": \"x\", \"i\": -12, \"big\": 12345678901234567890, \"d\": 1.5e2, \"t\": true,"
                + " \"f\": false, \"n\": null, \"a\": [1, [], {}], \"o\": {\"k\": \"v\"}} \n");

        assertThat(doc).isInstanceOf(Map.class);
        @SuppressWarnings("unchecked")
        Map<String, Object> map = (Map<String, Object>) doc;
        assertThat(map.keySet()).containsExactly("s", "i", "big", "d", "t", "f", "n", "a", "o");
        assertThat(map.get("s")).isEqualTo("x");
        assertThat(map.get("i")).isEqualTo(-12L);
        assertThat(map.get("big")).isEqualTo(1.2345678901234567e19);
        assertThat(map.get("d")).isEqualTo(150.0);
        assertThat(map.get("t")).isEqualTo(true);
        assertThat(map.get("f")).isEqualTo(false);
        assertThat(map.containsKey("n")).isTrue();
        assertThat(map.get("n")).isNull();
        assertThat(map.get("a")).isEqualTo(Arrays.asList(1L, List.of(), Map.of()));
        assertThat(Json.at(doc, "o", "k")).isEqualTo("v");
        assertThat(Json.parse("0")).isEqualTo(0L);
        assertThat(Json.parse("-0.0")).isEqualTo(-0.0);
        assertThat(Json.parse("\"\"")).isEqualTo("");
    }

    @Test
    void readsEscapesAndUnicode() {
        assertThat(Json.parse("\"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\t\\u00e9\\u20AC\\ud83d\\ude00 é€😀\""))
                .isEqualTo("a\"b\\c/d\b\f\n\r\té€😀 é€😀");
    }

    @Test
    void walksIntoDocuments() {
        Object doc = Json.parse("{\"choices\": [{\"message\": {\"content\": \"hi\"}}]}");

        assertThat(Json.stringAt(doc, "choices", 0, "message", "content")).isEqualTo("hi");
        assertThat(Json.at(doc, "choices", 1)).isNull();
        assertThat(Json.at(doc, "choices", -1)).isNull();
        assertThat(Json.at(doc, "choices", "message")).isNull();
        assertThat(Json.stringAt(doc, "choices", 0, "message")).as("not a string").isNull();
        assertThat(Json.at("text", "key")).isNull();
    }

    @Test
    void refusesWhatIsNotJson() {
        for (String bad : List.of("", " ", "{", "[1,]", "{\"a\":1,}", "{a:1}", "{'a':1}", "01", "1.", ".5", "-", "1e",
                "+1", "tru", "nul", "\"open", "\"tab\there\"", "\"\\x\"", "\"\\u12\"", "\"\\u12G4\"", "[1 2]",
                "{\"a\" 1}", "1 2", "[] x", "NaN", "// c\n1", "<html>")) {
            assertThatIllegalArgumentException().as(bad).isThrownBy(() -> Json.parse(bad))
                    .withMessageStartingWith("malformed JSON at offset ");
        }
    }

    @Test
    void saysWhereAndWhat() {
        assertThatIllegalArgumentException().isThrownBy(() -> Json.parse("{\"a\": [1, 2}"))
                .withMessage("malformed JSON at offset 11: expected ',' or ']', found '}'");
        assertThatIllegalArgumentException().isThrownBy(() -> Json.parse("[1"))
                .withMessage("malformed JSON at offset 2: expected ',' or ']', found the end");
    }

    @Test
    void limitsNesting() {
        String deep = "[".repeat(Json.MAX_DEPTH) + "]".repeat(Json.MAX_DEPTH);
        String tooDeep = "[".repeat(Json.MAX_DEPTH + 1) + "]".repeat(Json.MAX_DEPTH + 1);

        assertThat(Json.parse(deep)).isInstanceOf(List.class);
        assertThatIllegalArgumentException().isThrownBy(() -> Json.parse(tooDeep)).withMessageContaining("nesting");
        assertThatIllegalArgumentException().isThrownBy(() -> Json.parse("[".repeat(100_000)))
                .withMessageContaining("nesting");
    }

    @Test
    void writesCompactJson() {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("s", "x");
        doc.put("n", null);
        doc.put("i", 3);
        doc.put("l", 4L);
        doc.put("d", 2.5);
        doc.put("whole", 3.0);
        doc.put("b", true);
        doc.put("a", List.of(1, "two", List.of()));
        doc.put("o", Map.of());

        assertThat(Json.write(doc))
                .isEqualTo("{\"s\":\"x\",\"n\":null,\"i\":3,\"l\":4,\"d\":2.5,\"whole\":3,\"b\":true,\"a\":[1,\"two\",[]],\"o\":{}}");
    }

    @Test
    void escapesWhatJsonRequires() {
        assertThat(Json.write("q\"b\\s/\n\r\t\b\f\u0001\u001f é€😀"))
                .isEqualTo("\"q\\\"b\\\\s/\\n\\r\\t\\b\\f\\u0001\\u001f é€😀\"");
        assertThat(Json.write("lone \ud800 and \udc00")).isEqualTo("\"lone \\ud800 and \\udc00\"");
    }

    @Test
    void readsWhatItWrites() {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("text", "Zeile 1\nZeile \"2\"\t\\ 😀 \u0000 \u2028");
        doc.put("list", Arrays.asList(1L, -2.5, true, null, "x"));

        assertThat(Json.parse(Json.write(doc))).isEqualTo(doc);
    }

    @Test
    void refusesWhatJsonCannotHold() {
        assertThatIllegalArgumentException().isThrownBy(() -> Json.write(Double.NaN));
        assertThatIllegalArgumentException().isThrownBy(() -> Json.write(Double.POSITIVE_INFINITY));
        assertThatIllegalArgumentException().isThrownBy(() -> Json.write(new Object()));
    }
}
