package io.switchboard.itest.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.switchboard.itest.mqtt.support.Broker;
import io.switchboard.itest.mqtt.support.BrokerExtension;
import io.switchboard.itest.mqtt.support.Names;
import io.switchboard.itest.mqtt.support.Paho5;
import io.switchboard.itest.mqtt.support.Transport;

/**
 * Debian's {@code mosquitto_pub} and {@code mosquitto_sub} (package mosquitto-clients, libmosquitto)
 * against the distribution: MQTT 3.1.1 and 5 at every QoS, over TCP and TLS (with the test's
 * certificate as {@code --cafile}), retained messages, MQTT 5 user properties both ways, and the
 * profanity module seen from a command line. Skipped when the commands are not installed
 * ({@code .ci/run} installs them when it can).
 */
@ExtendWith(BrokerExtension.class)
class MosquittoClientsIT {

    private static final Duration WAIT = Duration.ofSeconds(20);

    @BeforeAll
    static void needsMosquittoClients() {
        assumeTrue(onPath("mosquitto_pub") && onPath("mosquitto_sub"),
                "mosquitto_pub/mosquitto_sub are not installed (Debian: apt-get install mosquitto-clients); skipping");
    }

    @ParameterizedTest(name = "{0} at QoS {1}")
    @CsvSource({"mqttv311, 0", "mqttv311, 1", "mqttv311, 2", "mqttv5, 0", "mqttv5, 1", "mqttv5, 2"})
    void mosquittoPubReachesMosquittoSub(String version, int qos, Broker broker) throws Exception {
        String topic = Names.topic("mosquitto");
        try (Sub sub = Sub.start(broker, Transport.TCP, "-V", version, "-t", topic, "-q", Integer.toString(qos), "-C", "1", "-v")) {
            Run pub = run(broker, Transport.TCP, "mosquitto_pub", "-V", version, "-t", topic, "-q", Integer.toString(qos),
                    "-m", "hello from mosquitto_pub");
            assertThat(pub.exit()).as("mosquitto_pub: " + pub).isZero();
            assertThat(sub.awaitExit()).as("mosquitto_sub output").containsExactly(topic + " hello from mosquitto_pub");
        }
    }

    @Test
    void overTlsWithTheBrokersCertificate(Broker broker) throws Exception {
        String topic = Names.topic("mosquittotls");
        try (Sub sub = Sub.start(broker, Transport.TLS, "-V", "mqttv5", "-t", topic, "-q", "1", "-C", "1")) {
            Run pub = run(broker, Transport.TLS, "mosquitto_pub", "-V", "mqttv311", "-t", topic, "-q", "1", "-m", "secret");
            assertThat(pub.exit()).as("mosquitto_pub over TLS: " + pub).isZero();
            assertThat(sub.awaitExit()).containsExactly("secret");
        }
    }

    @Test
    void aRetainedMessageFromMosquittoPubIsWaitingForMosquittoSub(Broker broker) throws Exception {
        String topic = Names.topic("mosquittoretain");
        Run pub = run(broker, Transport.TCP, "mosquitto_pub", "-V", "mqttv5", "-t", topic, "-q", "1", "-r", "-m", "kept");
        assertThat(pub.exit()).as("mosquitto_pub -r: " + pub).isZero();
        Run sub = run(broker, Transport.TCP, "mosquitto_sub", "-V", "mqttv311", "-t", topic, "-C", "1", "-W", "10",
                "-F", "%r %p");
        assertThat(sub.exit()).as("mosquitto_sub: " + sub).isZero();
        assertThat(sub.out().trim()).as("retain flag and payload").isEqualTo("1 kept");
        run(broker, Transport.TCP, "mosquitto_pub", "-t", topic, "-r", "-n"); // clear it
    }

    @Test
    void userPropertiesTravelBetweenMosquittoAndPaho(Broker broker) throws Exception {
        String topic = Names.topic("mosquittoprops");
        try (Paho5 paho = Paho5.connect(broker, Transport.TCP, Names.clientId("paho"))) {
            paho.subscribe(topic + "/in", 1);
            Run pub = run(broker, Transport.TCP, "mosquitto_pub", "-V", "mqttv5", "-t", topic + "/in", "-q", "1",
                    "-D", "publish", "user-property", "origin", "shell", "-m", "tagged");
            assertThat(pub.exit()).as("mosquitto_pub: " + pub).isZero();
            Paho5.Received got = paho.inbox().next();
            assertThat(got.text()).isEqualTo("tagged");
            assertThat(got.properties().getUserProperties()).extracting(p -> p.getKey() + "=" + p.getValue()).contains("origin=shell");

            try (Sub sub = Sub.start(broker, Transport.TCP, "-V", "mqttv5", "-t", topic + "/out", "-C", "1", "-F", "%P %p")) {
                MqttProperties props = new MqttProperties();
                props.setUserProperties(List.of(new org.eclipse.paho.mqttv5.common.packet.UserProperty("origin", "paho")));
                paho.publish(topic + "/out", new MqttMessage("from java".getBytes(StandardCharsets.UTF_8), 1, false, props));
                assertThat(sub.awaitExit()).singleElement().asString().contains("origin:paho").endsWith("from java");
            }
        }
    }

