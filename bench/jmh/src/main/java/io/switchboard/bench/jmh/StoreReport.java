package io.switchboard.bench.jmh;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The store engine benchmarks' JMH results (bench/jmh/run-store) as a Markdown table for docs/store.md:
 * per benchmark and parameters, the median of the forks' scores (a fork's score is the mean of its
 * measurement iterations) and their spread (lowest and highest fork). The forks of the same benchmark
 * and parameters in several files (runs at different times) are pooled.
 *
 * <pre>java -cp benchmarks.jar io.switchboard.bench.jmh.StoreReport result.json...</pre>
 */
public final class StoreReport {

    /** One benchmark and parameter combination: the score of each fork. */
    record Row(String benchmark, Map<String, String> params, String unit, List<Double> forks) {

        double median() {
            List<Double> sorted = forks.stream().sorted().toList();
            int n = sorted.size();
            return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
        }

        double min() {
            return forks.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
        }

        double max() {
            return forks.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
        }

        String markdown() {
            List<String> parts = new ArrayList<>();
            params.forEach((k, v) -> parts.add(k + "=" + v));
            String name = benchmark.substring(benchmark.lastIndexOf('.', benchmark.lastIndexOf('.') - 1) + 1);
            return String.format(Locale.ROOT, "| %s | %s | %s | %s – %s | %s | %d |", name, String.join(", ", parts),
                    number(median()), number(min()), number(max()), unit, forks.size());
        }
    }

    private StoreReport() {
    }

    public static void main(String[] args) throws IOException {
        System.out.println("| benchmark | params | median | spread (forks) | unit | forks |");
        System.out.println("|---|---|---:|---:|---|---:|");
        List<Row> rows = new ArrayList<>();
        for (String file : args) {
            rows.addAll(read(Files.readString(Path.of(file), StandardCharsets.UTF_8)));
        }
        for (Row row : pool(rows)) {
            System.out.println(row.markdown());
        }
    }

    /** The rows with the forks of equal benchmarks and parameters together, in the order first seen. */
    static List<Row> pool(List<Row> rows) {
        Map<String, Row> pooled = new LinkedHashMap<>();
        for (Row row : rows) {
            pooled.merge(row.benchmark() + " " + row.params(), row, (a, b) -> {
                List<Double> forks = new ArrayList<>(a.forks());
                forks.addAll(b.forks());
                return new Row(a.benchmark(), a.params(), a.unit(), forks);
            });
        }
        return new ArrayList<>(pooled.values());
    }

    @SuppressWarnings("unchecked")
    static List<Row> read(String json) {
        List<Object> runs;
        try {
            runs = new ObjectMapper().readValue(json, List.class);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException("not a JMH result file: " + e.getOriginalMessage(), e);
        }
        List<Row> rows = new ArrayList<>();
        for (Object item : runs) {
            Map<String, Object> run = (Map<String, Object>) item;
            Map<String, Object> primary = (Map<String, Object>) run.get("primaryMetric");
            List<Double> forks = new ArrayList<>();
            for (List<Number> iterations : (List<List<Number>>) primary.get("rawData")) {
                forks.add(iterations.stream().mapToDouble(Number::doubleValue).average().orElse(Double.NaN));
            }
            Map<String, String> params = run.get("params") == null ? Map.of() : (Map<String, String>) run.get("params");
            rows.add(new Row((String) run.get("benchmark"), params, (String) primary.get("scoreUnit"), forks));
        }
        return rows;
    }

    /** Three significant digits, thousands separated: 1,234,567 → 1,230,000; 12.345 → 12.3. */
    static String number(double value) {
        if (Double.isNaN(value)) {
            return "-";
        }
        if (value == 0) {
            return "0";
        }
        int digits = (int) Math.floor(Math.log10(Math.abs(value))) + 1;
        double scale = Math.pow(10, digits - 3);
        double rounded = Math.round(value / scale) * scale;
        return digits >= 3 ? String.format(Locale.ROOT, "%,.0f", rounded)
                : String.format(Locale.ROOT, "%." + (3 - digits) + "f", rounded);
    }
}
