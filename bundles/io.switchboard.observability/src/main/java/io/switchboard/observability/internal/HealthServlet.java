package io.switchboard.observability.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

import io.switchboard.api.admin.BrokerAdmin;
import io.switchboard.store.StateStore;
import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletName;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletPattern;

/**
 * {@code GET /health/live}: 200 while the framework runs (503 once it is stopping).
 * {@code GET /health/ready}: 200 when the broker can serve ({@link Readiness}), else 503; both with a JSON
 * body, the readiness one listing what is missing. The core and the store are optional references: their
 * absence is what readiness reports, not a reason for the endpoint to disappear.
 */
@Component(service = Servlet.class)
@HttpWhiteboardServletPattern(HealthServlet.PATTERN)
@HttpWhiteboardServletName("switchboard-health")
public final class HealthServlet extends HttpServlet {

    static final String PATTERN = "/health/*";
    private static final long serialVersionUID = 1L;

    private final transient BundleContext context;
    private final transient ServiceComponentRuntime scr;
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile BrokerAdmin admin;
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile StateStore store;

    /** Activated by DS. */
    @Activate
    public HealthServlet(BundleContext context, @Reference ServiceComponentRuntime scr) {
        this.context = context;
        this.scr = scr;
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String path = request.getPathInfo();
        if ("/live".equals(path)) {
            boolean live = context.getBundle(Constants.SYSTEM_BUNDLE_LOCATION).getState() == Bundle.ACTIVE;
            write(response, live, "{\"status\":" + Json.string(live ? "UP" : "DOWN") + "}");
        } else if ("/ready".equals(path)) {
            Readiness.Report report = Readiness.evaluate(store, admin, Listeners.of(scr));
            write(response, report.ready(), "{\"status\":" + Json.string(report.ready() ? "UP" : "DOWN")
                    + ",\"missing\":" + Json.strings(report.missing())
                    + ",\"listeners\":" + Json.booleans(report.listeners()) + "}");
        } else {
            response.sendError(HttpServletResponse.SC_NOT_FOUND, "/health/live or /health/ready");
        }
    }

    private static void write(HttpServletResponse response, boolean up, String json) throws IOException {
        response.setStatus(up ? HttpServletResponse.SC_OK : HttpServletResponse.SC_SERVICE_UNAVAILABLE);
        response.setContentType("application/json");
        response.setCharacterEncoding("UTF-8");
        response.setHeader("Cache-Control", "no-store");
        byte[] body = (json + "\n").getBytes(StandardCharsets.UTF_8);
        response.setContentLength(body.length);
        response.getOutputStream().write(body);
    }
}
