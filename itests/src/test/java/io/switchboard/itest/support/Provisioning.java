package io.switchboard.itest.support;

import static org.ops4j.pax.exam.CoreOptions.bundle;
import static org.ops4j.pax.exam.CoreOptions.composite;
import static org.ops4j.pax.exam.CoreOptions.frameworkProperty;
import static org.ops4j.pax.exam.CoreOptions.junitBundles;
import static org.ops4j.pax.exam.CoreOptions.mavenBundle;
import static org.ops4j.pax.exam.CoreOptions.workingDirectory;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import org.ops4j.pax.exam.Option;

/**
 * The framework every integration test runs in, assembled on the host side (Pax Exam
 * {@code @Configuration}). Start level 1: ASM, SPI Fly, slf4j-api and the capturing SLF4J provider
 * (a fixture bundle), so SLF4J finds its provider before anyone logs; level 2: the OSGi services
 * (SCR, Config Admin, Metatype with the Log API it imports, FileInstall, Gogo runtime) beside Pax Exam's own bundles; level 3:
 * the Switchboard bundles under test, from {@code ../bundles/<name>/target/<name>-<version>.jar}. Beside
 * JUnit: Awaitility, which the tests wait with.
 *
 * <p>Each test class gets its own working directory {@code target/itest-work/<class>} holding the
 * framework storage, the fixture jars built for it, the captured log ({@value #LOG_FILE_NAME}) and
 * the directory FileInstall watches ({@value #CONFIG_DIR_NAME}).
 */
public final class Provisioning {

    /** System property (failsafe): the {@code bundles/} directory of the project. */
    public static final String BUNDLES_DIR_PROPERTY = "switchboard.itest.bundles";
    /** System property (failsafe): the project version, i.e. of the bundle jars. */
    public static final String VERSION_PROPERTY = "switchboard.itest.version";
    /** System property (failsafe): where the per-class working directories go. */
    public static final String WORK_PROPERTY = "switchboard.itest.work";

    /** Framework property: the test class's working directory. */
    public static final String WORKDIR = "switchboard.itest.workdir";
    /** Framework property prefix: {@code <prefix><key>} is the location of a fixture bundle built for the class. */
    public static final String FIXTURE_PREFIX = "switchboard.itest.fixture.";
    /** Framework property read by the capturing SLF4J provider. */
    public static final String LOG_FILE = "switchboard.itest.log.file";
    /** The captured log's file name in the working directory. */
    public static final String LOG_FILE_NAME = "framework.log";
    /** The directory FileInstall watches, in the working directory. */
    public static final String CONFIG_DIR_NAME = "configadmin";

    /** The Switchboard bundles every test runs, in install order. */
    public static final List<String> SWITCHBOARD_BUNDLES = List.of("io.switchboard.api", "io.switchboard.store", "io.switchboard.core",
            "io.switchboard.shell", "io.switchboard.module.profanity");

    /** Symbolic name of the capturing SLF4J provider built from the fixtures. */
    public static final String LOG_CAPTURE_BSN = "io.switchboard.itest.fixture.logcapture";

    private static final Set<String> CLEANED = new HashSet<>();

    private Provisioning() {
    }

    /** The options every test class shares, for {@code testClass}. */
    public static Option[] baseOptions(Class<?> testClass) throws Exception {
        File work = workDir(testClass);
        File configDir = new File(work, CONFIG_DIR_NAME);
        Files.createDirectories(configDir.toPath());
        return new Option[] {
            workingDirectory(new File(work, "exam").getAbsolutePath()),
            frameworkProperty(WORKDIR).value(work.getAbsolutePath()),
            frameworkProperty(LOG_FILE).value(new File(work, LOG_FILE_NAME).getAbsolutePath()),
            frameworkProperty("felix.log.level").value("1"),
            frameworkProperty("ds.loglevel").value("warn"),
            // FileInstall watches this class's own directory only (it defaults to ./load otherwise)
            frameworkProperty("felix.fileinstall.dir").value(configDir.getAbsolutePath()),
            frameworkProperty("felix.fileinstall.poll").value("100"),
            frameworkProperty("felix.fileinstall.noInitialDelay").value("true"),
            frameworkProperty("felix.fileinstall.enableConfigSave").value("false"),
            frameworkProperty("felix.fileinstall.log.level").value("2"),
            junitBundles(),
            awaitility(),
            logging(work),
            osgiServices(),
            switchboardBundles(),
        };
    }

    /**
     * Awaitility, which the tests wait with, and the Hamcrest 2 it imports (JUnit's bundle carries its
     * own Hamcrest 1.3; the two export {@code org.hamcrest} side by side).
     */
    private static Option awaitility() {
        return composite(
                mavenBundle("org.hamcrest", "hamcrest").versionAsInProject(),
                mavenBundle("org.awaitility", "awaitility").versionAsInProject());
    }

