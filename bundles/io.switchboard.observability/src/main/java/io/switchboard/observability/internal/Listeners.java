package io.switchboard.observability.internal;

import java.util.ArrayList;
import java.util.List;

import org.osgi.framework.Constants;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.component.runtime.dto.ComponentConfigurationDTO;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;

/**
 * The MQTT listeners as Declarative Services knows them: one configuration of the component
 * {@value #COMPONENT} per listener file, ACTIVE once its socket is bound (its activation binds, and fails
 * when it cannot). Read through {@link ServiceComponentRuntime}, so the MQTT bundle needs no new service;
 * the properties read ({@code name}, {@code mandatory.modules}) are the listener configuration's, documented
 * in the MQTT bundle's README.
 */
final class Listeners {

    /** The MQTT listener component's name (and factory PID). */
    static final String COMPONENT = "io.switchboard.mqtt.listener";
    static final String MANDATORY_MODULES = "mandatory.modules";

    /**
     * One listener.
     *
     * @param name its name ({@code name}, else the {@code <name>} of {@code <factoryPid>~<name>})
     * @param listening whether its component is active (its socket bound)
     * @param problem why it is not listening (the activation's failure or the component's state); empty when it is
     * @param mandatoryModules the modules it requires before it admits clients
     */
    record Listener(String name, boolean listening, String problem, List<String> mandatoryModules) {
    }

    private Listeners() {
    }

    /** Every configured listener. */
    static List<Listener> of(ServiceComponentRuntime scr) {
        List<Listener> out = new ArrayList<>();
        for (ComponentDescriptionDTO description : scr.getComponentDescriptionDTOs()) {
            if (COMPONENT.equals(description.name)) {
                for (ComponentConfigurationDTO configuration : scr.getComponentConfigurationDTOs(description)) {
                    out.add(from(configuration));
                }
            }
        }
        return out;
    }

    static Listener from(ComponentConfigurationDTO c) {
        boolean listening = c.state == ComponentConfigurationDTO.ACTIVE;
        String problem = listening ? "" : c.failure != null && !c.failure.isBlank() ? firstLine(c.failure) : state(c.state);
        return new Listener(name(c), listening, problem, ConfigLists.of(c.properties.get(MANDATORY_MODULES)));
    }

    private static String name(ComponentConfigurationDTO c) {
        Object name = c.properties.get("name");
        if (name instanceof String n && !n.isBlank()) {
            return n.trim();
        }
        Object pid = c.properties.get(Constants.SERVICE_PID);
        if (pid instanceof String p && p.startsWith(COMPONENT + "~")) {
            return p.substring(COMPONENT.length() + 1);
        }
        return String.valueOf(pid);
    }

    private static String firstLine(String text) {
        int end = text.indexOf('\n');
        return (end < 0 ? text : text.substring(0, end)).trim();
    }

    private static String state(int state) {
        return switch (state) {
            case ComponentConfigurationDTO.UNSATISFIED_CONFIGURATION -> "its configuration is not satisfied";
            case ComponentConfigurationDTO.UNSATISFIED_REFERENCE -> "a service it needs (the MQTT protocol, the core) is missing";
            case ComponentConfigurationDTO.SATISFIED -> "not active (its activation failed, e.g. the port is taken, or is pending; the log says which)";
            case ComponentConfigurationDTO.FAILED_ACTIVATION -> "its activation failed";
            default -> "state " + state;
        };
    }
}
