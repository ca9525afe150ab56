package io.switchboard.console.internal;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.switchboard.api.admin.BrokerAdmin;
import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.osgi.framework.BundleContext;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.MetaTypeService;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletName;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletPattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The modules' configurations as forms ({@code GET /console/api/config}: {@link ConfigTargets}, fields by {@link
 * ConfigForms}) and saving one ({@code POST} {@code {"module","pid","values":{id: text | [texts]}}} with the
 * console's header): converted by {@link ConfigValues} and written through Configuration Admin, which updates the
 * module live. Whether the module took it shows in its state and reason (a rejected configuration's problem).
 */
@Component(service = Servlet.class)
@HttpWhiteboardServletPattern(ConfigServlet.PATH)
@HttpWhiteboardServletName("switchboard-console-config")
public final class ConfigServlet extends HttpServlet {

    static final String PATH = "/console/api/config";
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(ConfigServlet.class);

    private final transient BrokerAdmin admin;
    private final transient ConfigTargets targets;
    private final transient Requests requests = new Requests();

    /** Activated by DS. */
    @Activate
    public ConfigServlet(BundleContext context, @Reference BrokerAdmin admin, @Reference ConfigurationAdmin configAdmin,
            @Reference MetaTypeService metatype) {
        this.admin = admin;
        this.targets = new ConfigTargets(context, configAdmin, metatype);
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        List<Object> forms = new ArrayList<>();
        for (ConfigTargets.Target t : targets.all(admin)) {
            Dictionary<String, Object> current = t.configuration() == null ? null : t.configuration().getProperties();
            Map<String, Object> form = new LinkedHashMap<>();
            form.put("module", t.module().name());
            form.put("state", t.module().state());
            form.put("reason", t.module().reason());
            form.put("pid", t.pid());
            form.put("factoryPid", t.factoryPid());
            form.put("exists", current != null);
            form.put("file", current == null ? null : current.get(ConfigTargets.FILEINSTALL_FILENAME));
            form.put("title", t.ocd().getName());
            form.put("description", t.ocd().getDescription());
            form.put("fields", ConfigForms.fields(t.ocd(), current));
            forms.add(form);
        }
        requests.ok(response, Map.of("forms", forms));
    }

    @Override
    protected void doPost(HttpServletRequest request, HttpServletResponse response) throws IOException {
        Map<String, Object> body = requests.body(request, response);
        if (body == null) {
            return;
        }
        String module = Requests.text(body, "module");
        String pid = Requests.text(body, "pid");
        ConfigTargets.Target target = targets.find(admin, module, pid);
        if (target == null) {
            requests.error(response, HttpServletResponse.SC_NOT_FOUND, "module '" + module + "' has no configuration '" + pid
                    + "' the console can edit");
            return;
        }
        if (!(body.get("values") instanceof Map<?, ?> raw)) {
            requests.error(response, HttpServletResponse.SC_BAD_REQUEST, "the request needs \"values\": {attribute: value}");
            return;
        }
        Map<String, Object> values = new LinkedHashMap<>();
        raw.forEach((k, v) -> values.put(String.valueOf(k), v));
        Dictionary<String, Object> properties;
        try {
            properties = ConfigValues.merge(target.ocd(), target.configuration() == null ? null
                    : target.configuration().getProperties(), values);
        } catch (IllegalArgumentException e) {
            requests.error(response, HttpServletResponse.SC_BAD_REQUEST, e.getMessage());
            return;
        }
        targets.save(target, properties);
        LOG.info("Configuration {} of module '{}' saved from the web console", pid, module);
        requests.ok(response, Map.of("saved", pid));
    }
}
