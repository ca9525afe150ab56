package io.switchboard.itest.examples;

import static org.awaitility.Awaitility.await;
import static org.ops4j.pax.exam.CoreOptions.bundle;
import static org.ops4j.pax.exam.CoreOptions.composite;
import static org.ops4j.pax.exam.CoreOptions.mavenBundle;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.switchboard.itest.support.Provisioning;
import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.CommandSession;
import org.ops4j.pax.exam.Option;
import org.osgi.service.cm.ConfigurationAdmin;

/**
 * What the example-module tests share: provisioning one module bundle of this build, running a Gogo
 * command, the files shipped in {@code configadmin/}, and a local HTTP service playing a remote API.
 */
final class ExampleModules {

    private ExampleModules() {
    }

    /** Jackson, which the distribution ships in bundle/ for the modules that speak JSON to web APIs. */
    static Option jackson() {
        return composite(
                mavenBundle("com.fasterxml.jackson.core", "jackson-core").versionAsInProject().startLevel(2),
                mavenBundle("com.fasterxml.jackson.core", "jackson-annotations").versionAsInProject().startLevel(2),
                mavenBundle("com.fasterxml.jackson.core", "jackson-databind").versionAsInProject().startLevel(2));
    }

    /** Host side: the module bundle {@code name} of this build, at the Switchboard start level. */
    static Option moduleBundle(String name) {
        return bundle(Provisioning.projectBundle(name).toURI().toString()).startLevel(3);
    }

    /** Runs a Gogo command; its result as text, or its output when it returns nothing. */
    static String gogo(CommandProcessor processor, String command) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream print = new PrintStream(out, true, StandardCharsets.UTF_8);
        try (CommandSession session = processor.createSession(new ByteArrayInputStream(new byte[0]), print, print)) {
            Object result = session.execute(command);
            return result != null ? String.valueOf(result) : out.toString(StandardCharsets.UTF_8);
        }
    }

    /** A file of the project's {@code configadmin/} directory (shipped with the distribution). */
    static Path shipped(String fileName) {
        return Path.of(System.getProperty(Provisioning.BUNDLES_DIR_PROPERTY)).resolveSibling("configadmin")
                .resolve(fileName).normalize();
    }

    /** Copies {@code source} into {@code dir} whole (FileInstall must never see half a file). */
    static Path install(Path source, Path dir, Path work) throws IOException {
        Path staged = work.resolve(source.getFileName() + ".staged");
        Files.copy(source, staged, StandardCopyOption.REPLACE_EXISTING);
        return Files.move(staged, dir.resolve(source.getFileName()), StandardCopyOption.ATOMIC_MOVE);
    }

    /**
     * Waits until FileInstall has scanned {@code dir} after the files already in it were written: writes
     * a sentinel configuration file after them and waits for its configuration (one scan handles every
     * file of the directory), then removes it again.
     */
    static void awaitFileInstallScan(Supplier<ConfigurationAdmin> configAdmin,
            Path dir, Path work) throws Exception {
        String pid = "io.switchboard.itest.examples.sentinel";
        Path staged = work.resolve(pid + ".cfg.staged");
        Files.writeString(staged, "written = " + System.nanoTime() + "\n", StandardCharsets.ISO_8859_1);
        Path sentinel = Files.move(staged, dir.resolve(pid + ".cfg"), StandardCopyOption.ATOMIC_MOVE);
        try {
            await("FileInstall to read " + sentinel.getFileName()).until(() -> listed(configAdmin.get(), pid));
        } finally {
            Files.deleteIfExists(sentinel);
            await("FileInstall to drop " + sentinel.getFileName()).until(() -> !listed(configAdmin.get(), pid));
        }
    }

    private static boolean listed(ConfigurationAdmin configAdmin, String pid) {
        try {
            return configAdmin.listConfigurations("(service.pid=" + pid + ")") != null;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** A local HTTP service whose answer the test sets; records the request bodies. */
    static final class Service implements AutoCloseable {
        /** Answers one request. */
        interface Handler {
            void handle(HttpExchange exchange) throws IOException;
        }

        final List<String> bodies = new CopyOnWriteArrayList<>();
        private final ExecutorService threads = Executors.newCachedThreadPool();
        private final HttpServer server;
        private volatile Handler handler = exchange -> respond(exchange, 404, "text/plain", "no handler");

        Service() throws IOException {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            server.setExecutor(threads);
            server.createContext("/", exchange -> {
                try (exchange) {
                    bodies.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
                    handler.handle(exchange);
                }
            });
            server.start();
        }

        String url() {
            return "http://127.0.0.1:" + server.getAddress().getPort();
        }

        void handle(Handler handler) {
            this.handler = handler;
        }

        void answer(int status, String contentType, String body) {
            handle(exchange -> respond(exchange, status, contentType, body));
        }

        static void respond(HttpExchange exchange, int status, String contentType, String body) throws IOException {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", contentType);
            exchange.sendResponseHeaders(status, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }

        @Override
        public void close() {
            server.stop(0);
            threads.shutdownNow();
        }
    }
}
