package io.switchboard.module.translator.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.switchboard.module.translator.internal.TranslatorSettings.OnError;
import io.switchboard.module.translator.internal.TranslatorSettings.Rule;
import io.switchboard.testkit.Configs;

class TranslatorSettingsTest {

    private static TranslatorSettings compile(Object... keyValues) {
        Map<String, Object> config = new HashMap<>(Map.of("url", "http://localhost:5000", "rules", "chat/fr/#:fr>en"));
        for (int i = 0; i < keyValues.length; i += 2) {
            config.put((String) keyValues[i], keyValues[i + 1]);
        }
        return TranslatorSettings.compile(config, Configs.of(TranslatorConfig.class, config));
    }

    private static void assertRefused(String expectedMessage, Object... keyValues) {
        assertThatIllegalArgumentException().isThrownBy(() -> compile(keyValues)).withMessage(expectedMessage);
    }

    @Test
    void defaults() {
        TranslatorSettings s = compile();

        assertThat(s.endpoint()).hasToString("http://localhost:5000/translate");
        assertThat(s.rules()).containsExactly(new Rule("chat/fr/#", "fr", "en"));
        assertThat(s.apiKey()).isEmpty();
        assertThat(s.timeoutMillis()).isEqualTo(3000);
        assertThat(s.retries()).isZero();
        assertThat(s.onError()).isEqualTo(OnError.PASS_ORIGINAL);
        assertThat(s.maxChars()).isEqualTo(5000);
        assertThat(s.ranking()).isZero();
        assertThat(s.name()).isEqualTo("translator");
        assertThat(s.toString()).contains("no API key").doesNotContain("api_key");
    }

    @Test
    void readsRulesListsAndStrings() {
        TranslatorSettings s = compile("rules", new String[] {" chat/fr/# : fr > en ", "a:b/+:auto>pt-BR, x/#:AUTO>zh_Hans"},
                "url", "https://t.example/api/", ".api.key", " k ", "on.error", " consume ");

        assertThat(s.rules()).containsExactly(new Rule("chat/fr/#", "fr", "en"), new Rule("a:b/+", "auto", "pt-BR"),
                new Rule("x/#", "auto", "zh_Hans"));
        assertThat(s.topics()).containsExactly("chat/fr/#", "a:b/+", "x/#");
        assertThat(s.endpoint()).hasToString("https://t.example/api/translate");
        assertThat(s.apiKey()).isEqualTo("k");
        assertThat(s.onError()).isEqualTo(OnError.CONSUME);
        assertThat(s.toString()).contains("with API key").doesNotContain(" k,");
    }

    @Test
    void findsTheFirstMatchingRule() {
        TranslatorSettings s = compile("rules", "chat/fr/vip:fr>de, chat/fr/#:fr>en, chat/+/#:auto>en");

        assertThat(s.ruleFor("chat/fr/vip").target()).isEqualTo("de");
        assertThat(s.ruleFor("chat/fr/room").target()).isEqualTo("en");
        assertThat(s.ruleFor("chat/it/room").source()).isEqualTo("auto");
        assertThat(s.ruleFor("news/fr")).isNull();
    }

    @Test
    void namesTheAttributeOfEachProblem() {
        assertRefused("url: is required (the base URL of the service, e.g. http://localhost:5000)", "url", " ");
        assertRefused("url: 'ftp://x' is not an http:// or https:// URL with a host", "url", "ftp://x");
        assertRefused("url: 'localhost:5000' is not an http:// or https:// URL with a host", "url", "localhost:5000");
        assertRefused("url: 'http://x/?a=1' has a query or fragment; expected none (the module appends its path)",
                "url", "http://x/?a=1");
        assertRefused("rules: at least one rule is required, e.g. chat/fr/#:fr>en", "rules", "");
        assertRefused("rules: 'a:fr>en,,b:fr>en': entry 2 is blank (an empty value or a stray comma?)", "rules", "a:fr>en,,b:fr>en");
        assertRefused("rules: 'chat/#' is not <topic filter>:<source>><target> (e.g. chat/fr/#:fr>en)", "rules", "chat/#");
        assertRefused("rules: 'a/#/b:fr>en': 'a/#/b' is not a valid MQTT topic filter: '#' must be a whole level and the last one",
                "rules", "a/#/b:fr>en");
        assertRefused("rules: 'a:french>en': source 'french' is not a language code (or auto)", "rules", "a:french>en");
        assertRefused("rules: 'a:fr>auto': target 'auto' is not a language code", "rules", "a:fr>auto");
        assertRefused("rules: 'a:fr>FR': source and target are the same language", "rules", "a:fr>FR");
        assertRefused("timeout: '0' is not an integer from 1 to 600000", "timeout", "0");
        assertRefused("timeout: 'soon' is not an integer from 1 to 600000", "timeout", "soon");
        assertRefused("retries: '-1' is not an integer from 0 to 10", "retries", "-1");
        assertRefused("on.error: 'DROP' is not one of [PASS_ORIGINAL, CONSUME]", "on.error", "DROP");
        assertRefused("max.chars: '0' is not an integer of at least 1", "max.chars", 0);
        assertRefused("service.ranking: 'ten' is not an integer", "service.ranking", "ten");
    }
}
