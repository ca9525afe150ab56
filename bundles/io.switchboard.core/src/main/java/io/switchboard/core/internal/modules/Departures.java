package io.switchboard.core.internal.modules;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

import org.osgi.framework.Bundle;
import org.osgi.framework.Constants;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.service.cm.ConfigurationAdmin;

/**
 * Tells, when a module's service goes away, whether a successor is to be expected. The framework does not
 * say why a service unregisters, so the state around it decides:
 * <ul>
 * <li>its bundle is STOPPING: an update, a refresh, a stop or an uninstall; the first two always bring
 * the module back, and an uninstall may be the first half of replacing the jar by a newer one;</li>
 * <li>its bundle stays active and its configuration still exists: DS is re-creating the component for a
 * changed configuration (a deleted configuration is gone from Configuration Admin before DS hears of it).</li>
 * </ul>
 * Anything else (a deleted configuration, a service unregistered by hand) is a departure for good.
 */
final class Departures {

    private static final String COMPONENT_NAME = "component.name";

    private Departures() {
    }

    static boolean successorExpected(ServiceReference<?> ref, ConfigurationAdmin configAdmin) {
        Bundle bundle = ref.getBundle();
        if (bundle == null) {
            return false;
        }
        if (bundle.getState() == Bundle.STOPPING) {
            return true;
        }
        if (bundle.getState() != Bundle.ACTIVE || configAdmin == null) {
            return false;
        }
        // service.pid: the configurations the component had; component.name: its default PID, for a first
        // configuration given to a component that ran without one
        List<String> pids = new ArrayList<>();
        Object configured = ref.getProperty(Constants.SERVICE_PID);
        if (configured != null) {
            pids.addAll(strings(configured));
        }
        Object componentName = ref.getProperty(COMPONENT_NAME);
        if (componentName != null) {
            pids.add(componentName.toString());
        }
        return configurationExists(pids, configAdmin);
    }

    private static boolean configurationExists(List<String> pids, ConfigurationAdmin configAdmin) {
        for (String pid : pids) {
            try {
                if (configAdmin.listConfigurations("(" + Constants.SERVICE_PID + "=" + escape(pid) + ")") != null) {
                    return true;
                }
            } catch (IOException | InvalidSyntaxException | IllegalStateException e) {
                // Configuration Admin is going away or the PID cannot be looked up: not a re-creation we can prove
            }
        }
        return false;
    }

    private static List<String> strings(Object value) {
        List<String> out = new ArrayList<>();
        if (value instanceof String[] array) {
            out.addAll(List.of(array));
        } else if (value instanceof Collection<?> items) {
            items.forEach(i -> out.add(String.valueOf(i)));
        } else {
            out.add(value.toString());
        }
        return out;
    }

    private static String escape(String value) {
        return value.replace("\\", "\\\\").replace("*", "\\*").replace("(", "\\(").replace(")", "\\)");
    }
}
