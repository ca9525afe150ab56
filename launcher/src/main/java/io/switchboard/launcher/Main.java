package io.switchboard.launcher;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.stream.Stream;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.launch.Framework;
import org.osgi.framework.launch.FrameworkFactory;
import org.osgi.framework.startlevel.BundleStartLevel;

/**
 * Starts Switchboard: embeds the OSGi framework found on the class path (Apache Felix), installs
 * the system bundles of {@code bundle/} at their start levels and runs in the foreground until the
 * framework stops (shell {@code stop 0}, end of an interactive console) or the JVM is told to stop
 * (SIGTERM, SIGINT), in which case a shutdown hook stops the framework cleanly and the JVM exits
 * with status 0.
 *
 * <p>The distribution directory ({@code switchboard.home}) is the system property of that name (set
 * by {@code bin/switchboard}), else the parent of the directory holding this jar. See
 * {@link LauncherConfig} for the framework properties and the start levels.
 *
 * <p>One broker per home: before anything else the launcher takes the {@link InstanceLock} on
 * {@code data/switchboard.lock}; if another process holds it, it says which one and exits with
 * status 1 without creating the framework.
 */
public final class Main {

    /** How long a shutdown waits for the framework to stop before giving up. */
    private static final long STOP_TIMEOUT_MS = 60_000;

    /**
     * SPI Fly reports through java.util.logging, which is not routed to logback: keep its INFO lines
     * (one per registered provider) off the console. Held here because JUL keeps loggers weakly.
     */
    private static final java.util.logging.Logger SPIFLY_LOG = java.util.logging.Logger.getLogger("org.apache.aries.spifly");

    /** Held until the process ends, never closed: the OS releases it however the process ends. */
    @SuppressWarnings("unused")
    private static InstanceLock instanceLock;

    /**
     * Left by a system bundle that stopped the framework because the broker must not run (the store could
     * not be read): the reason, printed on exit with status 1.
     */
    static final String FATAL_PROPERTY = "switchboard.fatal";

    private Main() {
    }

    public static void main(String[] args) {
        try {
            System.exit(run());
        } catch (Exception e) {
            System.err.println("Switchboard failed to start: " + e);
            e.printStackTrace();
            System.exit(1);
        }
    }

