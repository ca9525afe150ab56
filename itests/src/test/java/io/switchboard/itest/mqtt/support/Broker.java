package io.switchboard.itest.mqtt.support;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.ProcessBuilder.Redirect;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * A running Switchboard broker for the MQTT end-to-end tests: normally a temporary copy of the
 * ASSEMBLED distribution ({@code launcher/target/switchboard}) started as a process, as an operator
 * would run it.
 *
 * <p>Before the start, the copy's listener configurations ({@code configadmin/io.switchboard.mqtt.listener-*.cfg})
 * are replaced by three written for free ports: {@code tcp}, {@code ws} (WebSocket, path {@code /mqtt})
 * and {@code tls} (with a key store made by {@code keytool}, see {@link TestKeys}). The broker runs with
 * {@code bin/switchboard} (stdin closed, console to {@code console.out}); it counts as started when
 * {@code bin/switchboard-shell lb} answers and every listener port accepts connections. {@link #close()}
 * sends SIGTERM and waits for the exit.
 *
 * <p>For checking the tests themselves, the same tests can run against another broker already running
 * on this machine ({@link #external()}); tests needing the distribution (shell, deploy/, configadmin/)
 * are then skipped by {@link #assumeDistribution()}.
 */
public final class Broker implements AutoCloseable {

    /** System property: the assembled distribution to copy. */
    public static final String DISTRIBUTION_PROPERTY = "switchboard.distribution";
    /** System property prefix of an external broker: {@code .tcp}, {@code .ws}, {@code .tls} ports, {@code .cafile}. */
    public static final String EXTERNAL_PREFIX = "switchboard.itest.external.";
    /** The factory PID of the listeners. */
    public static final String LISTENER_FACTORY_PID = "io.switchboard.mqtt.listener";
    /** The configuration file of the HTTP server (Felix HTTP on Jetty) serving /metrics and /health. */
    public static final String HTTP_CONFIG_FILE = "org.apache.felix.http.cfg";
    /** The WebSocket path of the {@code ws} listener. */
    public static final String WEBSOCKET_PATH = "/mqtt";

    /** The largest packet the test listeners accept (max.packet.size), unless a class configures another. */
    public static final int DEFAULT_MAX_PACKET_SIZE = 262144;

    static final Duration STARTUP = Duration.ofSeconds(90);
    static final Duration STOP = Duration.ofSeconds(60);
    static final Duration SHELL_COMMAND = Duration.ofSeconds(30);

    private static final String HOST = "127.0.0.1";

    private final Path home;
    private final Path work;
    private final Map<Transport, Integer> ports;
    /** The HTTP server's port (/metrics, /health), -1 when unknown (an external broker without one given). */
    private final int httpPort;
    private final TestKeys keys;
    private final Map<String, String> listenerExtras = new LinkedHashMap<>();
    private Process process;

    private Broker(Path work, Path home, Map<Transport, Integer> ports, int httpPort, TestKeys keys) {
        this.work = work;
        this.home = home;
        this.ports = ports;
        this.httpPort = httpPort;
        this.keys = keys;
    }

    // ------------------------------------------------------------------------------ starting

    /** A broker from the {@value #EXTERNAL_PREFIX}* system properties, or {@code null} if none is set. */
    public static Broker external() throws IOException {
        String tcp = System.getProperty(EXTERNAL_PREFIX + "tcp");
        if (tcp == null || tcp.isBlank()) {
            return null;
        }
        Map<Transport, Integer> ports = new EnumMap<>(Transport.class);
        ports.put(Transport.TCP, Integer.parseInt(tcp.trim()));
        String ws = System.getProperty(EXTERNAL_PREFIX + "ws");
        if (ws != null && !ws.isBlank()) {
            ports.put(Transport.WEBSOCKET, Integer.parseInt(ws.trim()));
        }
        String tls = System.getProperty(EXTERNAL_PREFIX + "tls");
        String cafile = System.getProperty(EXTERNAL_PREFIX + "cafile");
        TestKeys keys = null;
        if (tls != null && !tls.isBlank() && cafile != null) {
            ports.put(Transport.TLS, Integer.parseInt(tls.trim()));
            keys = TestKeys.trusting(Path.of(cafile));
            String wss = System.getProperty(EXTERNAL_PREFIX + "wss");
            if (wss != null && !wss.isBlank()) {
                ports.put(Transport.WEBSOCKET_TLS, Integer.parseInt(wss.trim()));
            }
        }
        String http = System.getProperty(EXTERNAL_PREFIX + "http");
        return new Broker(null, null, ports, http == null || http.isBlank() ? -1 : Integer.parseInt(http.trim()), keys);
    }

    /**
     * Copies the distribution into {@code work}/sb, points its listeners at free ports, starts it and
     * waits until it serves MQTT on every listener.
     */
    public static Broker startDistribution(Path work) throws IOException, InterruptedException {
        return startDistribution(work, Map.of(), Map.of());
    }

    /**
     * Like {@link #startDistribution(Path)}, with more configuration written before the start:
     * {@code configFiles} maps a {@code configadmin/} file name to its properties (replacing a shipped
     * file of that name), {@code listenerExtras} are added to every test listener's configuration.
     */
    public static Broker startDistribution(Path work, Map<String, Map<String, String>> configFiles,
            Map<String, String> listenerExtras) throws IOException, InterruptedException {
        Path distribution = Path.of(System.getProperty(DISTRIBUTION_PROPERTY, "../launcher/target/switchboard"));
        if (!Files.isRegularFile(distribution.resolve("bin/switchboard"))) {
            throw new IllegalStateException("no assembled distribution at " + distribution.toAbsolutePath()
                    + " (build the launcher first: mvn -B install -DskipTests at the root)");
        }
        Path home = work.resolve("sb");
        copyTree(distribution, home);
        TestKeys keys = TestKeys.generate(work.resolve("keys"));
        Map<Transport, Integer> ports = freePorts();
        Broker broker = new Broker(work, home, ports, freePort(), keys);
        broker.listenerExtras.putAll(listenerExtras);
        broker.writeListenerConfigs();
        broker.writeHttpConfig();
        for (Map.Entry<String, Map<String, String>> file : configFiles.entrySet()) {
            writeFile(home.resolve("configadmin").resolve(file.getKey()),
                    "# written by the MQTT end-to-end tests\n" + properties(file.getValue()));
        }
        broker.start();
        return broker;
    }

    private void writeListenerConfigs() throws IOException {
        Path configadmin = home.resolve("configadmin");
        try (Stream<Path> files = Files.list(configadmin)) {
            for (Path shipped : (Iterable<Path>) files::iterator) {
                if (shipped.getFileName().toString().startsWith(LISTENER_FACTORY_PID + "-")) {
                    Files.delete(shipped); // the shipped listeners would bind the standard ports
                }
            }
        }
        for (Transport transport : Transport.values()) {
            writeFile(configadmin.resolve(LISTENER_FACTORY_PID + "-" + transport.listenerName() + ".cfg"),
                    "# written by the MQTT end-to-end tests\n" + properties(listenerConfig(transport, ports.get(transport))));
        }
    }

    /** The HTTP server on its own free loopback port: brokers started side by side must not meet on 8080. */
    private void writeHttpConfig() throws IOException {
        Map<String, String> config = new LinkedHashMap<>();
        config.put("org.apache.felix.http.host", HOST);
        config.put("org.osgi.service.http.port", Integer.toString(httpPort));
        writeFile(home.resolve("configadmin").resolve(HTTP_CONFIG_FILE),
                "# written by the MQTT end-to-end tests\n" + properties(config));
    }

    /** The configuration of one test listener. */
    Map<String, String> listenerConfig(Transport transport, int port) {
        Map<String, String> config = new LinkedHashMap<>();
        config.put("host", HOST);
        config.put("port", Integer.toString(port));
        config.put("transport", transport.websocket() ? "websocket" : "tcp");
        if (transport.websocket()) {
            config.put("path", WEBSOCKET_PATH);
        }
        config.put("tls", Boolean.toString(transport.tls()));
        if (transport.tls()) {
            config.put("tls.keystore", keys.keyStore().toAbsolutePath().toString());
            config.put("tls.keystore.password", TestKeys.PASSWORD);
            config.put("tls.keystore.type", "PKCS12");
        }
        config.put("max.packet.size", Integer.toString(DEFAULT_MAX_PACKET_SIZE));
        config.putAll(listenerExtras);
        return config;
    }

    private void start() throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(home.resolve("bin/switchboard").toString())
                .directory(home.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(consoleFile().toFile()));
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        builder.environment().put("SWITCHBOARD_OPTS", "-Xmx512m -XX:TieredStopAtLevel=1 -Xshare:auto -Dio.netty.leakDetection.level=simple");
        process = builder.start();
        Process started = process;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            if (started.isAlive()) {
                started.destroyForcibly(); // the test JVM is ending without having stopped it (killed, timed out)
            }
        }, "stop-switchboard-" + home));
        process.getOutputStream().close(); // no terminal: gosh --nointeractive, end of stdin does not stop it

        long deadline = System.nanoTime() + STARTUP.toNanos();
        ShellResult lb = null;
        while (System.nanoTime() < deadline) {
            checkAlive("starting");
            lb = shell("lb");
            if (lb.exit() == 0) {
                break;
            }
            Thread.sleep(100);
        }
        if (lb == null || lb.exit() != 0) {
            throw new IllegalStateException("bin/switchboard-shell lb did not succeed within " + STARTUP + ": " + lb + diagnostics());
        }
        for (Transport transport : Transport.values()) {
            int port = ports.get(transport);
            while (!accepts(port)) {
                checkAlive("waiting for the " + transport + " listener on port " + port);
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the " + transport.listenerName() + " listener (port " + port
                            + ") did not accept connections within " + STARTUP + "\nlb -s:\n" + shell("lb -s").out()
                            + diagnostics());
                }
                Thread.sleep(50);
            }
        }
    }

    private static boolean accepts(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(HOST, port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private void checkAlive(String while_) {
        if (process != null && !process.isAlive()) {
            throw new IllegalStateException("the broker exited (status " + process.exitValue() + ") while " + while_ + diagnostics());
        }
    }

    /**
     * Stops the broker as an operator would (SIGTERM) and waits for it to exit; returns the exit status
     * (-1 if it had to be killed after {@link #STOP}). The work directory stays until {@link #close()}.
     */
    public int stop() throws InterruptedException {
        assumeDistribution();
        process.destroy();
        if (!process.waitFor(STOP.toSeconds(), TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
            return -1;
        }
        return process.exitValue();
    }

    /**
     * The broker JVM's heap in use after a full GC, in bytes ({@code jcmd GC.run}, then {@code GC.heap_info}):
     * for tests that check memory comes back.
     */
    public long heapUsedAfterGc() throws IOException, InterruptedException {
        long pid = process.pid(); // bin/switchboard execs the JVM
        jcmd(pid, "GC.run");
        String info = jcmd(pid, "GC.heap_info");
        java.util.regex.Matcher used = java.util.regex.Pattern.compile("total \\d+K, used (\\d+)K").matcher(info);
        if (!used.find()) {
            throw new IllegalStateException("no heap figures in jcmd's answer: " + info);
        }
        return Long.parseLong(used.group(1)) * 1024;
    }

    /**
     * The shared libraries the broker process has mapped now ({@code /proc/<pid>/maps}, Linux): for tests that check
     * which native code runs, e.g. Netty's epoll transport.
     */
    public List<String> mappedLibraries() throws IOException {
        List<String> libraries = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "maps"), StandardCharsets.ISO_8859_1)) {
            int slash = line.indexOf('/');
            if (slash >= 0 && line.contains(".so") && !libraries.contains(line.substring(slash))) {
                libraries.add(line.substring(slash));
            }
        }
        return libraries;
    }

    /** The names of the broker JVM's threads ({@code jcmd Thread.print}), one per line. */
    public List<String> threadNames() throws IOException, InterruptedException {
        String dump = jcmd(process.pid(), "Thread.print");
        List<String> names = new ArrayList<>();
        java.util.regex.Matcher thread = java.util.regex.Pattern.compile("(?m)^\"([^\"]*)\"").matcher(dump);
        while (thread.find()) {
            names.add(thread.group(1));
        }
        return names;
    }

    private static String jcmd(long pid, String command) throws IOException, InterruptedException {
        Path javaHome = Path.of(System.getProperty("java.home"));
        Path jcmd = javaHome.resolve("bin/jcmd");
        Process p = new ProcessBuilder(Files.isExecutable(jcmd) ? jcmd.toString() : "jcmd", Long.toString(pid), command)
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("jcmd " + pid + " " + command + " failed: " + out);
        }
        return out;
    }

    /**
     * Stops the broker's process without ending it (SIGSTOP): it answers nothing, as a machine that hangs, until
     * {@link #kill}ed.
     */
    public void freeze() throws IOException, InterruptedException {
        assumeDistribution();
        Process stop = new ProcessBuilder("kill", "-STOP", Long.toString(process.pid())).start();
        if (!stop.waitFor(10, TimeUnit.SECONDS) || stop.exitValue() != 0) {
            throw new IllegalStateException("kill -STOP " + process.pid() + " failed");
        }
    }

    /** Kills the broker as a crash would (SIGKILL: no shutdown hook runs) and waits for the process to end. */
    public void kill() throws InterruptedException {
        assumeDistribution();
        process.destroyForcibly();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            throw new IllegalStateException("the broker did not die within 10 s of SIGKILL");
        }
    }

    /** Starts the broker again on the same home (after {@link #stop} or {@link #kill}) and waits until it serves. */
    public void restart() throws IOException, InterruptedException {
        assumeDistribution();
        start();
    }

    /** The broker's console output so far. */
    public String console() {
        try {
            return Files.exists(consoleFile()) ? Files.readString(consoleFile(), StandardCharsets.ISO_8859_1) : "";
        } catch (IOException e) {
            return "";
        }
    }

    /** Sends SIGTERM and waits for the exit, then deletes the copy (unless -Dswitchboard.itest.keep=true). */
    @Override
    public void close() {
        if (process == null) {
            return;
        }
        try {
            if (!process.isAlive()) {
                return; // stopped by a test
            }
            process.destroy(); // SIGTERM: the shutdown hook stops the framework
            if (!process.waitFor(STOP.toSeconds(), TimeUnit.SECONDS)) {
                System.out.println("[broker] no exit within " + STOP + " of SIGTERM; killing it" + diagnostics());
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            } else if (process.exitValue() != 0) {
                System.out.println("[broker] exit status " + process.exitValue() + " after SIGTERM" + diagnostics());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        } finally {
            if (work != null && !Boolean.getBoolean("switchboard.itest.keep")) {
                deleteTree(work);
            }
        }
    }

    // ------------------------------------------------------------------------------ endpoints

    /** The address the listeners are bound to. */
    public String host() {
        return HOST;
    }

    /** Whether this broker runs the listener of {@code transport}. */
    public boolean has(Transport transport) {
        return ports.containsKey(transport);
    }

    /** The port of {@code transport}'s listener. */
    public int port(Transport transport) {
        Integer port = ports.get(transport);
        assumeTrue(port != null, "this broker runs no " + transport + " listener");
        return port;
    }

    /** The URI of {@code path} (e.g. {@code /metrics}) on the broker's HTTP server. */
    public java.net.URI httpUri(String path) {
        assumeTrue(httpPort > 0, "this broker's HTTP port is unknown (-D" + EXTERNAL_PREFIX + "http=PORT)");
        return java.net.URI.create("http://" + HOST + ":" + httpPort + path);
    }

    /** The server URI in Eclipse Paho's form: {@code tcp://}, {@code ws://.../mqtt}, {@code ssl://}. */
    public String pahoUri(Transport transport) {
        return switch (transport) {
            case TCP -> "tcp://" + HOST + ":" + port(transport);
            case WEBSOCKET -> "ws://" + HOST + ":" + port(transport) + WEBSOCKET_PATH;
            case TLS -> "ssl://localhost:" + port(transport);
            case WEBSOCKET_TLS -> "wss://localhost:" + port(transport) + WEBSOCKET_PATH;
        };
    }

    /** The broker's TLS identity (trust material for clients). */
    public TestKeys keys() {
        assumeTrue(keys != null, "this broker has no TLS listener the tests know the certificate of");
        return keys;
    }

    /** Whether this is the assembled distribution started by the tests (not an external broker). */
    public boolean isDistribution() {
        return home != null;
    }

    /** Skips the calling test unless this is the distribution (it needs the shell, deploy/ or configadmin/). */
    public void assumeDistribution() {
        assumeTrue(isDistribution(), "needs the Switchboard distribution (shell, deploy/, configadmin/), not an external broker");
    }

    /** The distribution copy's directory. */
    public Path home() {
        assumeDistribution();
        return home;
    }

    // ------------------------------------------------------------------------------ operating it

    /** One Gogo command through {@code bin/switchboard-shell}. */
    public record ShellResult(int exit, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exit + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    /** Runs {@code command} with {@code bin/switchboard-shell}. */
    public ShellResult shell(String command) {
        assumeDistribution();
        try {
            Path out = Files.createTempFile(work, "shell", ".out");
            Path err = Files.createTempFile(work, "shell", ".err");
            try {
                ProcessBuilder builder = new ProcessBuilder(home.resolve("bin/switchboard-shell").toString(), command)
                        .redirectInput(Redirect.from(new File("/dev/null")))
                        .redirectOutput(out.toFile())
                        .redirectError(err.toFile());
                builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
                builder.environment().put("JAVA_TOOL_OPTIONS", "-XX:TieredStopAtLevel=1 -Xshare:auto");
                Process shell = builder.start();
                if (!shell.waitFor(SHELL_COMMAND.toSeconds(), TimeUnit.SECONDS)) {
                    shell.destroyForcibly();
                    throw new AssertionError("switchboard-shell \"" + command + "\" did not finish within " + SHELL_COMMAND);
                }
                return new ShellResult(shell.exitValue(), Files.readString(out), Files.readString(err)
                        .lines().filter(l -> !l.startsWith("Picked up JAVA_TOOL_OPTIONS")).reduce("", (a, b) -> a + b + "\n"));
            } finally {
                Files.deleteIfExists(out);
                Files.deleteIfExists(err);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Repeats {@code command} until its output satisfies {@code done} (bounded by {@code limit}); returns that output. */
    public String awaitShell(String what, String command, Duration limit, Predicate<String> done) {
        long deadline = System.nanoTime() + limit.toNanos();
        ShellResult last;
        while (true) {
            checkAlive("waiting until " + what);
            last = shell(command);
            if (last.exit() == 0 && done.test(last.out())) {
                return last.out();
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + limit + ": " + what + "\nlast " + command + ": " + last + diagnostics());
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    /**
     * Writes {@code configadmin/<fileName>} (through a temporary file and a move, so FileInstall never
     * sees half a file). Returns the file.
     */
    public Path writeConfig(String fileName, Map<String, String> properties) throws IOException {
        Path target = home().resolve("configadmin").resolve(fileName);
        writeFile(target, "# written by the MQTT end-to-end tests\n" + properties(properties));
        return target;
    }

    /** Copies {@code jar} into {@code deploy/} under {@code fileName} (staged, then moved in whole). */
    public Path deploy(File jar, String fileName) throws IOException {
        Path staged = home().resolve(fileName + ".tmp");
        Files.copy(jar.toPath(), staged, StandardCopyOption.REPLACE_EXISTING);
        return Files.move(staged, home.resolve("deploy").resolve(fileName), StandardCopyOption.ATOMIC_MOVE,
                StandardCopyOption.REPLACE_EXISTING);
    }

    /** The API bundle the distribution runs (fixture modules are analysed against it). */
    public File apiJar() throws IOException {
        try (Stream<Path> jars = Files.list(home().resolve("bundle"))) {
            return jars.filter(p -> p.getFileName().toString().startsWith("io.switchboard.api-"))
                    .findFirst().orElseThrow(() -> new IllegalStateException("no io.switchboard.api jar in " + home.resolve("bundle")))
                    .toFile();
        }
    }

    /** The last lines of the console and of {@code logs/switchboard.log}, for failure reports. */
    public String diagnostics() {
        if (home == null) {
            return "";
        }
        return "\n--- broker console (last 60 lines)\n" + tail(consoleFile(), 60)
                + "--- logs/switchboard.log (last 60 lines)\n" + tail(home.resolve("logs/switchboard.log"), 60);
    }

    /** The broker's log file ({@code logs/switchboard.log}) as it is now. */
    public String log() {
        Path file = home().resolve("logs/switchboard.log");
        try {
            return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "";
        }
    }

    private Path consoleFile() {
        return work.resolve("console.out");
    }

    private static String tail(Path file, int lines) {
        try {
            if (!Files.exists(file)) {
                return "(none)\n";
            }
            List<String> all = Files.readAllLines(file, StandardCharsets.ISO_8859_1);
            StringBuilder out = new StringBuilder();
            for (String line : all.subList(Math.max(0, all.size() - lines), all.size())) {
                out.append(line).append('\n');
            }
            return out.toString();
        } catch (IOException e) {
            return "(unreadable: " + e + ")\n";
        }
    }

    // ------------------------------------------------------------------------------ files

    /** Formats {@code properties} as a FileInstall {@code .cfg} file (ISO-8859-1, {@code \\uXXXX} escapes). */
    static String properties(Map<String, String> properties) {
        StringBuilder out = new StringBuilder();
        properties.forEach((key, value) -> out.append(key).append(" = ").append(escape(value)).append('\n'));
        return out.toString();
    }

    private static String escape(String value) {
        StringBuilder out = new StringBuilder();
        for (char c : value.toCharArray()) {
            if (c == '\\') {
                out.append("\\\\");
            } else if (c > 0x7e || c < 0x20) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    private static void writeFile(Path target, String content) throws IOException {
        Path staged = target.resolveSibling("." + target.getFileName() + ".tmp");
        Files.writeString(staged, content, StandardCharsets.ISO_8859_1);
        Files.move(staged, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** Free TCP ports on the loopback address, one per transport (bound and released at once). */
    private static Map<Transport, Integer> freePorts() throws IOException {
        Map<Transport, Integer> ports = new EnumMap<>(Transport.class);
        List<ServerSocket> held = new ArrayList<>();
        try {
            for (Transport transport : Transport.values()) {
                ServerSocket socket = new ServerSocket();
                socket.setReuseAddress(true);
                socket.bind(new InetSocketAddress(HOST, 0));
                held.add(socket);
                ports.put(transport, socket.getLocalPort());
            }
        } finally {
            for (ServerSocket socket : held) {
                socket.close();
            }
        }
        return ports;
    }

    /** One more free loopback port. */
    public static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(HOST, 0));
            return socket.getLocalPort();
        }
    }

    private static void copyTree(Path from, Path to) throws IOException {
        List<Path> all = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(from)) {
            walk.forEach(all::add);
        }
        for (Path source : all) {
            Path relative = from.relativize(source);
            boolean runtimeState = relative.getNameCount() > 1
                    && (relative.getName(0).toString().equals("data") || relative.getName(0).toString().equals("logs"));
            if (runtimeState) {
                continue; // left by someone running the distribution itself
            }
            Path target = to.resolve(relative.toString());
            if (Files.isDirectory(source)) {
                Files.createDirectories(target);
            } else {
                Files.copy(source, target, StandardCopyOption.COPY_ATTRIBUTES);
            }
        }
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> walk = Files.walk(root)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // best effort: a temporary directory
        }
    }
}
