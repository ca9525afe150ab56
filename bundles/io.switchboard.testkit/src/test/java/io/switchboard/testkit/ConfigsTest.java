package io.switchboard.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

class ConfigsTest {

    @interface Sample {
        String name() default "none";

        int max_size() default 10;

        long timeout();

        boolean enabled() default true;

        String[] topics() default {};

        TimeUnit unit() default TimeUnit.SECONDS;

        double ratio() default 0.5;

        String my__underscore() default "";

        String dash$_$ed() default "";

        String dollar$$sign() default "";

        String dropped$dollar() default "";

        char letter() default 'a';
    }

    @interface Prefixed {
        String PREFIX_ = "switchboard.module.";

        String name() default "x";
    }

    @interface MaxSize {
        int value() default 3;

        String other() default "o";
    }

    interface Plain {
        String host();

        default String describe() {
            return "host " + host();
        }
    }

    @Test
    void defaultsFillTheMissingProperties() {
        Sample s = Configs.defaults(Sample.class);

        assertThat(s.name()).isEqualTo("none");
        assertThat(s.max_size()).isEqualTo(10);
        assertThat(s.timeout()).as("no default").isZero();
        assertThat(s.enabled()).isTrue();
        assertThat(s.topics()).isEmpty();
        assertThat(s.unit()).isEqualTo(TimeUnit.SECONDS);
        assertThat(s.letter()).isEqualTo('a');
    }

    @Test
    void stringsAreConvertedAsDsConvertsThem() {
        Sample s = Configs.of(Sample.class, Map.of("name", "n", "max.size", "42", "timeout", "5000", "enabled", "FALSE",
                "topics", "a/#, b/#", "unit", "MILLISECONDS", "ratio", "0.25", "letter", "xyz"));

        assertThat(s.max_size()).isEqualTo(42);
        assertThat(s.timeout()).isEqualTo(5000L);
        assertThat(s.enabled()).isFalse();
        assertThat(s.topics()).as("a plain string is one element, not split").containsExactly("a/#, b/#");
        assertThat(s.unit()).isEqualTo(TimeUnit.MILLISECONDS);
        assertThat(s.ratio()).isEqualTo(0.25);
        assertThat(s.letter()).isEqualTo('x');
    }

    @Test
    void arraysCollectionsAndSingleValues() {
        Sample fromList = Configs.of(Sample.class, Map.of("topics", List.of("a", "b"), "max.size", new String[] {"7", "8"}));
        Sample fromNumbers = Configs.of(Sample.class, Map.of("max.size", 12L, "enabled", 0, "ratio", 2));

        assertThat(fromList.topics()).containsExactly("a", "b");
        assertThat(fromList.max_size()).as("first element").isEqualTo(7);
        assertThat(fromNumbers.max_size()).isEqualTo(12);
        assertThat(fromNumbers.enabled()).isFalse();
        assertThat(fromNumbers.ratio()).isEqualTo(2.0);
        String[] topics = fromList.topics();
        topics[0] = "changed";
        assertThat(fromList.topics()).as("a copy each call").containsExactly("a", "b");
    }

    @Test
    void memberNamesMapToPropertyNames() {
        Sample s = Configs.of(Sample.class, Map.of("my_underscore", "u", "dash-ed", "d", "dollar$sign", "s", "droppeddollar", "x"));

        assertThat(s.my__underscore()).isEqualTo("u");
        assertThat(s.dash$_$ed()).isEqualTo("d");
        assertThat(s.dollar$$sign()).isEqualTo("s");
        assertThat(s.dropped$dollar()).isEqualTo("x");
        assertThat(Configs.of(Prefixed.class, Map.of("switchboard.module.name", "p")).name()).isEqualTo("p");
        assertThat(Configs.of(MaxSize.class, Map.of("max.size", "9")).value()).isEqualTo(9);
        assertThat(Configs.defaults(MaxSize.class).value()).isEqualTo(3);
    }

    @Test
    void aBadValueThrowsWhenItsMemberIsRead() {
        Sample s = Configs.of(Sample.class, Map.of("max.size", "ten", "unit", "FORTNIGHTS"));

        assertThat(s.name()).as("other members still work").isEqualTo("none");
        assertThatThrownBy(s::max_size).isInstanceOf(NumberFormatException.class).hasMessage("For input string: \"ten\"");
        assertThatThrownBy(s::unit).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("FORTNIGHTS");
        assertThatThrownBy(() -> Configs.of(Sample.class, Map.of("max.size", " 10")).max_size())
                .as("not trimmed, as in DS").isInstanceOf(NumberFormatException.class);
        assertThat(s.toString()).contains("max_size=<invalid: For input string: \"ten\">");
    }

    @Test
    void interfacesWorkToo() {
        Plain p = Configs.of(Plain.class, Map.of("host", "example.org"));

        assertThat(p.host()).isEqualTo("example.org");
        assertThat(p.describe()).isEqualTo("host example.org");
    }

    @Test
    void propertiesAreTheDefaultsOverriddenByTheMap() throws Exception {
        Map<String, Object> properties = Configs.properties(Sample.class, Map.of("max.size", "1", "extra", true));

        assertThat(properties).containsEntry("max.size", "1").containsEntry("name", "none").containsEntry("extra", true)
                .doesNotContainKey("timeout");
        assertThat(Configs.propertyName(Prefixed.class, Prefixed.class.getMethod("name"))).isEqualTo("switchboard.module.name");
        assertThat(Configs.propertyName(MaxSize.class, MaxSize.class.getMethod("value"))).isEqualTo("max.size");
    }
}
