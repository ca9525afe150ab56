package io.switchboard.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.ProcessBuilder.Redirect;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the assembled distribution ({@code target/switchboard}, built in the package phase) as an
 * operator would: {@code bin/switchboard} in the background with stdin closed, commands through
 * {@code bin/switchboard-shell}, a module hot-deployed and removed through {@code deploy/}, then
 * SIGTERM.
 */
class DistributionIT {

    private static final Duration STARTUP = Duration.ofSeconds(90);
    private static final Duration DEPLOY = Duration.ofSeconds(60);
    private static final Duration STOP = Duration.ofSeconds(60);
    private static final Duration SHELL_COMMAND = Duration.ofSeconds(60);
    /** A second broker on the same home gives up at once: a JVM start and a file lock. */
    private static final Duration REFUSAL = Duration.ofSeconds(20);

    @TempDir
    Path temp;

    private Path home;
    private Path moduleJar;
    private int httpPort;
    private Process broker;
    /** The file {@link #broker} prints to, in {@code temp}. */
    private String brokerConsole = "console.out";

    @BeforeEach
    void copyDistribution() throws IOException {
        Path distribution = Path.of(System.getProperty("switchboard.distribution", "target/switchboard"));
        assertThat(distribution.resolve("bin/switchboard")).as("assembled distribution").isRegularFile();
        home = temp.resolve("sb");
        copyTree(distribution, home);

        // Start with an EMPTY deploy/; keep the shipped module aside to deploy it while running.
        try (Stream<Path> jars = Files.list(home.resolve("deploy"))) {
            List<Path> shipped = jars.filter(p -> p.getFileName().toString().startsWith("io.switchboard.module.profanity"))
                    .toList();
            assertThat(shipped).as("the profanity module shipped in deploy/").hasSize(1);
            moduleJar = Files.move(shipped.get(0), temp.resolve(shipped.get(0).getFileName()));
        }
        try (Stream<Path> rest = Files.list(home.resolve("deploy"))) {
            for (Path p : (Iterable<Path>) rest::iterator) {
                Files.delete(p);
            }
        }
        // MQTT listeners on free ports (0): the shipped 1883/9001 may be taken on a build machine.
        try (Stream<Path> listeners = Files.list(home.resolve("configadmin"))) {
            for (Path cfg : (Iterable<Path>) listeners.filter(p -> p.getFileName().toString()
                    .startsWith("io.switchboard.mqtt.listener-"))::iterator) {
                String text = Files.readString(cfg, StandardCharsets.ISO_8859_1);
                Files.writeString(cfg, text.replaceAll("(?m)^port\\s*=.*$", "port = 0"), StandardCharsets.ISO_8859_1);
            }
        }
        // HTTP (/metrics, /health) on a free port too: the shipped 8080 may be taken.
        httpPort = freePort();
        Path http = home.resolve("configadmin/org.apache.felix.http.cfg");
        Files.writeString(http, Files.readString(http, StandardCharsets.ISO_8859_1)
                .replaceAll("(?m)^org\\.osgi\\.service\\.http\\.port\\s*=.*$", "org.osgi.service.http.port = " + httpPort),
                StandardCharsets.ISO_8859_1);
    }

