package io.switchboard.launcher;

import java.io.IOException;
import java.io.Reader;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/**
 * The launcher's decisions, kept apart from the framework so that they can be tested and read in
 * one place: where the distribution is, the framework properties, and the start level of each
 * system bundle.
 *
 * <h2>Start levels</h2>
 * <table>
 * <caption>start levels</caption>
 * <tr><th>level</th><th>bundles</th><th>why</th></tr>
 * <tr><td>1</td><td>SPI Fly, ASM, slf4j-api, logback</td><td>slf4j-api finds its provider through
 * the service loader mediator; both must be active before any bundle logs, or SLF4J falls back to
 * NOP</td></tr>
 * <tr><td>2</td><td>OSGi APIs, SCR, Configuration Admin, Metatype, FileInstall, Gogo runtime and
 * commands</td><td>the services the system bundles need; configuration files are read before
 * the components that use them start</td></tr>
 * <tr><td>3</td><td>Switchboard system bundles and any other bundle of {@code bundle/}</td><td></td></tr>
 * <tr><td>4</td><td>modules from {@code deploy/} and the Gogo console</td><td>modules join a
 * running core; the prompt comes last</td></tr>
 * </table>
 */
final class LauncherConfig {

    static final String HOME_PROPERTY = "switchboard.home";
    static final int LOGGING_LEVEL = 1;
    static final int SERVICES_LEVEL = 2;
    static final int SYSTEM_LEVEL = 3;
    static final int MODULES_LEVEL = 4;

    /** Install (and so start) order: by start level, then the order inside level 1, then file name. */
    static final Comparator<SystemBundle> START_ORDER = Comparator.comparingInt(SystemBundle::startLevel)
            .thenComparingInt(b -> orderWithinLevel(b.symbolicName()))
            .thenComparing(b -> b.path().getFileName().toString());

    private LauncherConfig() {
    }

    /** A jar of {@code bundle/}, with what its manifest says. */
    record SystemBundle(Path path, String symbolicName, boolean fragment) {
        int startLevel() {
            return LauncherConfig.startLevel(symbolicName);
        }
    }

    static int startLevel(String symbolicName) {
        if (symbolicName.startsWith("org.apache.aries.spifly") || symbolicName.startsWith("org.objectweb.asm")
                || symbolicName.equals("slf4j.api") || symbolicName.startsWith("ch.qos.logback.")) {
            return LOGGING_LEVEL;
        }
        if (symbolicName.equals("org.apache.felix.gogo.shell")) {
            return MODULES_LEVEL;
        }
        if (symbolicName.startsWith("org.apache.felix.") || symbolicName.startsWith("org.osgi.")) {
            return SERVICES_LEVEL;
        }
        return SYSTEM_LEVEL;
    }

    /** Inside level 1: the weaver before the API it weaves, the API before its provider. */
    private static int orderWithinLevel(String symbolicName) {
        if (symbolicName.startsWith("org.objectweb.asm")) {
            return 0;
        }
        if (symbolicName.startsWith("org.apache.aries.spifly")) {
            return 1;
        }
        if (symbolicName.equals("slf4j.api")) {
            return 2;
        }
        if (symbolicName.equals("ch.qos.logback.core")) {
            return 3;
        }
        if (symbolicName.equals("ch.qos.logback.classic")) {
            return 4;
        }
        return 5;
    }

    /** The distribution directory: {@code -Dswitchboard.home}, else the parent of this jar's directory. */
    static Path home() {
        String property = System.getProperty(HOME_PROPERTY);
        if (property != null && !property.isBlank()) {
            return Path.of(property).toAbsolutePath().normalize();
        }
        try {
            Path jar = Path.of(Main.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            if (Files.isRegularFile(jar) && jar.getParent() != null && jar.getParent().getParent() != null) {
                return jar.getParent().getParent().toAbsolutePath().normalize();
            }
        } catch (URISyntaxException | SecurityException | NullPointerException e) {
            // fall through to the working directory
        }
        return Path.of("").toAbsolutePath();
    }

    /**
     * The framework properties: defaults below, then {@code etc/framework.properties} (if present,
     * {@code ${switchboard.home}} is replaced there) on top.
     */
    static Map<String, String> frameworkProperties(Path home, boolean interactive) throws IOException {
        Map<String, String> p = new LinkedHashMap<>();
        p.put(HOME_PROPERTY, home.toString());
        // A clean cache on every start: bundle/ as it is now wins; modules come back from deploy/.
        p.put("org.osgi.framework.storage", home.resolve("data/felix-cache").toString());
        p.put("org.osgi.framework.storage.clean", "onFirstInit");
        p.put("org.osgi.framework.startlevel.beginning", Integer.toString(MODULES_LEVEL));
        p.put("felix.startlevel.bundle", Integer.toString(MODULES_LEVEL));
        p.put("felix.log.level", "1");

        // FileInstall: one watcher per directory of the comma-separated list (FileInstall 3.7.4
        // creates the watchers "initial" and "initial1" from it). deploy/ installs, updates and
        // uninstalls bundles (and refreshes packages after an update or an uninstall);
        // configadmin/ applies .cfg/.config files to Configuration Admin.
        p.put("felix.fileinstall.dir", home.resolve("deploy") + "," + home.resolve("configadmin"));
        // Only whole names ending .jar, .cfg or .config: a copy in progress (name.jar.part) or an editor's
        // backup is not installed as an update of a running module (and its deletion does not uninstall it).
        // The filter is shared by both watchers of the list, matched against the whole file name.
        p.put("felix.fileinstall.filter", ".*\\.(jar|cfg|config)");
        p.put("felix.fileinstall.poll", "500");
        p.put("felix.fileinstall.noInitialDelay", "true");
        p.put("felix.fileinstall.bundles.new.start", "true");
        p.put("felix.fileinstall.start.level", Integer.toString(MODULES_LEVEL));
        p.put("felix.fileinstall.enableConfigSave", "false");
        p.put("felix.fileinstall.log.level", "3");
        p.put("felix.fileinstall.tmpdir", home.resolve("data/fileinstall").toString());

        // HTTP for administration (Felix HTTP on Jetty): configured by configadmin/org.apache.felix.http.cfg,
        // and not started before that file is read, so that a broker whose file names another port never
        // binds the default one. Without the file's host, loopback only: nothing beyond this machine.
        p.put("org.apache.felix.http.require.config", "true");
        p.put("org.apache.felix.http.host", "127.0.0.1");
        p.put("org.osgi.service.http.port", "8080");

        // Gogo: an interactive console on a terminal; otherwise no console, so that the end of
        // stdin (a service manager, a pipe) does not stop the broker.
        p.put("gosh.args", interactive ? "" : "--nointeractive");

        Path overrides = home.resolve("etc/framework.properties");
        if (Files.isRegularFile(overrides)) {
            Properties file = new Properties();
            try (Reader reader = Files.newBufferedReader(overrides, StandardCharsets.UTF_8)) {
                file.load(reader);
            }
            for (String key : file.stringPropertyNames()) {
                p.put(key, file.getProperty(key).replace("${" + HOME_PROPERTY + "}", home.toString()));
            }
        }
        return p;
    }

    /** Makes {@code dir} accessible to its owner only (0700), where the file system has POSIX permissions. */
    static void restrictToOwner(Path dir) throws IOException {
        if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        }
    }
}
