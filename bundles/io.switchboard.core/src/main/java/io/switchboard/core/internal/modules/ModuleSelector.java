package io.switchboard.core.internal.modules;

import java.util.List;
import java.util.stream.Collectors;

import org.osgi.framework.Bundle;
import org.osgi.framework.Version;

/**
 * Finds the one module an operator names: {@code name}, or {@code name@qualifier} when several modules
 * share the name (two versions of a bundle side by side), the qualifier being the bundle's version, its
 * id or its symbolic name. An ambiguous or unknown name is refused with the candidates, never guessed.
 */
final class ModuleSelector {

    private ModuleSelector() {
    }

    static ModuleEntry select(String selector, Chains chains) {
        List<ModuleEntry> live = chains.all().stream().filter(e -> e.vacancy == null).toList();
        List<ModuleEntry> named = live.stream().filter(e -> e.name().equals(selector)).toList();
        if (named.size() == 1) {
            return named.get(0);
        }
        if (named.size() > 1) {
            throw new IllegalArgumentException(ambiguous(selector, named, chains));
        }
        int at = selector.lastIndexOf('@');
        if (at > 0) {
            String name = selector.substring(0, at);
            String qualifier = selector.substring(at + 1);
            List<ModuleEntry> candidates = live.stream().filter(e -> e.name().equals(name)).toList();
            List<ModuleEntry> chosen = candidates.stream().filter(e -> qualifies(e.bundle, qualifier)).toList();
            if (chosen.size() == 1) {
                return chosen.get(0);
            }
            if (chosen.size() > 1) {
                throw new IllegalArgumentException(ambiguous(selector, chosen, chains));
            }
            if (!candidates.isEmpty()) {
                throw new IllegalArgumentException("no module '" + name + "' matches '" + qualifier + "'; candidates: "
                        + labels(candidates, chains));
            }
        }
        throw new IllegalArgumentException("no module named '" + selector + "'; modules: "
                + live.stream().map(ModuleEntry::name).distinct().sorted().toList());
    }

    private static boolean qualifies(Bundle bundle, String qualifier) {
        if (qualifier.equals(Long.toString(bundle.getBundleId())) || qualifier.equals(bundle.getSymbolicName())) {
            return true;
        }
        try {
            return Version.parseVersion(qualifier).equals(bundle.getVersion());
        } catch (IllegalArgumentException notAVersion) {
            return false;
        }
    }

    private static String ambiguous(String selector, List<ModuleEntry> candidates, Chains chains) {
        return "'" + selector + "' names " + candidates.size() + " modules; choose one: " + labels(candidates, chains);
    }

    /** {@code name@version (bundle bsn [id], STATE)}, with the bundle id instead when versions repeat. */
    private static String labels(List<ModuleEntry> candidates, Chains chains) {
        long versions = candidates.stream().map(e -> e.bundle.getVersion()).distinct().count();
        return candidates.stream().map(e -> {
            String qualifier = versions == candidates.size() ? e.bundle.getVersion().toString()
                    : Long.toString(e.bundle.getBundleId());
            Bundle newer = chains.supersededBy(e);
            String state = newer != null ? "SUPERSEDED by " + newer.getVersion() : e.inChain() ? "ACTIVE" : "DISABLED";
            return e.name() + "@" + qualifier + " (bundle " + e.bundle.getSymbolicName() + " [" + e.bundle.getBundleId()
                    + "], " + state + ")";
        }).collect(Collectors.joining(", "));
    }
}