    private static int freePort() throws IOException {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    @AfterEach
    void killLeftovers() throws InterruptedException {
        if (broker != null && broker.isAlive()) {
            broker.destroyForcibly();
            broker.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void startsHotDeploysAndStopsCleanly() throws Exception {
        assertThat(shell("lb").exit()).as("switchboard-shell before the broker runs").isEqualTo(ShellClient.EXIT_NOT_RUNNING);

        broker = startBroker("console.out");

        Result lb = await("bin/switchboard-shell lb succeeds", STARTUP, () -> shell("lb"), r -> r.exit() == 0);
        Result symbolicNames = shell("lb -s");
        assertThat(symbolicNames.out()).as("lb -s").contains("io.switchboard.core").contains("io.switchboard.shell")
                .doesNotContain("io.switchboard.module.profanity");
        await("every system bundle resolves (lb shows none Installed)", STARTUP, () -> shell("lb"),
                r -> r.exit() == 0 && !r.out().contains("|Installed"));

        // HTTP for administration: on loopback, at the configured port, alive
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        java.net.http.HttpRequest live = java.net.http.HttpRequest.newBuilder(
                java.net.URI.create("http://127.0.0.1:" + httpPort + "/health/live")).timeout(Duration.ofSeconds(10)).build();
        int status = await("GET /health/live answers 200", STARTUP, () -> {
            try {
                return http.send(live, java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode();
            } catch (IOException e) {
                return -1;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return -1;
            }
        }, code -> code == 200);
        assertThat(status).isEqualTo(200);

        Result failed = shell("no-such-command");
        assertThat(failed.exit()).as("a failing command").isEqualTo(ShellClient.EXIT_FAILED);
        assertThat(failed.err()).contains("no-such-command");

        Result chain = shell("sb:chain");
        assertThat(chain.exit()).as("sb:chain: " + chain).isZero();
        assertThat(listsProfanity(chain.out())).as("sb:chain with an empty deploy/: " + chain.out()).isFalse();

        // A copy still in progress in deploy/ (not a *.jar) must be ignored, though it is a whole bundle.
        Path partial = Files.copy(moduleJar, home.resolve("deploy").resolve(moduleJar.getFileName() + ".part"));
        // Hot deploy: appear in deploy/ in one step (a move), as an operator's cp + mv would.
        Path staged = home.resolve("module.jar.tmp");
        Files.copy(moduleJar, staged);
        Path deployed = Files.move(staged, home.resolve("deploy").resolve(moduleJar.getFileName()),
                StandardCopyOption.ATOMIC_MOVE);
        await("sb:chain lists the profanity module", DEPLOY, () -> shell("sb:chain"),
                r -> r.exit() == 0 && listsProfanity(r.out()));
        // the scan that installed the jar saw the .part file too
        Result locations = shell("lb -l");
        assertThat(locations.out()).as("bundle locations (lb -l)").contains(deployed.getFileName().toString())
                .doesNotContain(partial.getFileName().toString());
        Files.delete(partial);

        // Hot undeploy: uninstalled, gone from the chain.
        Files.delete(deployed);
        await("sb:chain no longer lists the profanity module", DEPLOY, () -> shell("sb:chain"),
                r -> r.exit() == 0 && !listsProfanity(r.out()));
        await("the profanity bundle is uninstalled", DEPLOY, () -> shell("lb -s"),
                r -> r.exit() == 0 && !r.out().contains("io.switchboard.module.profanity"));

        broker.destroy(); // SIGTERM
        if (!broker.waitFor(STOP.toSeconds(), TimeUnit.SECONDS)) {
            fail("no exit within " + STOP + " of SIGTERM\n" + console());
        }
        assertThat(broker.exitValue()).as("exit status after SIGTERM\n" + console()).isZero();
        assertThat(console()).contains("Switchboard stopped");

        Path log = home.resolve("logs/switchboard.log");
        assertThat(log).as("the log file").isRegularFile();
        assertThat(Files.size(log)).as("the log file's size").isPositive();
        assertThat(home.resolve("data/shell.sock")).as("the socket, removed on stop").doesNotExist();
        assertThat(shell("lb").exit()).as("switchboard-shell after the stop").isEqualTo(ShellClient.EXIT_NOT_RUNNING);
    }

    /**
     * A module made from {@code templates/module} (built by the test kit's {@code TemplateBuildIT},
     * which leaves {@code greeter.jar}; skipped when that has not run) hot-deploys into the running
     * distribution and takes part in the chain.
     */
    @Test
    void aModuleBuiltFromTheTemplateHotDeploys() throws Exception {
        Path greeter = Path.of(System.getProperty("switchboard.template.jar",
                "../bundles/io.switchboard.testkit/target/template-build/greeter.jar"));
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isRegularFile(greeter),
                "no module built from the template at " + greeter + " (the test kit's TemplateBuildIT makes it)");
        broker = startBroker("console.out");
        await("bin/switchboard-shell lb succeeds", STARTUP, () -> shell("lb"), r -> r.exit() == 0);

        Path staged = home.resolve("greeter.jar.tmp");
        Files.copy(greeter, staged);
        Files.move(staged, home.resolve("deploy/com.acme.greeter-1.0.0-SNAPSHOT.jar"), StandardCopyOption.ATOMIC_MOVE);
        await("sb:chain lists the greeter module", DEPLOY, () -> shell("sb:chain"),
                r -> r.exit() == 0 && r.out().contains("greeter"));
        Result trace = shell("sb:trace chat/room hello");
        assertThat(trace.out()).as("sb:trace: " + trace).contains("greeter").contains("replace");

        broker.destroy(); // SIGTERM
        if (!broker.waitFor(STOP.toSeconds(), TimeUnit.SECONDS)) {
            fail("no exit within " + STOP + " of SIGTERM\n" + console());
        }
        assertThat(broker.exitValue()).as("exit status after SIGTERM\n" + console()).isZero();
    }

    /**
     * One broker per home: a second {@code bin/switchboard} on the same home exits with status 1 at
     * once, naming the running one, and leaves it alone (shell socket, MQTT port); once the first is
     * killed with SIGKILL, its lock file left behind does not block a new start.
     */
    @Test
    void aSecondBrokerOnTheSameHomeRefusesToStartAndAKilledOneDoesNotBlockARestart() throws Exception {
        broker = startBroker("console.out");
        await("bin/switchboard-shell lb succeeds", STARTUP, () -> shell("lb"), r -> r.exit() == 0);
        int port = awaitMqttPort("console.out");
        Process first = broker;

        Process second = startBroker("second.out");
        try {
            if (!second.waitFor(REFUSAL.toSeconds(), TimeUnit.SECONDS)) {
                fail("a second broker on the same home still runs after " + REFUSAL + "\n" + console("second.out"));
            }
        } finally {
            second.destroyForcibly();
        }
        String refusal = console("second.out");
        assertThat(second.exitValue()).as("the second broker's exit status\n" + refusal).isEqualTo(1);
        assertThat(refusal).contains("Switchboard is already running on " + home.toRealPath() + " (pid " + first.pid() + ", started ")
                .contains("bin/switchboard-shell \"stop 0\"")
                .doesNotContain("Switchboard started");

        assertThat(first.isAlive()).as("the first broker runs on").isTrue();
        assertThat(shell("lb").exit()).as("switchboard-shell reaches the first broker").isZero();
        assertThat(shell("sb:chain").exit()).as("switchboard-shell sb:chain").isZero();
        assertThat(mqttConnack(port)).as("CONNACK from the first broker's MQTT port " + port).isTrue();

        first.destroyForcibly(); // SIGKILL: data/switchboard.lock and data/shell.sock stay behind
        assertThat(first.waitFor(STOP.toSeconds(), TimeUnit.SECONDS)).as("exit after SIGKILL").isTrue();
        assertThat(home.resolve("data/switchboard.lock")).as("the lock file left by the killed broker").isRegularFile();

        broker = startBroker("third.out");
        brokerConsole = "third.out";
        await("bin/switchboard-shell lb succeeds after a restart", STARTUP, () -> shell("lb"), r -> r.exit() == 0);
        assertThat(mqttConnack(awaitMqttPort("third.out"))).as("CONNACK from the restarted broker").isTrue();
        assertThat(Files.readString(home.resolve("data/switchboard.lock"))).as("the lock file names the new broker")
                .contains("pid=" + broker.pid());
    }

    /**
     * A store that cannot be read stops the start: exit status 1 and a message naming its directory and
     * what to do, no MQTT listener bound.
     */
    @Test
    void aDamagedStoreStopsTheStartNamingIt() throws Exception {
        Path store = home.resolve("data/store");
        Files.createDirectories(store);
        // RocksDB's pointer to its manifest, and a manifest that got damaged
        Files.writeString(store.resolve("CURRENT"), "MANIFEST-000001\n");
        Files.write(store.resolve("MANIFEST-000001"),
                "not a RocksDB manifest at all, something that got damaged".repeat(300).getBytes(StandardCharsets.UTF_8));
        Process damaged = startBroker("damaged.out");
        try {
            if (!damaged.waitFor(STARTUP.toSeconds(), TimeUnit.SECONDS)) {
                fail("a broker with a damaged store still runs after " + STARTUP + "\n" + console("damaged.out"));
            }
        } finally {
            damaged.destroyForcibly();
        }
        String output = console("damaged.out");
        assertThat(damaged.exitValue()).as("exit status\n" + output).isEqualTo(1);
        assertThat(output).contains("Switchboard stopped: cannot open the broker's store ").contains("data/store")
                .contains("move the directory away").doesNotContain("listening: tcp");
    }

    /** True if a line of {@code sb:chain} names a module whose name starts with "profanity". */
    static boolean listsProfanity(String chainOutput) {
        return chainOutput.lines()
                .flatMap(line -> Arrays.stream(line.trim().split("[\\s|]+")))
                .anyMatch(token -> token.startsWith("profanity"));
    }

    // ---------------------------------------------------------------------------------- helpers

    record Result(int exit, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exit + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    /** Starts {@code bin/switchboard} in the background, its output in {@code temp/<console>}, stdin closed. */
    private Process startBroker(String console) throws IOException {
        ProcessBuilder start = new ProcessBuilder(home.resolve("bin/switchboard").toString())
                .directory(home.toFile())
                .redirectErrorStream(true)
                .redirectOutput(temp.resolve(console).toFile());
        start.environment().put("JAVA_HOME", System.getProperty("java.home"));
        Process process = start.start();
        // End of stdin must not stop a broker started without a terminal (gosh --nointeractive).
        process.getOutputStream().close();
        return process;
    }

    /** The port of the 'tcp' listener (configured as port 0), from the broker's log line on {@code console}. */
    private int awaitMqttPort(String console) throws InterruptedException {
        Pattern listening = Pattern.compile("MQTT listener 'tcp' listening: tcp on \\S+:(\\d+)");
        Matcher found = await("the 'tcp' MQTT listener is bound", STARTUP,
                () -> listening.matcher(console(console)), Matcher::find);
        return Integer.parseInt(found.group(1));
    }

    /** Sends an MQTT 3.1.1 CONNECT to localhost:port; true on a CONNACK that accepts it. */
    private static boolean mqttConnack(int port) throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout((int) SHELL_COMMAND.toMillis());
            byte[] clientId = "distribution-it".getBytes(StandardCharsets.UTF_8);
            ByteArrayOutputStream connect = new ByteArrayOutputStream();
            connect.write(new byte[] {0x10, (byte) (12 + clientId.length), 0, 4, 'M', 'Q', 'T', 'T', 4, 0x02, 0, 60,
                    0, (byte) clientId.length});
            connect.write(clientId);
            OutputStream out = socket.getOutputStream();
            out.write(connect.toByteArray());
            out.flush();
            byte[] connack = socket.getInputStream().readNBytes(4);
            out.write(new byte[] {(byte) 0xE0, 0}); // DISCONNECT
            out.flush();
            return Arrays.equals(connack, new byte[] {0x20, 2, 0, 0});
        }
    }

    private Result shell(String command) {
        try {
            Path out = Files.createTempFile(temp, "shell", ".out");
            Path err = Files.createTempFile(temp, "shell", ".err");
            ProcessBuilder builder = new ProcessBuilder(home.resolve("bin/switchboard-shell").toString(), command)
                    .redirectInput(Redirect.from(new java.io.File("/dev/null")))
                    .redirectOutput(out.toFile())
                    .redirectError(err.toFile());
            builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
            Process process = builder.start();
            if (!process.waitFor(SHELL_COMMAND.toSeconds(), TimeUnit.SECONDS)) {
                process.destroyForcibly();
                fail("switchboard-shell \"" + command + "\" did not finish within " + SHELL_COMMAND + "\n" + console());
            }
            return new Result(process.exitValue(), Files.readString(out), Files.readString(err));
        } catch (IOException e) {
            throw new AssertionError("cannot run switchboard-shell", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Repeats {@code attempt} until {@code done} holds, for at most {@code limit}. */
    private <T> T await(String what, Duration limit, Supplier<T> attempt, Predicate<T> done) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        T last;
        do {
            if (broker != null && !broker.isAlive()) {
                fail("the broker exited (status " + broker.exitValue() + ") while waiting until " + what + "\n" + console());
            }
            last = attempt.get();
            if (done.test(last)) {
                return last;
            }
            Thread.sleep(250);
        } while (System.nanoTime() < deadline);
        fail("not within " + limit + ": " + what + "\nlast attempt: " + last + "\n" + console());
        return last;
    }

    private String console() {
        return "--- broker console (" + brokerConsole + ")\n" + console(brokerConsole);
    }

    /** What a broker started with {@link #startBroker} printed so far. */
    private String console(String name) {
        try {
            Path file = temp.resolve(name);
            return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "(none)";
        } catch (IOException e) {
            return "(console unreadable: " + e + ")";
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
                continue; // left by someone running target/switchboard itself
            }
            Path target = to.resolve(relative.toString());
            if (Files.isDirectory(source)) {
                Files.createDirectories(target);
            } else {
                Files.copy(source, target, StandardCopyOption.COPY_ATTRIBUTES);
            }
        }
    }
}
