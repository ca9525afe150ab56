package io.switchboard.console.internal;

import java.io.IOException;

import io.switchboard.api.admin.BrokerAdmin;
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
 * What the console polls ({@code GET}): {@code /console/api/overview} (counters, modules, chains, store),
 * {@code /console/api/history} (the sampler's rates) and {@code /console/api/sessions?q=&limit=}. Reads only. The
 * core and the store are optional: the overview says when the core is away.
 */
@Component(service = Servlet.class)
@HttpWhiteboardServletPattern({OverviewServlet.OVERVIEW, OverviewServlet.HISTORY, OverviewServlet.SESSIONS})
@HttpWhiteboardServletName("switchboard-console-overview")
public final class OverviewServlet extends HttpServlet {

    static final String OVERVIEW = "/console/api/overview";
    static final String HISTORY = "/console/api/history";
    static final String SESSIONS = "/console/api/sessions";
    static final int DEFAULT_SESSIONS = 200;
    static final int MAX_SESSIONS = 1000;
    private static final long serialVersionUID = 1L;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile BrokerAdmin admin;
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile StateStore store;

    private final transient Sampler sampler;
    private final transient Requests requests = new Requests();

    /** Activated by DS. */
    @Activate
    public OverviewServlet(@Reference Sampler sampler) {
        this.sampler = sampler;
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        BrokerAdmin a = admin;
        switch (request.getServletPath()) {
            case OVERVIEW -> requests.ok(response, Views.overview(a, store));
            case HISTORY -> requests.ok(response, Views.history(sampler.history()));
            case SESSIONS -> {
                if (a == null) {
                    requests.error(response, HttpServletResponse.SC_SERVICE_UNAVAILABLE, "the broker core is not running");
                    return;
                }
                requests.ok(response, Views.sessions(a.sessions(request.getParameter("q"), limit(request.getParameter("limit")))));
            }
            default -> requests.error(response, HttpServletResponse.SC_NOT_FOUND, "no such endpoint");
        }
    }

    /** The {@code limit} parameter, between 1 and {@value #MAX_SESSIONS}; {@value #DEFAULT_SESSIONS} when absent or bad. */
    static int limit(String parameter) {
        try {
            return parameter == null ? DEFAULT_SESSIONS : Math.max(1, Math.min(MAX_SESSIONS, Integer.parseInt(parameter.trim())));
        } catch (NumberFormatException e) {
            return DEFAULT_SESSIONS;
        }
    }
}