    private static int run() throws Exception {
        SPIFLY_LOG.setLevel(java.util.logging.Level.WARNING);
        Path home = LauncherConfig.home();
        try {
            instanceLock = InstanceLock.acquire(Files.createDirectories(home.resolve("data")).resolve(InstanceLock.FILE_NAME));
        } catch (InstanceLock.HeldException e) {
            System.err.println("Switchboard is already running on " + home + " (" + e.holder()
                    + "); stop it first (bin/switchboard-shell \"stop 0\") or use another home");
            return 1;
        }
        for (String dir : new String[] {"bundle", "deploy", "configadmin", "data", "logs", "etc"}) {
            Files.createDirectories(home.resolve(dir));
        }
        LauncherConfig.restrictToOwner(home.resolve("data"));
        System.setProperty(LauncherConfig.HOME_PROPERTY, home.toString());
        Path logbackXml = home.resolve("etc/logback.xml");
        if (System.getProperty("logback.configurationFile") == null && Files.isRegularFile(logbackXml)) {
            System.setProperty("logback.configurationFile", logbackXml.toString());
        }

        boolean interactive = System.console() != null;
        Map<String, String> properties = LauncherConfig.frameworkProperties(home, interactive);

        Framework framework = frameworkFactory().newFramework(properties);
        framework.init();
        List<Bundle> installed = installSystemBundles(framework.getBundleContext(), home.resolve("bundle"));

        AtomicBoolean exitingFromMain = new AtomicBoolean();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> stopOnSignal(framework, exitingFromMain),
                "switchboard-shutdown"));

        CountDownLatch started = new CountDownLatch(1);
        framework.getBundleContext().addFrameworkListener(event -> {
            if (event.getType() == FrameworkEvent.STARTED) {
                started.countDown();
            }
        });
        framework.start();
        if (awaitStarted(framework, started) && System.getProperty(FATAL_PROPERTY) == null) {
            reportInactive(installed);
            System.out.println("Switchboard started in " + home + " (" + installed.size()
                    + " system bundles; modules from deploy/, configuration from configadmin/)");
        }

        FrameworkEvent stopped = framework.waitForStop(0);
        exitingFromMain.set(true);
        String fatal = System.getProperty(FATAL_PROPERTY);
        if (fatal != null) {
            System.err.println("Switchboard stopped: " + fatal);
            return 1;
        }
        return stopped.getType() == FrameworkEvent.ERROR ? 1 : 0;
    }

    /**
     * Waits (up to 5 minutes) for the framework to reach its start level; false when it did not, e.g. a
     * system bundle stopped it while it was starting.
     */
    private static boolean awaitStarted(Framework framework, CountDownLatch started) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        while (!started.await(100, TimeUnit.MILLISECONDS)) {
            if ((framework.getState() & (Bundle.STARTING | Bundle.ACTIVE)) == 0 || System.nanoTime() > deadline) {
                return false;
            }
        }
        return true;
    }

    private static FrameworkFactory frameworkFactory() {
        Iterator<FrameworkFactory> factories = ServiceLoader.load(FrameworkFactory.class).iterator();
        if (!factories.hasNext()) {
            throw new IllegalStateException("no OSGi framework on the class path (lib/ must hold the Felix framework jar)");
        }
        return factories.next();
    }

    /** Installs every bundle jar of {@code dir} at its start level, in start order, and marks it to start. */
    private static List<Bundle> installSystemBundles(BundleContext context, Path dir) throws IOException {
        List<LauncherConfig.SystemBundle> jars = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path jar : (Iterable<Path>) files.filter(f -> f.toString().endsWith(".jar")).sorted()::iterator) {
                Manifest manifest = manifest(jar);
                String bsn = manifest == null ? null : manifest.getMainAttributes().getValue(Constants.BUNDLE_SYMBOLICNAME);
                if (bsn == null) {
                    System.err.println("Switchboard: skipping " + jar + ": not an OSGi bundle (no Bundle-SymbolicName)");
                    continue;
                }
                boolean fragment = manifest.getMainAttributes().getValue(Constants.FRAGMENT_HOST) != null;
                jars.add(new LauncherConfig.SystemBundle(jar, bsn.split(";")[0].trim(), fragment));
            }
        }
        jars.sort(LauncherConfig.START_ORDER);

        List<Bundle> installed = new ArrayList<>();
        for (LauncherConfig.SystemBundle jar : jars) {
            try {
                Bundle bundle = context.installBundle(jar.path().toUri().toString());
                bundle.adapt(BundleStartLevel.class).setStartLevel(jar.startLevel());
                if (!jar.fragment()) {
                    bundle.start();
                }
                installed.add(bundle);
            } catch (BundleException e) {
                System.err.println("Switchboard: cannot install " + jar.path().getFileName() + ": " + e.getMessage());
            }
        }
        return installed;
    }

    private static Manifest manifest(Path jar) {
        try (JarFile file = new JarFile(jar.toFile())) {
            return file.getManifest();
        } catch (IOException e) {
            return null;
        }
    }

    private static void reportInactive(List<Bundle> bundles) {
        for (Bundle bundle : bundles) {
            boolean fragment = bundle.getHeaders().get(Constants.FRAGMENT_HOST) != null;
            if (!fragment && bundle.getState() != Bundle.ACTIVE) {
                System.err.println("Switchboard: system bundle " + bundle.getSymbolicName() + " is not active (state "
                        + bundle.getState() + ")");
            }
        }
    }

    /** Shutdown hook: a signal (or System.exit) ends the JVM; stop the framework first. */
    private static void stopOnSignal(Framework framework, AtomicBoolean exitingFromMain) {
        if (exitingFromMain.get() || (framework.getState() & (Bundle.STARTING | Bundle.ACTIVE)) == 0) {
            return; // the framework has already stopped: main is exiting with its own status
        }
        int status = 0;
        try {
            System.out.println("Switchboard stopping...");
            framework.stop();
            FrameworkEvent event = framework.waitForStop(STOP_TIMEOUT_MS);
            if (event.getType() == FrameworkEvent.WAIT_TIMEDOUT) {
                System.err.println("Switchboard: the framework did not stop within " + STOP_TIMEOUT_MS + " ms");
                status = 1;
            } else {
                System.out.println("Switchboard stopped");
            }
        } catch (Exception e) {
            System.err.println("Switchboard: stopping the framework failed: " + e);
            status = 1;
        }
        System.out.flush();
        System.err.flush();
        // A signal would otherwise end the JVM with 128+signal; a clean stop is a normal exit.
        Runtime.getRuntime().halt(status);
    }
}
