package io.switchboard.module.callpolicy.internal;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.switchboard.api.ConfigReader;

/**
 * A checked {@link CallPolicyConfig}: immutable, built once per configuration change by
 * {@link #compile}, the only place where configuration values are validated.
 */
final class CallPolicySettings {

    /** The largest {@code history.size}. */
    static final int MAX_HISTORY = 100_000;

    private static final int MINUTES_PER_DAY = 24 * 60;
    /** {@code <user>:<HH:MM>-<HH:MM>[@<zone>]}; the user may contain ':' (the rest of the pattern is fixed). */
    private static final Pattern ENTRY = Pattern.compile("(.+?)\\s*:\\s*(\\d{1,2}):(\\d{2})\\s*-\\s*(\\d{1,2}):(\\d{2})(?:\\s*@\\s*(\\S+))?");

    /**
     * Do-not-disturb hours of one user: from {@code start} (inclusive) to {@code end} (exclusive), in
     * minutes of the day in {@code zone}; {@code end < start} crosses midnight, {@code end = 1440} is 24:00.
     */
    record Window(int start, int end, ZoneId zone) {

        /** Whether {@code now}, in this window's zone, falls inside it. */
        boolean contains(Instant now) {
            LocalTime local = LocalTime.ofInstant(now, zone);
            int minute = local.getHour() * 60 + local.getMinute();
            return start < end ? minute >= start && minute < end : minute >= start || minute < end;
        }

        /** The end as {@code HH:MM} ({@code 24:00} for midnight at the end of a day). */
        String endText() {
            return hhmm(end);
        }

        @Override
        public String toString() {
            return hhmm(start) + "-" + hhmm(end) + " " + zone.getId();
        }

        private static String hhmm(int minutes) {
            return String.format("%02d:%02d", minutes / 60, minutes % 60);
        }
    }

    private final Map<String, List<Window>> dnd;
    private final ZoneId zone;
    private final String reason;
    private final int historySize;
    private final int ranking;
    private final String name;

    private CallPolicySettings(Map<String, List<Window>> dnd, ZoneId zone, String reason, int historySize, int ranking,
            String name) {
        this.dnd = dnd;
        this.zone = zone;
        this.reason = reason;
        this.historySize = historySize;
        this.ranking = ranking;
        this.name = name;
    }

    /**
     * Reads and checks every attribute of {@code config} (whose component properties are {@code properties}).
     *
     * @throws IllegalArgumentException if a value is wrong; the message names the attribute, the value
     *         and what is expected, e.g. {@code "history.size: 'abc' is not an integer from 1 to 100000"}
     */
    static CallPolicySettings compile(Map<String, ?> properties, CallPolicyConfig config) {
        ConfigReader in = ConfigReader.of(properties);
        ZoneId zone = checkZone(in.text("time.zone", config::time_zone));
        Map<String, List<Window>> dnd = checkDnd(in.list("dnd", config::dnd), zone);
        String reason = in.text("dnd.reason", config::dnd_reason);
        if (reason.isEmpty()) {
            throw ConfigReader.invalid("dnd.reason", "is required: what a refused caller is told");
        }
        int historySize = in.integer("history.size", config::history_size, 1, MAX_HISTORY);
        int ranking = in.integer("service.ranking", config::service_ranking, Integer.MIN_VALUE, Integer.MAX_VALUE);
        String name = in.text("switchboard.module.name", config::switchboard_module_name);
        return new CallPolicySettings(dnd, zone, reason, historySize, ranking,
                name.isEmpty() ? CallPolicyModule.BASE_NAME : name);
    }

    /** The do-not-disturb window {@code user} is in at {@code now}, or {@code null}. */
    Window dndWindow(String user, Instant now) {
        List<Window> windows = user == null ? null : dnd.get(user);
        if (windows != null) {
            for (Window w : windows) {
                if (w.contains(now)) {
                    return w;
                }
            }
        }
        return null;
    }

    /** What a caller refused by {@code window} is told. */
    String reason(String callee, Window window) {
        return reason.replace("{callee}", callee).replace("{until}", window.endText());
    }

    /** Each user's do-not-disturb windows, in configuration order. */
    Map<String, List<Window>> dnd() {
        return dnd;
    }

    /** The zone of windows without their own, and of the times the shell shows. */
    ZoneId zone() {
        return zone;
    }

    int historySize() {
        return historySize;
    }

    int ranking() {
        return ranking;
    }

    String name() {
        return name;
    }

    @Override
    public String toString() {
        return "do not disturb " + dnd + ", zone " + zone.getId() + ", history " + historySize + ", ranking " + ranking;
    }

    // ---- validation: every message names the attribute first ----

    private static ZoneId checkZone(String value) {
        if (value.isEmpty()) {
            return ZoneId.systemDefault();
        }
        try {
            return ZoneId.of(value);
        } catch (DateTimeException e) {
            throw ConfigReader.invalid("time.zone", "'" + value + "' is not a time zone (e.g. Europe/Berlin, UTC, +02:00)");
        }
    }

    private static Map<String, List<Window>> checkDnd(List<String> entries, ZoneId defaultZone) {
        Map<String, List<Window>> dnd = new LinkedHashMap<>();
        for (String entry : entries) {
            Matcher m = ENTRY.matcher(entry);
            if (!m.matches()) {
                throw ConfigReader.invalid("dnd", "'" + entry + "' is not <user>:<HH:MM>-<HH:MM>[@<time zone>] (e.g. bob:22:00-07:00)");
            }
            String user = m.group(1);
            int start = minutes(entry, m.group(2), m.group(3), false);
            int end = minutes(entry, m.group(4), m.group(5), true);
            if (start == end) {
                throw ConfigReader.invalid("dnd", "'" + entry + "' is an empty window (for all day write 00:00-24:00)");
            }
            ZoneId zone = defaultZone;
            if (m.group(6) != null) {
                try {
                    zone = ZoneId.of(m.group(6));
                } catch (DateTimeException e) {
                    throw ConfigReader.invalid("dnd", "'" + entry + "': '" + m.group(6) + "' is not a time zone");
                }
            }
            dnd.computeIfAbsent(user, u -> new ArrayList<>()).add(new Window(start, end, zone));
        }
        Map<String, List<Window>> frozen = new LinkedHashMap<>();
        dnd.forEach((user, windows) -> frozen.put(user, List.copyOf(windows)));
        return Collections.unmodifiableMap(frozen);
    }

    /** {@code HH:MM} as minutes of the day; {@code 24:00} only as an end. */
    private static int minutes(String entry, String hours, String minutes, boolean end) {
        int h = Integer.parseInt(hours);
        int m = Integer.parseInt(minutes);
        if (end && h == 24 && m == 0) {
            return MINUTES_PER_DAY;
        }
        if (h > 23 || m > 59) {
            throw ConfigReader.invalid("dnd", "'" + entry + "': " + hours + ":" + minutes + " is not a time of day (00:00 to "
                    + (end ? "24:00" : "23:59") + ")");
        }
        return h * 60 + m;
    }
}