    /** Start level 1: SPI Fly with ASM, slf4j-api and the capturing provider (built from the fixtures). */
    private static Option logging(File work) throws Exception {
        File capture = FixtureBundle.of("io.switchboard.itest.fixture.logcapture")
                .symbolicName(LOG_CAPTURE_BSN)
                .header("-includeresource", "META-INF/services/org.slf4j.spi.SLF4JServiceProvider;literal='"
                        + "io.switchboard.itest.fixture.logcapture.CapturingServiceProvider'")
                .header("Provide-Capability",
                        "osgi.serviceloader;osgi.serviceloader=\"org.slf4j.spi.SLF4JServiceProvider\"")
                .header("Require-Capability", "osgi.extender;filter:=\"(&(osgi.extender=osgi.serviceloader.registrar)"
                        + "(version>=1.0.0)(!(version>=2.0.0)))\"")
                .buildTo(new File(work, "fixtures/logcapture.jar"));
        return composite(
                mavenBundle("org.ow2.asm", "asm").versionAsInProject().startLevel(1),
                mavenBundle("org.ow2.asm", "asm-tree").versionAsInProject().startLevel(1),
                mavenBundle("org.ow2.asm", "asm-analysis").versionAsInProject().startLevel(1),
                mavenBundle("org.ow2.asm", "asm-commons").versionAsInProject().startLevel(1),
                mavenBundle("org.ow2.asm", "asm-util").versionAsInProject().startLevel(1),
                mavenBundle("org.apache.aries.spifly", "org.apache.aries.spifly.dynamic.bundle").versionAsInProject()
                        .startLevel(1),
                mavenBundle("org.slf4j", "slf4j-api").versionAsInProject().startLevel(1),
                bundle(capture.toURI().toString()).startLevel(1));
    }

    /** Start level 2: Declarative Services, Config Admin, Metatype, FileInstall, Gogo runtime. */
    private static Option osgiServices() {
        return composite(
                mavenBundle("org.osgi", "org.osgi.util.function").versionAsInProject().startLevel(2),
                mavenBundle("org.osgi", "org.osgi.util.promise").versionAsInProject().startLevel(2),
                mavenBundle("org.osgi", "org.osgi.service.component").versionAsInProject().startLevel(2),
                mavenBundle("org.osgi", "org.osgi.service.log").versionAsInProject().startLevel(2),
                mavenBundle("org.apache.felix", "org.apache.felix.scr").versionAsInProject().startLevel(2),
                mavenBundle("org.apache.felix", "org.apache.felix.configadmin").versionAsInProject().startLevel(2),
                mavenBundle("org.apache.felix", "org.apache.felix.metatype").versionAsInProject().startLevel(2),
                mavenBundle("org.apache.felix", "org.apache.felix.fileinstall").versionAsInProject().startLevel(2),
                mavenBundle("org.apache.felix", "org.apache.felix.gogo.runtime").versionAsInProject().startLevel(2));
    }

    /** Start level 3: the Switchboard bundles of this build, and the store's engine (RocksDB, wrapped by this build). */
    private static Option switchboardBundles() {
        return composite(bundle(builtJar("wrapped/rocksdbjni", "org.rocksdb.rocksdbjni").toURI().toString()).startLevel(3),
                composite(SWITCHBOARD_BUNDLES.stream()
                        .map(name -> bundle(projectBundle(name).toURI().toString()).startLevel(3))
                        .toArray(Option[]::new)));
    }

    /**
     * Builds {@code fixture} into the test class's working directory and returns the option that
     * tells the tests where it is ({@link SwitchboardTestSupport#fixtureLocation(String)}).
     */
    public static Option fixture(Class<?> testClass, String key, FixtureBundle fixture) throws Exception {
        File jar = fixture.classpath(projectBundle("io.switchboard.api"))
                .buildTo(new File(workDir(testClass), "fixtures/" + key + ".jar"));
        return frameworkProperty(FIXTURE_PREFIX + key).value(jar.toURI().toString());
    }

    /** The jar of a Switchboard bundle of this build; fails clearly when it was not built. */
    public static File projectBundle(String name) {
        return builtJar(name, name);
    }

    /** The jar of artifact {@code name} built in {@code bundles/<folder>}; fails clearly when it was not built. */
    private static File builtJar(String folder, String name) {
        String dir = required(BUNDLES_DIR_PROPERTY);
        String version = required(VERSION_PROPERTY);
        File jar = new File(dir, folder + "/target/" + name + "-" + version + ".jar");
        if (!jar.isFile()) {
            throw new IllegalStateException("bundle " + name + " was not built: " + jar + " is missing (run `mvn verify` "
                    + "from the root, or `mvn install -pl bundles/" + folder + "` before `mvn verify -pl itests`)");
        }
        return jar.getAbsoluteFile();
    }

    /** {@code target/itest-work/<test class>}, emptied once per run. */
    public static synchronized File workDir(Class<?> testClass) throws IOException {
        File work = new File(required(WORK_PROPERTY), testClass.getSimpleName()).getAbsoluteFile();
        if (CLEANED.add(testClass.getName()) && work.exists()) {
            try (Stream<Path> paths = Files.walk(work.toPath())) {
                for (Path p : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
                    Files.delete(p);
                }
            }
        }
        Files.createDirectories(work.toPath());
        return work;
    }

    private static String required(String key) {
        String value = System.getProperty(key);
        if (value == null || value.isBlank()) {
            throw new IllegalStateException("system property " + key + " is not set (the itests pom sets it for failsafe)");
        }
        return value;
    }
}