    @Test
    void theProfanityModuleAsSeenFromTheCommandLine(Broker broker) throws Exception {
        broker.assumeDistribution(); // the shipped profanity configuration
        String topic = Names.topic("mosquittochat");
        try (Sub sub = Sub.start(broker, Transport.TCP, "-t", topic, "-C", "1")) {
            Run pub = run(broker, Transport.TCP, "mosquitto_pub", "-t", topic, "-m", "oh heck");
            assertThat(pub.exit()).isZero();
            assertThat(sub.awaitExit()).containsExactly("oh ****");
        }
    }

    // ------------------------------------------------------------------------------ running the commands

    record Run(int exit, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exit + ", stdout: " + out + ", stderr: " + err;
        }
    }

    private static List<String> connection(Broker broker, Transport transport) {
        List<String> args = new ArrayList<>();
        if (transport.tls()) {
            args.addAll(List.of("-h", "localhost", "-p", Integer.toString(broker.port(transport)),
                    "--cafile", broker.keys().certificatePem().toString()));
        } else {
            args.addAll(List.of("-h", broker.host(), "-p", Integer.toString(broker.port(transport))));
        }
        args.addAll(List.of("-i", Names.clientId("mosq")));
        return args;
    }

    private static Run run(Broker broker, Transport transport, String command, String... args) throws Exception {
        List<String> line = new ArrayList<>();
        line.add(command);
        line.addAll(connection(broker, transport));
        line.addAll(List.of(args));
        Path out = Files.createTempFile("mosq", ".out");
        Path err = Files.createTempFile("mosq", ".err");
        try {
            Process process = new ProcessBuilder(line).redirectOutput(out.toFile()).redirectError(err.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
            if (!process.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError(String.join(" ", line) + " did not finish within " + WAIT);
            }
            return new Run(process.exitValue(), Files.readString(out), Files.readString(err));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    /** A running {@code mosquitto_sub -d}: started, then ready once its debug output shows the SUBACK. */
    static final class Sub implements AutoCloseable {
        private final Process process;
        private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        private final List<String> all = new ArrayList<>();

        private Sub(Process process) {
            this.process = process;
            Thread reader = new Thread(() -> {
                try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                    String l;
                    while ((l = in.readLine()) != null) {
                        lines.add(l);
                    }
                } catch (IOException e) {
                    // process ended
                }
                lines.add("\u0000EOF");
            }, "mosquitto_sub-reader");
            reader.setDaemon(true);
            reader.start();
        }

        static Sub start(Broker broker, Transport transport, String... args) throws Exception {
            List<String> line = new ArrayList<>();
            if (onPath("stdbuf")) {
                line.addAll(List.of("stdbuf", "-oL")); // line-buffered: the debug line with the SUBACK shows at once
            }
            line.add("mosquitto_sub");
            line.addAll(connection(broker, transport));
            line.add("-d");
            line.addAll(List.of("-W", Long.toString(WAIT.toSeconds())));
            line.addAll(List.of(args));
            Sub sub = new Sub(new ProcessBuilder(line).redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start());
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (true) {
                String l = sub.lines.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (l == null || l.equals("\u0000EOF")) {
                    sub.close();
                    throw new AssertionError("mosquitto_sub never reported its SUBACK: " + String.join(" ", line) + "\n" + sub.all);
                }
                sub.all.add(l);
                if (l.contains("received SUBACK")) {
                    return sub;
                }
            }
        }

        /** Waits for the process to end (it exits after -C messages) and returns the lines that are not debug output. */
        List<String> awaitExit() throws InterruptedException {
            if (!process.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)) {
                close();
                throw new AssertionError("mosquitto_sub did not exit within " + WAIT + "; output: " + all + lines);
            }
            List<String> messages = new ArrayList<>();
            String l;
            while ((l = lines.poll(5, TimeUnit.SECONDS)) != null && !l.equals("\u0000EOF")) {
                all.add(l);
                if (!l.startsWith("Client ") && !l.startsWith("Subscribed")) {
                    messages.add(l);
                }
            }
            assertThat(process.exitValue()).as("mosquitto_sub exit status; output " + all).isZero();
            return messages;
        }

        @Override
        public void close() {
            process.destroyForcibly();
        }
    }

    private static boolean onPath(String command) {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String dir : path.split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, command))) {
                return true;
            }
        }
        return false;
    }
}
