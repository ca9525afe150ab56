package io.switchboard.observability.internal;

import java.util.List;

import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;

/**
 * Builds the Prometheus client's snapshots of values read at scrape time. Counter names are given without
 * {@code _total}: the client's text format writer adds it.
 */
final class Snapshots {

    /** One value of a metric with its labels. */
    record Point(Labels labels, double value) {
    }

    private Snapshots() {
    }

    static CounterSnapshot counter(String name, String help, double value) {
        return counter(name, help, List.of(new Point(Labels.EMPTY, value)));
    }

    static CounterSnapshot counter(String name, String help, List<Point> points) {
        CounterSnapshot.Builder builder = CounterSnapshot.builder().name(name).help(help);
        for (Point p : points) {
            builder.dataPoint(CounterDataPointSnapshot.builder().labels(p.labels()).value(p.value()).build());
        }
        return builder.build();
    }

    static GaugeSnapshot gauge(String name, String help, double value) {
        return gauge(name, help, List.of(new Point(Labels.EMPTY, value)));
    }

    static GaugeSnapshot gauge(String name, String help, List<Point> points) {
        GaugeSnapshot.Builder builder = GaugeSnapshot.builder().name(name).help(help);
        for (Point p : points) {
            builder.dataPoint(GaugeDataPointSnapshot.builder().labels(p.labels()).value(p.value()).build());
        }
        return builder.build();
    }
}
