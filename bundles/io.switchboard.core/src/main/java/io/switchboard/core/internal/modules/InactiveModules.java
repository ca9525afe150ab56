package io.switchboard.core.internal.modules;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.switchboard.api.MessageModule;
import io.switchboard.api.ModuleProperties;
import io.switchboard.api.admin.ChainEvent;
import io.switchboard.api.admin.ModuleCounters;
import io.switchboard.api.admin.ModuleInfo;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.FrameworkUtil;
import org.osgi.framework.namespace.PackageNamespace;
import org.osgi.framework.wiring.BundleCapability;
import org.osgi.framework.wiring.BundleRequirement;
import org.osgi.framework.wiring.BundleRevision;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.component.runtime.dto.ComponentConfigurationDTO;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;
import org.osgi.service.component.runtime.dto.UnsatisfiedReferenceDTO;

/**
 * Finds modules that are installed but not in the chain and says why in plain words: a bundle that
 * cannot resolve (typically built against another API major version), a stopped bundle, or a module
 * component that failed to activate or waits for its configuration or a service.
 */
public final class InactiveModules {

    private static final String API_PACKAGE = "io.switchboard.api";
    private static final ModuleCounters NO_COUNTS = new ModuleCounters(0, 0, 0, 0, 0, 0, 0, 0);
    private static final Pattern LOWER = Pattern.compile("\\(version>=([^)]+)\\)");
    private static final Pattern UPPER = Pattern.compile("\\(!\\(version>=([^)]+)\\)\\)");

    private InactiveModules() {
    }

    public static List<ModuleInfo> find(BundleContext context, ServiceComponentRuntime scr, List<ModuleInfo> active) {
        Set<String> activeBundles = new HashSet<>();
        active.forEach(m -> activeBundles.add(m.bundle()));
        List<ModuleInfo> found = new ArrayList<>();
        Bundle[] bundles = context.getBundles();
        Bundle apiBundle = FrameworkUtil.getBundle(MessageModule.class);
        for (Bundle b : bundles) {
            if (b.getBundleId() == 0 || b.equals(apiBundle) || activeBundles.contains(label(b))) {
                continue;
            }
            BundleRevision revision = b.adapt(BundleRevision.class);
            if (revision == null || !importsApi(revision)) {
                continue;
            }
            if (b.getState() == Bundle.INSTALLED) {
                found.add(inactive(b, b.getSymbolicName(), "UNRESOLVED", unresolvedReason(revision, bundles)));
            } else if (b.getState() == Bundle.RESOLVED) {
                found.add(inactive(b, b.getSymbolicName(), "STOPPED", "the bundle is resolved but not started"));
            }
        }
        if (scr != null) {
            for (ComponentDescriptionDTO d : scr.getComponentDescriptionDTOs()) {
                if (d.serviceInterfaces == null || !Arrays.asList(d.serviceInterfaces).contains(MessageModule.class.getName())) {
                    continue;
                }
                Bundle b = context.getBundle(d.bundle.id);
                if (b == null) {
                    continue;
                }
                if (!scr.isComponentEnabled(d)) {
                    found.add(inactive(b, d.name, "DISABLED", "its component is disabled (scr:enable " + d.name + ")"));
                    continue;
                }
                var configurations = scr.getComponentConfigurationDTOs(d);
                if (configurations.isEmpty() && "require".equals(d.configurationPolicy)) {
                    found.add(inactive(b, d.name, "UNSATISFIED", "waits for a configuration (PID "
                            + String.join(", ", d.configurationPid) + "): add configadmin/" + d.configurationPid[0]
                            + ".cfg, or " + d.configurationPid[0] + "-<name>.cfg for each instance of a factory"));
                }
                for (ComponentConfigurationDTO c : configurations) {
                    Object configured = c.properties == null ? null : c.properties.get(ModuleProperties.NAME);
                    String name = ModuleEntry.instanceName(configured == null ? d.name : configured.toString(),
                            c.properties == null ? null : c.properties.get(Constants.SERVICE_PID));
                    switch (c.state) {
                        case ComponentConfigurationDTO.FAILED_ACTIVATION -> found.add(inactive(b, name, "FAILED",
                                "activation failed: " + firstLine(c.failure)));
                        case ComponentConfigurationDTO.UNSATISFIED_REFERENCE -> found.add(inactive(b, name, "UNSATISFIED",
                                "waits for " + missing(c.unsatisfiedReferences)));
                        case ComponentConfigurationDTO.UNSATISFIED_CONFIGURATION -> found.add(inactive(b, name,
                                "UNSATISFIED", "waits for its configuration (PID " + String.join(", ", d.configurationPid) + ")"));
                        default -> {
                            // satisfied or active: it is in the chain
                        }
                    }
                }
            }
        }
        return found;
    }

