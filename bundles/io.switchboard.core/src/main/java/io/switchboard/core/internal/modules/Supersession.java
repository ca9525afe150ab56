package io.switchboard.core.internal.modules;

import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;

import org.osgi.framework.Bundle;

/**
 * Of the bundles sharing a symbolic name (two versions of one module jar side by side in {@code deploy/}),
 * only the highest version's modules join the chains; the others are superseded by it. Equal versions
 * (possible only if the framework allows them) go to the bundle installed last.
 */
final class Supersession {

    private static final Comparator<Bundle> NEWEST = Comparator.comparing(Bundle::getVersion)
            .thenComparingLong(Bundle::getBundleId);

    private final Map<ModuleEntry, Bundle> supersededBy = new IdentityHashMap<>();

    Supersession(Collection<ModuleEntry> entries) {
        Map<String, Bundle> newest = new HashMap<>();
        for (ModuleEntry e : entries) {
            newest.merge(symbolicName(e.bundle), e.bundle, (a, b) -> NEWEST.compare(a, b) >= 0 ? a : b);
        }
        for (ModuleEntry e : entries) {
            Bundle winner = newest.get(symbolicName(e.bundle));
            if (winner != e.bundle) {
                supersededBy.put(e, winner);
            }
        }
    }

    /** The bundle whose version supersedes {@code entry}'s, or null if {@code entry}'s bundle is the newest. */
    Bundle supersededBy(ModuleEntry entry) {
        return supersededBy.get(entry);
    }

    private static String symbolicName(Bundle bundle) {
        String name = bundle.getSymbolicName();
        // a bundle without a symbolic name competes with nobody
        return name == null ? "#" + bundle.getBundleId() : name;
    }
}
