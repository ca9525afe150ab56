package io.switchboard.console.internal;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

import io.switchboard.api.MessageModule;
import io.switchboard.api.admin.BrokerAdmin;
import io.switchboard.api.admin.ModuleInfo;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.metatype.MetaTypeInformation;
import org.osgi.service.metatype.MetaTypeService;
import org.osgi.service.metatype.ObjectClassDefinition;

/**
 * Which configurations the console offers as forms: for each registered module, the configurations its service
 * was made from ({@code service.pid}: a factory configuration's {@code factoryPid~name}) described by its bundle's
 * metatype; a module made from no configuration offers its bundle's singleton PIDs, saved as new configurations.
 * Only these may be written from the console.
 */
final class ConfigTargets {

    /** The property FileInstall puts on the configurations it read from a file. */
    static final String FILEINSTALL_FILENAME = "felix.fileinstall.filename";

    /**
     * One form's target.
     *
     * @param module the module (as the broker lists it)
     * @param pid the configuration's PID
     * @param factoryPid its factory PID, or {@code null}
     * @param configuration the configuration, or {@code null} when saving creates it
     * @param ocd what its properties are
     */
    record Target(ModuleInfo module, String pid, String factoryPid, Configuration configuration, ObjectClassDefinition ocd) {
    }

    private final BundleContext context;
    private final ConfigurationAdmin configAdmin;
    private final MetaTypeService metatype;

    ConfigTargets(BundleContext context, ConfigurationAdmin configAdmin, MetaTypeService metatype) {
        this.context = context;
        this.configAdmin = configAdmin;
        this.metatype = metatype;
    }

    List<Target> all(BrokerAdmin admin) throws IOException {
        List<Target> out = new ArrayList<>();
        for (ModuleInfo module : admin.modules()) {
            if (module.serviceId() < 0) {
                continue;
            }
            ServiceReference<MessageModule> ref = reference(module.serviceId());
            Bundle bundle = ref == null ? null : ref.getBundle();
            MetaTypeInformation info = bundle == null ? null : metatype.getMetaTypeInformation(bundle);
            if (info == null) {
                continue;
            }
            List<String> pids = ConfigForms.strings(ref.getProperty(Constants.SERVICE_PID) == null ? List.of()
                    : ref.getProperty(Constants.SERVICE_PID));
            boolean found = false;
            for (String pid : pids) {
                Configuration c = configuration(pid);
                if (c != null) {
                    String ocdId = c.getFactoryPid() != null ? c.getFactoryPid() : pid;
                    ObjectClassDefinition ocd = ocd(info, ocdId);
                    if (ocd != null) {
                        out.add(new Target(module, pid, c.getFactoryPid(), c, ocd));
                        found = true;
                    }
                }
            }
            if (!found) {
                for (String pid : nonNull(info.getPids())) {
                    ObjectClassDefinition ocd = ocd(info, pid);
                    if (ocd != null) {
                        out.add(new Target(module, pid, null, configuration(pid), ocd));
                    }
                }
            }
        }
        return out;
    }

    /** The target of {@code module}'s configuration {@code pid}, or {@code null} when the console offers none such. */
    Target find(BrokerAdmin admin, String module, String pid) throws IOException {
        for (Target t : all(admin)) {
            if (t.module().name().equals(module) && t.pid().equals(pid)) {
                return t;
            }
        }
        return null;
    }

    /** Writes {@code properties} to the target's configuration, creating a singleton one if there is none yet. */
    void save(Target target, java.util.Dictionary<String, Object> properties) throws IOException {
        Configuration c = target.configuration() != null ? target.configuration()
                : configAdmin.getConfiguration(target.pid(), "?");
        c.update(properties);
    }

    private ServiceReference<MessageModule> reference(long serviceId) {
        try {
            Collection<ServiceReference<MessageModule>> refs = context.getServiceReferences(MessageModule.class,
                    "(" + Constants.SERVICE_ID + "=" + serviceId + ")");
            return refs.isEmpty() ? null : refs.iterator().next();
        } catch (InvalidSyntaxException e) {
            throw new IllegalStateException(e); // a number: cannot happen
        }
    }

    private Configuration configuration(String pid) throws IOException {
        try {
            Configuration[] found = configAdmin.listConfigurations("(" + Constants.SERVICE_PID + "=" + ldap(pid) + ")");
            return found == null || found.length == 0 ? null : found[0];
        } catch (InvalidSyntaxException e) {
            throw new IllegalStateException(e); // escaped: cannot happen
        }
    }

    private static ObjectClassDefinition ocd(MetaTypeInformation info, String id) {
        try {
            return info.getObjectClassDefinition(id, null);
        } catch (IllegalArgumentException notThere) {
            return null;
        }
    }

    /** {@code value} escaped for an LDAP filter. */
    static String ldap(String value) {
        StringBuilder out = new StringBuilder(value.length());
        for (char c : value.toCharArray()) {
            if (c == '\\' || c == '*' || c == '(' || c == ')') {
                out.append('\\');
            }
            out.append(c);
        }
        return out.toString();
    }

    private static String[] nonNull(String[] values) {
        return values == null ? new String[0] : values;
    }
}
