package io.switchboard.itest.support;

import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import aQute.bnd.osgi.Builder;
import aQute.bnd.osgi.Constants;
import aQute.bnd.osgi.Jar;

/**
 * Builds a module bundle at test time with bndlib, from one package of the fixture classes
 * ({@code src/test/fixtures}, compiled to {@code target/fixture-classes} apart from the tests, so the
 * Pax Exam probe never contains them).
 *
 * <pre>{@code
 * File v1 = FixtureBundle.of("io.switchboard.itest.fixture.tagger")
 *         .version("1.0.0").header("Fixture-Tag", "v1")
 *         .buildTo(new File(workDir, "tagger-1.0.0.jar"));
 * }</pre>
 *
 * DS and metatype annotations are processed ({@code -dsannotations: *}); Import-Package is computed
 * by bnd against the API jar under test unless {@link #importPackage} forces a clause (e.g. an
 * incompatible API range). Runs on the host side only (in a {@code @Configuration} method or a plain
 * unit test), never inside the framework.
 */
public final class FixtureBundle {

    /** System property: the directory the fixture sources were compiled to. */
    public static final String CLASSES_PROPERTY = "switchboard.itest.fixtureClasses";

    private final String packageName;
    private String symbolicName;
    private String version = "1.0.0";
    private final List<String> imports = new ArrayList<>();
    private final Map<String, String> instructions = new LinkedHashMap<>();
    private final List<File> classpath = new ArrayList<>();

    private FixtureBundle(String packageName) {
        this.packageName = Objects.requireNonNull(packageName, "packageName");
        this.symbolicName = packageName;
    }

    /** A bundle made of the fixture package {@code packageName} (its symbolic name by default). */
    public static FixtureBundle of(String packageName) {
        return new FixtureBundle(packageName);
    }

    /** Sets Bundle-SymbolicName. */
    public FixtureBundle symbolicName(String bsn) {
        this.symbolicName = Objects.requireNonNull(bsn, "bsn");
        return this;
    }

    /** Sets Bundle-Version (default 1.0.0). */
    public FixtureBundle version(String bundleVersion) {
        this.version = Objects.requireNonNull(bundleVersion, "bundleVersion");
        return this;
    }

    /**
     * Forces an Import-Package clause, e.g. {@code io.switchboard.api;version="[2.0,3)"}; bnd still
     * computes the imports of the other packages.
     */
    public FixtureBundle importPackage(String clause) {
        imports.add(Objects.requireNonNull(clause, "clause"));
        return this;
    }

    /** Sets a manifest header or a bnd instruction. */
    public FixtureBundle header(String name, String value) {
        instructions.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
        return this;
    }

    /** Adds a jar or directory bnd analyses against (the API jar, the OSGi jars are added already). */
    public FixtureBundle classpath(File entry) {
        classpath.add(Objects.requireNonNull(entry, "entry"));
        return this;
    }

    /**
     * Builds the bundle into {@code target}, failing on any bnd error (or a warning about the DS
     * annotations, which would leave the module without its component).
     */
    public File buildTo(File target) throws Exception {
        File classes = fixtureClasses();
        try (Builder builder = new Builder()) {
            builder.setProperty(Constants.BUNDLE_SYMBOLICNAME, symbolicName);
            builder.setProperty(Constants.BUNDLE_VERSION, version);
            builder.setProperty(Constants.PRIVATEPACKAGE, packageName);
            builder.setProperty(Constants.DSANNOTATIONS, "*");
            builder.setProperty(Constants.METATYPE_ANNOTATIONS, "*");
            builder.setProperty(Constants.NOEXTRAHEADERS, "true");
            if (!imports.isEmpty()) {
                builder.setProperty(Constants.IMPORT_PACKAGE, String.join(",", imports) + ",*");
            }
            instructions.forEach(builder::setProperty);
            builder.addClasspath(classes);
            for (File entry : defaultClasspath()) {
                builder.addClasspath(entry);
            }
            for (File entry : classpath) {
                builder.addClasspath(entry);
            }
            Jar jar = builder.build();
            List<String> problems = new ArrayList<>(builder.getErrors());
            for (String warning : builder.getWarnings()) {
                if (warning.contains("DS") || warning.contains("component") || warning.contains("Unresolved")) {
                    problems.add(warning);
                }
            }
            if (jar.getDirectories().get(packageName.replace('.', '/')) == null) {
                problems.add("no classes of package " + packageName + " under " + classes);
            }
            if (!problems.isEmpty()) {
                throw new IllegalStateException("bnd could not build fixture " + symbolicName + ": " + problems);
            }
            Files.createDirectories(target.toPath().toAbsolutePath().getParent());
            jar.write(target);
            return target;
        }
    }

    /** The compiled fixture classes, from {@value #CLASSES_PROPERTY}. */
    public static File fixtureClasses() {
        String dir = System.getProperty(CLASSES_PROPERTY);
        if (dir == null || !new File(dir).isDirectory()) {
            throw new IllegalStateException("system property " + CLASSES_PROPERTY + " must name the compiled fixture "
                    + "classes (target/fixture-classes, set by the itests pom), not " + dir);
        }
        return new File(dir);
    }

    /** The jars of the OSGi framework API, the DS annotations and SLF4J, from the host class path. */
    private static List<File> defaultClasspath() throws IOException {
        List<File> entries = new ArrayList<>();
        for (Class<?> anchor : List.of(org.osgi.framework.Bundle.class,
                org.osgi.service.component.annotations.Component.class, org.slf4j.Logger.class)) {
            entries.add(locationOf(anchor));
        }
        return entries;
    }

    private static File locationOf(Class<?> type) throws IOException {
        try {
            return new File(type.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException | NullPointerException e) {
            throw new IOException("cannot locate the jar of " + type.getName(), e);
        }
    }
}
