package io.switchboard.module.callpolicy.internal;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;
import org.apache.felix.service.command.annotations.GogoCommand;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

import io.switchboard.api.MessageModule;
import io.switchboard.module.callpolicy.internal.CallLog.CallView;
import io.switchboard.module.callpolicy.internal.CallPolicySettings.Window;

/**
 * The operator's commands, scope {@code callpolicy}: {@code callpolicy:calls} lists the recent calls
 * with caller, callee, state and duration; {@code callpolicy:dnd} lists the do-not-disturb hours and who
 * is in them now.
 */
@Component(service = CallPolicyCommands.class)
@GogoCommand(scope = "callpolicy", function = {"calls", "dnd"})
public class CallPolicyCommands {

    /** The call policy module of this bundle, when it is configured. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            target = "(component.name=" + CallPolicyModule.PID + ")")
    volatile MessageModule module;

    @Descriptor("lists the recent calls, newest first: set-up time, caller, callee, call id, state, duration")
    public String calls(
            @Descriptor("how many calls to show (default 20)") @Parameter(names = {"-n", "--last"}, absentValue = "20") int last) {
        if (last < 1) {
            throw new IllegalArgumentException("--last must be at least 1, got " + last);
        }
        CallPolicyModule policy = policy();
        return formatCalls(policy.calls(), last, policy.clock.instant(), policy.settings().zone());
    }

    @Descriptor("lists each user's do-not-disturb hours and whether they are in them now")
    public String dnd() {
        CallPolicyModule policy = policy();
        return formatDnd(policy.settings(), policy.clock.instant());
    }

    static String formatCalls(CallLog log, int last, Instant now, ZoneId zone) {
        List<CallView> calls = log.recent(last);
        if (calls.isEmpty()) {
            return "no calls yet";
        }
        DateTimeFormatter time = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss", Locale.ROOT).withZone(zone);
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"SET UP (" + zone.getId() + ")", "CALLER", "CALLEE", "CALL ID", "STATE", "DURATION"});
        for (CallView c : calls) {
            Duration d = c.duration(now);
            String state = c.reason() == null ? c.state() : c.state() + " (" + c.reason() + ")";
            rows.add(new String[] {time.format(c.setUp()), c.caller() == null ? "?" : c.caller(), c.callee(), c.callId(),
                    state, d == null ? "-" : format(d) + (c.ongoing() ? " (ongoing)" : "")});
        }
        return table(rows) + calls.size() + " of " + log.size() + " remembered call(s), newest first";
    }

    static String formatDnd(CallPolicySettings settings, Instant now) {
        Map<String, List<Window>> dnd = settings.dnd();
        if (dnd.isEmpty()) {
            return "no do-not-disturb hours configured (attribute dnd)";
        }
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"USER", "HOURS", "NOW"});
        dnd.forEach((user, windows) -> {
            Window active = settings.dndWindow(user, now);
            List<String> hours = windows.stream().map(Window::toString).toList();
            rows.add(new String[] {user, String.join(", ", hours),
                    active == null ? "takes calls" : "do not disturb until " + active.endText()});
        });
        return table(rows).stripTrailing();
    }

    /** {@code 1h 02m 03s}, {@code 2m 03s}, {@code 3s}. */
    static String format(Duration d) {
        long s = d.getSeconds();
        if (s >= 3600) {
            return String.format(Locale.ROOT, "%dh %02dm %02ds", s / 3600, s % 3600 / 60, s % 60);
        }
        return s >= 60 ? String.format(Locale.ROOT, "%dm %02ds", s / 60, s % 60) : s + "s";
    }

    private static String table(List<String[]> rows) {
        int[] widths = new int[rows.get(0).length];
        for (String[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                widths[i] = Math.max(widths[i], row[i].length());
            }
        }
        StringBuilder out = new StringBuilder();
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < row.length; i++) {
                line.append(row[i]);
                if (i < row.length - 1) {
                    line.append(" ".repeat(widths[i] - row[i].length() + 2));
                }
            }
            out.append(line.toString().stripTrailing()).append('\n');
        }
        return out.toString();
    }

    private CallPolicyModule policy() {
        MessageModule current = module;
        if (!(current instanceof CallPolicyModule policy) || policy.settings() == null) {
            throw new IllegalStateException("the call policy is not configured: write configadmin/" + CallPolicyModule.PID + ".cfg");
        }
        return policy;
    }
}
