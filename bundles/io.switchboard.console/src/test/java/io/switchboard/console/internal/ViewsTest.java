package io.switchboard.console.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.EnumSet;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.switchboard.api.admin.ChainEvent;
import io.switchboard.api.admin.ModuleCounters;
import io.switchboard.api.admin.ModuleInfo;
import io.switchboard.api.admin.TraceStep;
import org.junit.jupiter.api.Test;

/** User-controlled text (module names, reasons, payloads) in the JSON: escaped, and read back unchanged. */
class ViewsTest {

    private static final String HOSTILE = "</script><img src=x onerror=alert(1)> \"quoted\" \\ \u2028 \n\u0001";

    private final Requests requests = new Requests();

    @Test
    void hostileTextIsEscapedInTheJsonAndReadBackUnchanged() throws Exception {
        ModuleInfo m = new ModuleInfo(HOSTILE, 7, 100, "FILTER", "GA", "1.0.0", "b [3]", "DISABLED", HOSTILE,
                EnumSet.of(ChainEvent.MESSAGE), List.of("a/#"), "FAIL_OPEN", 200, new ModuleCounters(4, 1, 1, 1, 1, 0, 8000, 5000));
        Map<String, Object> view = Views.module(m);
        String json = requests.encode(view);

        assertThat(json).doesNotContain("\n").doesNotContain("\u0001").contains("\\\"quoted\\\"").contains("\\\\");
        @SuppressWarnings("unchecked")
        Map<String, Object> back = new ObjectMapper().readValue(json, Map.class);
        assertThat(back.get("name")).isEqualTo(HOSTILE);
        assertThat(back.get("reason")).isEqualTo(HOSTILE);
        assertThat(back).containsEntry("meanMicros", 2.0).containsEntry("maxMicros", 5.0).containsEntry("calls", 4)
                .containsEntry("events", List.of("MESSAGE"));
    }

    @Test
    void traceStepsInMicroseconds() {
        assertThat(Views.trace(List.of(new TraceStep("profanity:default", "replace", 12_500, "****"))))
                .containsExactly(Map.of("module", "profanity:default", "decision", "replace", "micros", 12.5, "payloadAfter", "****"));
    }

    @Test
    void onlyJsonPostsWithTheConsolesHeaderMayChangeState() {
        assertThat(Requests.fromConsole("1", "application/json")).isTrue();
        assertThat(Requests.fromConsole("1", "Application/JSON; charset=UTF-8")).isTrue();
        assertThat(Requests.fromConsole(null, "application/json")).as("no header: a cross-site fetch without preflight").isFalse();
        assertThat(Requests.fromConsole("1", "application/x-www-form-urlencoded")).as("an HTML form").isFalse();
        assertThat(Requests.fromConsole("1", "text/plain")).isFalse();
        assertThat(Requests.fromConsole("1", null)).isFalse();
        assertThat(Requests.fromConsole("0", "application/json")).isFalse();
    }

    @Test
    void traceOutcomeInWords() {
        assertThat(ActionServlet.outcome(List.of(new TraceStep("p", "replace", 1, "****")), "darn"))
                .isEqualTo("passes the chain; subscribers would receive \"****\"");
        assertThat(ActionServlet.outcome(List.of(new TraceStep("a", "pass", 1, "x"), new TraceStep("p", "consume (rude)", 1, "x")), "x"))
                .startsWith("consumed by p");
        assertThat(ActionServlet.outcome(List.of(), "hi")).isEqualTo("passes the chain; subscribers would receive \"hi\"");
    }

    @Test
    void sessionLimitIsBounded() {
        assertThat(OverviewServlet.limit(null)).isEqualTo(OverviewServlet.DEFAULT_SESSIONS);
        assertThat(OverviewServlet.limit("x")).isEqualTo(OverviewServlet.DEFAULT_SESSIONS);
        assertThat(OverviewServlet.limit("0")).isEqualTo(1);
        assertThat(OverviewServlet.limit("5")).isEqualTo(5);
        assertThat(OverviewServlet.limit("100000")).isEqualTo(OverviewServlet.MAX_SESSIONS);
    }
}
