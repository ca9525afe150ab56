package io.switchboard.itest.mqtt.support;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A strict reader of the Prometheus text exposition format 0.0.4, for checking what {@code /metrics} serves.
 * The Prometheus Java client 1.10.0 writes this format but has no parser for it, so this checks the grammar
 * line by line and fails on anything else: {@code # HELP} and {@code # TYPE} lines, samples
 * {@code name{label="value",...} value} with legal names, escapes and numbers, every sample belonging to the
 * family TYPE declared just before it (with the suffixes its type allows), no family declared twice and no
 * series twice.
 */
public final class PrometheusText {

    private static final String NAME = "[a-zA-Z_:][a-zA-Z0-9_:]*";
    private static final String LABEL_NAME = "[a-zA-Z_][a-zA-Z0-9_]*";
    private static final String LABEL_VALUE = "\"(?:[^\"\\\\\\n]|\\\\[\\\\\"n])*\"";
    private static final String LABEL = LABEL_NAME + "=" + LABEL_VALUE;
    private static final String NUMBER = "(?:[+-]?(?:\\d+\\.?\\d*(?:[eE][+-]?\\d+)?|\\.\\d+(?:[eE][+-]?\\d+)?)|[+-]?Inf|NaN)";
    private static final Pattern HELP = Pattern.compile("# HELP (" + NAME + ") (.*)");
    private static final Pattern TYPE = Pattern.compile("# TYPE (" + NAME + ") (counter|gauge|summary|histogram|untyped)");
    private static final Pattern SAMPLE = Pattern.compile("(" + NAME + ")(\\{(?:" + LABEL + "(?:," + LABEL + ")*,?)?\\})? ("
            + NUMBER + ")(?: -?\\d+)?");
    private static final Map<String, Set<String>> SUFFIXES = Map.of(
            "counter", Set.of(""), // the family's TYPE name carries _total already
            "gauge", Set.of(""),
            "untyped", Set.of(""),
            "summary", Set.of("", "_count", "_sum", "_created"),
            "histogram", Set.of("_bucket", "_count", "_sum", "_created"));

    private PrometheusText() {
    }

    /**
     * Every series ({@code name} or {@code name{labels}} exactly as written) with its value.
     *
     * @throws AssertionError naming the line that breaks the format
     */
    public static Map<String, Double> parse(String body) {
        Map<String, Double> series = new LinkedHashMap<>();
        Map<String, String> types = new HashMap<>();
        String family = null;
        int number = 0;
        if (!body.isEmpty() && !body.endsWith("\n")) {
            throw new AssertionError("the exposition does not end with a line feed");
        }
        for (String line : body.split("\n", -1)) {
            number++;
            if (line.isEmpty() && number == body.split("\n", -1).length) {
                break; // after the last line feed
            }
            Matcher m;
            if ((m = HELP.matcher(line)).matches()) {
                continue;
            }
            if ((m = TYPE.matcher(line)).matches()) {
                if (types.put(m.group(1), m.group(2)) != null) {
                    throw new AssertionError("line " + number + ": family " + m.group(1) + " declared twice");
                }
                family = m.group(1);
                continue;
            }
            if (!(m = SAMPLE.matcher(line)).matches()) {
                throw new AssertionError("line " + number + " is not in the text format: '" + line + "'");
            }
            String name = m.group(1);
            if (family == null || !name.startsWith(family)
                    || !SUFFIXES.get(types.get(family)).contains(name.substring(family.length()))) {
                throw new AssertionError("line " + number + ": sample " + name + " outside its family (last TYPE: "
                        + family + " " + (family == null ? "" : types.get(family)) + ")");
            }
            String key = name + (m.group(2) == null ? "" : m.group(2));
            double value = switch (m.group(3)) {
                case "+Inf", "Inf" -> Double.POSITIVE_INFINITY;
                case "-Inf" -> Double.NEGATIVE_INFINITY;
                default -> Double.parseDouble(m.group(3));
            };
            if (series.put(key, value) != null) {
                throw new AssertionError("line " + number + ": series " + key + " twice");
            }
        }
        return series;
    }
}
