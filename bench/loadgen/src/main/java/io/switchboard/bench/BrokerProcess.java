package io.switchboard.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * One broker under test, run as its own process on its own free port, optionally pinned to a core with
 * taskset: a copy of the Switchboard distribution (empty chain or with the pass-through modules),
 * Debian's mosquitto with a generated configuration, or Moquette in MoquetteMain.
 */
final class BrokerProcess {
    enum Kind { SWITCHBOARD, MOSQUITTO, MOQUETTE }

    static final String HOST = "127.0.0.1";

    final String name;
    final Kind kind;
    final Path home;
    private final SuiteOptions options;
    private final boolean withPassThrough;
    private Process process;
    int port;

    /** Switchboard: keep the distribution's modules and their configurations (the default distribution). */
    boolean keepModules;
    /**
     * Switchboard: lines appended to files of {@code configadmin/} (created when missing), e.g.
     * {@code io.switchboard.store.cfg} with {@code sync = fsync}.
     */
    final Map<String, List<String>> configLines = new LinkedHashMap<>();
    /** Mosquitto: lines after the generated configuration; a {@code persistence} line replaces {@code persistence false}. */
    final List<String> mosquittoLines = new ArrayList<>();
    /** How often {@link #start} tries an MQTT CONNECT while the broker starts. */
    long readyPollMillis = 200;
    /** The last {@link #start}: from the process start to the first CONNACK, in ms. */
    double lastStartMillis = Double.NaN;
    /** The last {@link #stop}: from SIGTERM to the end of the process, in ms. */
    double lastStopMillis = Double.NaN;

    BrokerProcess(String name, Kind kind, boolean withPassThrough, SuiteOptions options) {
        this.name = name;
        this.kind = kind;
        this.withPassThrough = withPassThrough;
        this.options = options;
        this.home = options.workDir.resolve(name);
    }

    /** The distribution as shipped: its modules and their configurations kept. */
    static BrokerProcess shipped(String name, SuiteOptions options) {
        BrokerProcess b = new BrokerProcess(name, Kind.SWITCHBOARD, false, options);
        b.keepModules = true;
        return b;
    }

    boolean jvm() {
        return kind != Kind.MOSQUITTO;
    }

    long pid() {
        return process.pid();
    }

    boolean running() {
        return process != null && process.isAlive();
    }

    /** Creates the broker's directory: a distribution copy or a configuration file. */
    void prepare() throws IOException {
        deleteTree(home);
        Files.createDirectories(home);
        if (kind == Kind.SWITCHBOARD) {
            copyTree(options.distribution, home);
            if (!keepModules) {
                try (Stream<Path> jars = Files.list(home.resolve("deploy"))) {
                    for (Path jar : jars.toList()) {
                        Files.delete(jar); // the example modules: the chain starts empty
                    }
                }
            }
            try (Stream<Path> cfgs = Files.list(home.resolve("configadmin"))) {
                for (Path cfg : cfgs.toList()) {
                    String file = cfg.getFileName().toString();
                    // module configurations go with the modules; the WebSocket listener would clash between copies
                    if ((!keepModules && file.startsWith("io.switchboard.module."))
                            || file.startsWith("io.switchboard.mqtt.listener-websocket")) {
                        Files.delete(cfg);
                    }
                }
            }
            for (Map.Entry<String, List<String>> e : configLines.entrySet()) {
                Path cfg = home.resolve("configadmin").resolve(e.getKey());
                String before = Files.exists(cfg) ? Files.readString(cfg, StandardCharsets.ISO_8859_1) : "";
                String added = String.join("\n", e.getValue()) + "\n";
                Files.writeString(cfg, before + (before.isEmpty() || before.endsWith("\n") ? "" : "\n") + added,
                        StandardCharsets.ISO_8859_1);
            }
            if (withPassThrough) {
                Files.copy(options.passThroughJar, home.resolve("deploy").resolve(options.passThroughJar.getFileName()));
                try (Stream<Path> cfgs = Files.list(options.passThroughConfigs)) {
                    for (Path cfg : cfgs.filter(p -> p.toString().endsWith(".cfg")).toList()) {
                        Files.copy(cfg, home.resolve("configadmin").resolve(cfg.getFileName()));
                    }
                }
            }
            Files.createDirectories(home.resolve("logs"));
        }
    }