    private static boolean importsApi(BundleRevision revision) {
        for (BundleRequirement r : revision.getDeclaredRequirements(PackageNamespace.PACKAGE_NAMESPACE)) {
            if (r.getDirectives().getOrDefault("filter", "").contains("(" + PackageNamespace.PACKAGE_NAMESPACE + "=" + API_PACKAGE)) {
                return true;
            }
        }
        return false;
    }

    /** The first package requirement no installed bundle satisfies, in plain words. */
    static String unresolvedReason(BundleRevision revision, Bundle[] bundles) {
        List<BundleCapability> exports = new ArrayList<>();
        for (Bundle b : bundles) {
            BundleRevision r = b.adapt(BundleRevision.class);
            if (r != null) {
                exports.addAll(r.getDeclaredCapabilities(PackageNamespace.PACKAGE_NAMESPACE));
            }
        }
        for (BundleRequirement req : revision.getDeclaredRequirements(PackageNamespace.PACKAGE_NAMESPACE)) {
            if (PackageNamespace.RESOLUTION_OPTIONAL.equals(req.getDirectives().get(PackageNamespace.REQUIREMENT_RESOLUTION_DIRECTIVE))) {
                continue;
            }
            String filter = req.getDirectives().getOrDefault("filter", "");
            if (exports.stream().anyMatch(req::matches)) {
                continue;
            }
            String pkg = packageOf(filter);
            List<String> provided = exports.stream()
                    .filter(c -> pkg.equals(c.getAttributes().get(PackageNamespace.PACKAGE_NAMESPACE)))
                    .map(c -> String.valueOf(c.getAttributes().get(PackageNamespace.CAPABILITY_VERSION_ATTRIBUTE)))
                    .distinct().toList();
            if (provided.isEmpty()) {
                return "needs package " + pkg + " " + range(filter) + ", which no installed bundle provides";
            }
            return "needs " + pkg + " " + range(filter) + " but this broker provides " + String.join(", ", provided)
                    + (pkg.startsWith(API_PACKAGE) ? " (built against an incompatible Switchboard API; rebuild the module against this API)" : "");
        }
        return "not resolved, though every package it imports is available (see the framework log)";
    }

    private static String packageOf(String filter) {
        Matcher m = Pattern.compile("\\(" + PackageNamespace.PACKAGE_NAMESPACE + "=([^)]+)\\)").matcher(filter);
        return m.find() ? m.group(1) : filter;
    }

    /** The version range of a package filter, as {@code [low,high)}. */
    static String range(String filter) {
        Matcher up = UPPER.matcher(filter);
        String upper = up.find() ? up.group(1) : null;
        Matcher low = LOWER.matcher(UPPER.matcher(filter).replaceAll(""));
        String lower = low.find() ? low.group(1) : null;
        if (lower == null) {
            return upper == null ? "(any version)" : "[0," + upper + ")";
        }
        return upper == null ? lower + " or later" : "[" + lower + "," + upper + ")";
    }

    private static String missing(UnsatisfiedReferenceDTO[] refs) {
        if (refs == null || refs.length == 0) {
            return "a required service";
        }
        List<String> names = new ArrayList<>();
        for (UnsatisfiedReferenceDTO r : refs) {
            names.add(r.name + (r.target == null ? "" : " " + r.target));
        }
        return "required service(s): " + String.join(", ", names);
    }

    private static String firstLine(String text) {
        if (text == null) {
            return "(no details)";
        }
        int nl = text.indexOf('\n');
        return (nl < 0 ? text : text.substring(0, nl)).trim();
    }

    private static String label(Bundle b) {
        return b.getSymbolicName() + " [" + b.getBundleId() + "]";
    }

    private static ModuleInfo inactive(Bundle b, String name, String state, String reason) {
        return new ModuleInfo(name, -1, 0, "-", "-", b.getVersion().toString(), label(b), state, reason,
                EnumSet.noneOf(ChainEvent.class), List.of(), "-", 0, NO_COUNTS);
    }
}
