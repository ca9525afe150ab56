package io.switchboard.shell.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

class TextTableTest {

    @Test
    void alignsTextLeftAndNumbersRightWithNotesUnderTheSecondColumn() {
        String table = new TextTable().right("N").left("NAME").right("CALLS")
                .row(100, "profanity", 12345L)
                .note("needs io.switchboard.api [2.0,3)")
                .row(0, "log", null)
                .toString();

        assertThat(table).isEqualTo("""
                  N  NAME       CALLS
                100  profanity  12345
                     needs io.switchboard.api [2.0,3)
                  0  log            -""");
    }

    @Test
    void keepsEveryCellOnItsLine() {
        String table = new TextTable().left("A").left("B").row("one\ntwo", "tab\there").toString();

        assertThat(table).isEqualTo("A         B\none\\ntwo  tab\\there");
    }

    @Test
    void refusesRowsOfTheWrongWidth() {
        assertThatThrownBy(() -> new TextTable().left("A").row("x", "y"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("2 cells, table has 1 columns");
    }

    @Test
    void alignsPairValues() {
        Map<String, Object> values = new LinkedHashMap<>();
        values.put("uptime", "3m 5s");
        values.put("subscriptions", 7);
        values.put("x", null);

        assertThat(TextTable.pairs(values)).isEqualTo("""
                uptime:        3m 5s
                subscriptions: 7
                x:             -""");
    }

    @Test
    void formatsDurationsForPeople() {
        assertThat(TextTable.duration(850)).isEqualTo("850ms");
        assertThat(TextTable.duration(42_000)).isEqualTo("42s");
        assertThat(TextTable.duration(185_000)).isEqualTo("3m 5s");
        assertThat(TextTable.duration(7_207_000)).isEqualTo("2h 0m 7s");
        assertThat(TextTable.duration(100_800_000)).isEqualTo("1d 4h 0m 0s");
    }

    @Test
    void formatsMicrosecondsWithOneDecimal() {
        assertThat(TextTable.micros(12_345L)).isEqualTo("12.3");
        assertThat(TextTable.micros(0.05)).isEqualTo("0.1");
    }
}