    /** Starts the broker on a fresh free port and waits (bounded) until it answers an MQTT CONNECT. */
    void start() throws IOException, InterruptedException {
        port = freePort();
        List<String> command = new ArrayList<>();
        if (options.pinBrokers) {
            command.addAll(List.of("taskset", "-c", options.brokerCpu));
        }
        ProcessBuilder builder = new ProcessBuilder();
        switch (kind) {
            case SWITCHBOARD -> {
                Path listener = home.resolve("configadmin/io.switchboard.mqtt.listener-tcp.cfg");
                String cfg = Files.readString(listener, StandardCharsets.ISO_8859_1)
                        .replaceAll("(?m)^port\\s*=.*$", "port = " + port)
                        .replaceAll("(?m)^host\\s*=.*$", "host = " + HOST);
                Files.writeString(listener, cfg, StandardCharsets.ISO_8859_1);
                command.add(home.resolve("bin/switchboard").toString());
                builder.environment().put("SWITCHBOARD_OPTS", options.jvmBrokerOpts);
            }
            case MOSQUITTO -> {
                Path conf = home.resolve("mosquitto.conf");
                Files.writeString(conf, mosquittoConfig(port, mosquittoLines));
                command.addAll(List.of(options.mosquitto, "-c", conf.toString()));
            }
            case MOQUETTE -> {
                command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
                command.addAll(List.of(options.jvmBrokerOpts.trim().split("\\s+")));
                command.addAll(List.of("-cp", options.moquetteJar + ":" + options.moquetteLib.resolve("*"),
                        "io.switchboard.bench.moquette.MoquetteMain", "--host", HOST, "--port", Integer.toString(port)));
            }
            default -> throw new IllegalStateException(kind.toString());
        }
        Path log = home.resolve("broker.log");
        builder.command(command).directory(home.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        // stdin stays an open pipe: Switchboard's console stops the framework at end of input
        long started = System.nanoTime();
        process = builder.start();
        long deadline = started + TimeUnit.SECONDS.toNanos(90);
        while (!answersConnect()) {
            if (!process.isAlive()) {
                throw new BenchException(name + " exited with status " + process.exitValue() + " during start: " + tail(log));
            }
            if (System.nanoTime() > deadline) {
                stop();
                throw new BenchException(name + " did not answer MQTT CONNECT on port " + port + " within 90 s: " + tail(log));
            }
            Thread.sleep(readyPollMillis);
        }
        lastStartMillis = (System.nanoTime() - started) / 1e6;
    }

    static String mosquittoConfig(int port) {
        return mosquittoConfig(port, List.of());
    }

    /** The generated configuration, then {@code extra}; {@code persistence false} unless {@code extra} sets persistence. */
    static String mosquittoConfig(int port, List<String> extra) {
        boolean persistenceSet = extra.stream().anyMatch(l -> l.trim().startsWith("persistence "));
        List<String> lines = new ArrayList<>(List.of(
                "# generated by io.switchboard.bench",
                "listener " + port + " " + HOST,
                "allow_anonymous true"));
        if (!persistenceSet) {
            lines.add("persistence false");
        }
        lines.addAll(List.of(
                "max_connections -1",
                "# like the JVM brokers (Netty sets TCP_NODELAY): without it Nagle holds deliveries on loopback",
                "set_tcp_nodelay true",
                "log_dest stdout",
                "log_type error",
                "log_type warning"));
        lines.addAll(extra);
        lines.add("");
        return String.join("\n", lines);
    }

    /** The Gogo command's output through bin/switchboard-shell (Switchboard only), bounded to 60 s. */
    String shell(String gogoCommand) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(home.resolve("bin/switchboard-shell").toString(), gogoCommand)
                .redirectErrorStream(true).start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new BenchException("switchboard-shell " + gogoCommand + " did not finish within 60 s");
        }
        return new String(out, StandardCharsets.UTF_8);
    }

    void stop() throws InterruptedException {
        stop(20);
    }

    /** SIGTERM, then SIGKILL if the broker has not ended within {@code seconds}; returns false if it had to be killed. */
    boolean stop(long seconds) throws InterruptedException {
        if (process == null) {
            return true;
        }
        long began = System.nanoTime();
        process.destroy();
        boolean clean = process.waitFor(seconds, TimeUnit.SECONDS);
        if (!clean) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
        lastStopMillis = (System.nanoTime() - began) / 1e6;
        process = null;
        return clean;
    }

    /** SIGKILL (the JVM's destroyForcibly on Linux): no shutdown hook, no flush, no save. */
    void kill() throws InterruptedException {
        if (process == null) {
            return;
        }
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
        process = null;
    }

    private boolean answersConnect() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(HOST, port), 1000);
            socket.setSoTimeout(2000);
            OutputStream out = socket.getOutputStream();
            out.write(Mqtt.connect("bench-ready-check", 10, true));
            out.flush();
            InputStream in = socket.getInputStream();
            byte[] connack = in.readNBytes(4);
            boolean ok = connack.length == 4 && connack[0] == 0x20 && connack[3] == 0;
            out.write(Mqtt.DISCONNECT_PACKET);
            return ok;
        } catch (IOException e) {
            return false;
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress(HOST, 0));
            return socket.getLocalPort();
        }
    }

    static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.ISO_8859_1);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> paths = Files.walk(from)) {
            for (Path source : paths.toList()) {
                String relative = from.relativize(source).toString();
                if (relative.startsWith("data/") || relative.startsWith("logs/")) {
                    continue; // a run's state (shell socket, logs) is not part of the distribution
                }
                Path target = to.resolve(relative);
                if (Files.isDirectory(source)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(source, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** For the report: what this broker is and how it ran. */
    Map<String, Object> describe() {
        return Map.of("name", name, "kind", kind.toString(), "jvm", jvm(), "passThroughModules", withPassThrough ? 3 : 0);
    }
}
