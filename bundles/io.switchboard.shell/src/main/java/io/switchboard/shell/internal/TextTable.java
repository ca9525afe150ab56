package io.switchboard.shell.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The shell's text formatting: a table with left- or right-aligned columns and optional note lines
 * under a row, aligned {@code name: value} lines, microseconds and durations. Every {@code sb}
 * command formats through this class.
 */
final class TextTable {

    private static final String GAP = "  ";
    private static final String NONE = "-";

    private final List<String> headers = new ArrayList<>();
    private final List<Boolean> rightAligned = new ArrayList<>();
    /** Rows ({@code String[]}) and notes ({@code String}) in order. */
    private final List<Object> lines = new ArrayList<>();

    /** Adds a left-aligned column (text). */
    TextTable left(String header) {
        headers.add(header);
        rightAligned.add(false);
        return this;
    }

    /** Adds a right-aligned column (numbers). */
    TextTable right(String header) {
        headers.add(header);
        rightAligned.add(true);
        return this;
    }

    /** Adds a row, one cell per column; {@code null} cells show as {@code -}. */
    TextTable row(Object... cells) {
        if (cells.length != headers.size()) {
            throw new IllegalArgumentException("row has " + cells.length + " cells, table has " + headers.size() + " columns");
        }
        String[] row = new String[cells.length];
        for (int i = 0; i < cells.length; i++) {
            row[i] = cells[i] == null ? NONE : oneLine(String.valueOf(cells[i]));
        }
        lines.add(row);
        return this;
    }

    /** Adds a line of free text under the last row, starting where the second column starts. */
    TextTable note(String text) {
        lines.add(oneLine(text));
        return this;
    }

    @Override
    public String toString() {
        int[] widths = new int[headers.size()];
        for (int i = 0; i < widths.length; i++) {
            widths[i] = headers.get(i).length();
        }
        for (Object line : lines) {
            if (line instanceof String[] row) {
                for (int i = 0; i < row.length; i++) {
                    widths[i] = Math.max(widths[i], row[i].length());
                }
            }
        }
        String noteIndent = widths.length > 1 ? " ".repeat(widths[0] + GAP.length()) : "";
        StringBuilder out = new StringBuilder();
        appendRow(out, headers.toArray(String[]::new), widths);
        for (Object line : lines) {
            out.append('\n');
            if (line instanceof String[] row) {
                appendRow(out, row, widths);
            } else {
                out.append(noteIndent).append(line);
            }
        }
        return out.toString();
    }

    private void appendRow(StringBuilder out, String[] cells, int[] widths) {
        int start = out.length();
        for (int i = 0; i < cells.length; i++) {
            if (i > 0) {
                out.append(GAP);
            }
            String padding = " ".repeat(widths[i] - cells[i].length());
            if (rightAligned.get(i)) {
                out.append(padding).append(cells[i]);
            } else {
                out.append(cells[i]).append(padding);
            }
        }
        int end = out.length();
        while (end > start && out.charAt(end - 1) == ' ') {
            end--;
        }
        out.setLength(end);
    }

    /** {@code name: value} lines with the values aligned, in the map's order. */
    static String pairs(Map<String, ?> values) {
        int width = values.keySet().stream().mapToInt(String::length).max().orElse(0) + 1;
        StringBuilder out = new StringBuilder();
        for (Map.Entry<String, ?> e : values.entrySet()) {
            if (out.length() > 0) {
                out.append('\n');
            }
            String label = e.getKey() + ":";
            out.append(label).append(" ".repeat(width - label.length() + 1))
                    .append(e.getValue() == null ? NONE : oneLine(String.valueOf(e.getValue())));
        }
        return out.toString();
    }

    /** Nanoseconds as microseconds with one decimal, e.g. {@code 12.3}. */
    static String micros(long nanos) {
        return micros(nanos / 1000.0);
    }

    /** Microseconds with one decimal, e.g. {@code 12.3}. */
    static String micros(double micros) {
        return String.format(Locale.ROOT, "%.1f", micros);
    }

    /** A duration for people: {@code 850ms}, {@code 42s}, {@code 3m 5s}, {@code 2h 0m 7s}, {@code 1d 4h 0m 0s}. */
    static String duration(long millis) {
        if (millis < 1000) {
            return Math.max(millis, 0) + "ms";
        }
        long seconds = millis / 1000;
        long days = seconds / 86_400;
        long hours = seconds / 3600 % 24;
        long minutes = seconds / 60 % 60;
        long secs = seconds % 60;
        if (days > 0) {
            return days + "d " + hours + "h " + minutes + "m " + secs + "s";
        }
        if (hours > 0) {
            return hours + "h " + minutes + "m " + secs + "s";
        }
        if (minutes > 0) {
            return minutes + "m " + secs + "s";
        }
        return secs + "s";
    }

    /** Text quoted with {@code '}, control characters escaped, so it fits on one line. */
    static String quoted(String text) {
        return text == null ? NONE : "'" + oneLine(text) + "'";
    }

    /** Escapes line breaks, tabs and other control characters so that a cell stays on its line. */
    private static String oneLine(String text) {
        StringBuilder out = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isISOControl(c)) {
                if (out == null) {
                    out = new StringBuilder(text.length() + 8).append(text, 0, i);
                }
                switch (c) {
                    case '\n' -> out.append("\\n");
                    case '\r' -> out.append("\\r");
                    case '\t' -> out.append("\\t");
                    default -> out.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                }
            } else if (out != null) {
                out.append(c);
            }
        }
        return out == null ? text : out.toString();
    }
}
