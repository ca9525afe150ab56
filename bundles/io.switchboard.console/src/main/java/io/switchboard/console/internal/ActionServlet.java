package io.switchboard.console.internal;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import io.switchboard.api.Message;
import io.switchboard.api.admin.BrokerAdmin;
import io.switchboard.api.admin.TraceStep;
import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletName;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletPattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The console's actions ({@code POST}, JSON, with the console's header: see {@link Requests}):
 * {@code /console/api/trace} {@code {"topic","payload","from"}} runs {@link BrokerAdmin#trace} as {@code sb:trace}
 * does; {@code /console/api/modules} {@code {"module","enabled"}} switches a module as {@code sb:enable}/{@code
 * sb:disable} do.
 */
@Component(service = Servlet.class)
@HttpWhiteboardServletPattern({ActionServlet.TRACE, ActionServlet.MODULES})
@HttpWhiteboardServletName("switchboard-console-actions")
public final class ActionServlet extends HttpServlet {

    static final String TRACE = "/console/api/trace";
    static final String MODULES = "/console/api/modules";
    /** The user a trace's message comes from when the form names none, as {@code sb:trace} without {@code --from}. */
    static final String DEFAULT_FROM = "console";
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(ActionServlet.class);

    private final transient BrokerAdmin admin;
    private final transient Requests requests = new Requests();

    /** Activated by DS. */
    @Activate
    public ActionServlet(@Reference BrokerAdmin admin) {
        this.admin = admin;
    }

    @Override
    protected void doPost(HttpServletRequest request, HttpServletResponse response) throws IOException {
        Map<String, Object> body = requests.body(request, response);
        if (body == null) {
            return;
        }
        try {
            switch (request.getServletPath()) {
                case TRACE -> requests.ok(response, trace(body));
                case MODULES -> requests.ok(response, enable(body));
                default -> requests.error(response, HttpServletResponse.SC_NOT_FOUND, "no such endpoint");
            }
        } catch (IllegalArgumentException e) {
            requests.error(response, HttpServletResponse.SC_BAD_REQUEST, e.getMessage());
        }
    }

    private Map<String, Object> trace(Map<String, Object> body) {
        String topic = Requests.text(body, "topic").trim();
        if (topic.isEmpty()) {
            throw new IllegalArgumentException("a trace needs a topic");
        }
        String from = Requests.text(body, "from").trim();
        Message message = Message.builder(topic).payload(Requests.text(body, "payload"))
                .from(from.isEmpty() ? DEFAULT_FROM : from).build();
        List<TraceStep> steps = admin.trace(message);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("steps", Views.trace(steps));
        out.put("outcome", outcome(steps, message.payloadText()));
        return out;
    }

    /** In words, as {@code sb:trace} says it. */
    static String outcome(List<TraceStep> steps, String payload) {
        for (TraceStep s : steps) {
            String d = s.decision() == null ? "" : s.decision();
            if (d.toLowerCase(Locale.ROOT).startsWith("consume") || d.endsWith("→ consumed")) {
                return "consumed by " + s.module() + " (" + d + "); no subscriber would see it";
            }
        }
        String last = steps.isEmpty() ? payload : steps.get(steps.size() - 1).payloadAfter();
        return "passes the chain; subscribers would receive \"" + last + "\"";
    }

    private Map<String, Object> enable(Map<String, Object> body) {
        String module = Requests.text(body, "module").trim();
        Object enabled = body.get("enabled");
        if (module.isEmpty() || !(enabled instanceof Boolean on)) {
            throw new IllegalArgumentException("switching a module needs {\"module\": name, \"enabled\": true|false}");
        }
        admin.setEnabled(module, on);
        LOG.info("Module '{}' {} from the web console", module, on ? "enabled" : "disabled");
        return Map.of("module", module, "enabled", on);
    }
}
