package io.switchboard.shell.internal;

import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.osgi.framework.Version;

/**
 * Finds the one module an operator names in a command: {@code name}, or {@code name@qualifier} when
 * several modules share the name (two versions of one bundle side by side), the qualifier being the
 * bundle's version, id or symbolic name. A name that fits several modules is refused with the
 * candidates, never guessed. (The core applies the same rule to {@code BrokerAdmin.setEnabled}.)
 */
final class ModuleChoice {

    /** What tells modules of one name apart. */
    record Candidate(String name, String version, long bundleId, String symbolicName, String state) {

        boolean qualifies(String qualifier) {
            if (qualifier.equals(Long.toString(bundleId)) || qualifier.equals(symbolicName)) {
                return true;
            }
            try {
                return Version.parseVersion(qualifier).equals(Version.parseVersion(version));
            } catch (IllegalArgumentException notAVersion) {
                return false;
            }
        }
    }

    private ModuleChoice() {
    }

    /**
     * The item {@code selector} names, or empty if it names none.
     *
     * @throws IllegalArgumentException listing the candidates when it names several
     */
    static <T> Optional<T> pick(String selector, List<T> items, Function<T, Candidate> describe) {
        List<T> named = items.stream().filter(i -> describe.apply(i).name().equals(selector)).toList();
        if (named.size() > 1) {
            throw new IllegalArgumentException(ambiguous(selector, named, describe));
        }
        if (named.size() == 1) {
            return Optional.of(named.get(0));
        }
        int at = selector.lastIndexOf('@');
        if (at <= 0) {
            return Optional.empty();
        }
        String name = selector.substring(0, at);
        String qualifier = selector.substring(at + 1);
        List<T> candidates = items.stream().filter(i -> describe.apply(i).name().equals(name)).toList();
        List<T> chosen = candidates.stream().filter(i -> describe.apply(i).qualifies(qualifier)).toList();
        if (chosen.size() > 1) {
            throw new IllegalArgumentException(ambiguous(selector, chosen, describe));
        }
        if (chosen.isEmpty() && !candidates.isEmpty()) {
            throw new IllegalArgumentException("no module '" + name + "' matches '" + qualifier + "'; candidates: "
                    + labels(candidates, describe));
        }
        return chosen.stream().findFirst();
    }

    private static <T> String ambiguous(String selector, List<T> candidates, Function<T, Candidate> describe) {
        return "'" + selector + "' names " + candidates.size() + " modules; choose one: " + labels(candidates, describe);
    }

    /** {@code name@version (bundle bsn [id], STATE)}, with the bundle id instead when versions repeat. */
    private static <T> String labels(List<T> items, Function<T, Candidate> describe) {
        List<Candidate> candidates = items.stream().map(describe).toList();
        boolean versionsTell = candidates.stream().map(Candidate::version).distinct().count() == candidates.size();
        return candidates.stream().map(c -> c.name() + "@" + (versionsTell ? c.version() : Long.toString(c.bundleId()))
                + " (bundle " + c.symbolicName() + " [" + c.bundleId() + "], " + c.state() + ")")
                .collect(Collectors.joining(", "));
    }
}
