package io.switchboard.observability.internal;

import java.io.IOException;
import java.io.OutputStream;
import java.util.List;

import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.switchboard.api.admin.BrokerAdmin;
import io.switchboard.api.admin.ClusterStatistics;
import io.switchboard.api.admin.TrafficStatistics;
import io.switchboard.store.StateStore;
import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletName;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletPattern;

/**
 * {@code GET /metrics}: the broker's, its modules' and the JVM's metrics in the Prometheus text format,
 * written by the Prometheus client. The component's own registry (not the client's static default one)
 * holds collectors that read the broker's existing counters when scraped; the core and the store are
 * optional, so the JVM metrics stay available while they restart.
 */
@Component(service = Servlet.class)
@HttpWhiteboardServletPattern(MetricsServlet.PATH)
@HttpWhiteboardServletName("switchboard-metrics")
public final class MetricsServlet extends HttpServlet {

    static final String PATH = "/metrics";
    private static final long serialVersionUID = 1L;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile BrokerAdmin admin;
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile StateStore store;
    /** This node's view of its cluster, when the cluster bundle is configured. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile ClusterStatistics cluster;
    /** The front doors' traffic (the MQTT bundle registers one). */
    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    private volatile List<TrafficStatistics> frontDoors = List.of();

    private final transient PrometheusRegistry registry = new PrometheusRegistry();
    /**
     * The JVM metrics apart: the client's {@code JvmMetrics} keeps every registry it was registered with in a
     * static set (and its allocation metrics add listeners to the GC beans that are never removed), so the
     * registry it holds must not reference this bundle's classes, or every re-activation would pin them.
     */
    private final transient PrometheusRegistry jvm = new PrometheusRegistry();
    private final transient PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();

    /** Registers the collectors: the broker's counters, the modules', the front doors', the JVM's. */
    @Activate
    public MetricsServlet() {
        registry.register(new BrokerMetrics(() -> admin, () -> store));
        registry.register(new ModuleMetrics(() -> admin));
        registry.register(new TrafficMetrics(() -> admin, () -> frontDoors));
        registry.register(new ClusterMetrics(() -> cluster));
        JvmMetrics.builder().register(jvm);
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        response.setStatus(HttpServletResponse.SC_OK);
        response.setContentType(writer.getContentType());
        response.setHeader("Cache-Control", "no-store");
        try (OutputStream out = response.getOutputStream()) {
            MetricSnapshots.Builder all = MetricSnapshots.builder();
            registry.scrape().forEach(all::metricSnapshot);
            jvm.scrape().forEach(all::metricSnapshot);
            writer.write(out, all.build());
        }
    }
}
