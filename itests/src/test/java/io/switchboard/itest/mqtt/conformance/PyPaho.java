package io.switchboard.itest.mqtt.conformance;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.switchboard.itest.mqtt.support.Broker;
import io.switchboard.itest.mqtt.support.Inbox;
import io.switchboard.itest.mqtt.support.Transport;

/**
 * Debian's Eclipse Paho python client ({@code python3-paho-mqtt}, run by {@value #PYTHON}, not a {@code python3}
 * found on the PATH) as a process driven line by line through {@code paho_client.py} (its protocol is described
 * there): commands on its standard input, events (CONNACK, SUBACK, messages...) read into an {@link Inbox}. Every
 * wait is bounded; {@link #close()} ends the process.
 */
final class PyPaho implements AutoCloseable {

    static final String PYTHON = "/usr/bin/python3";
    private static final Duration EXIT = Duration.ofSeconds(10);

    /** One event line: a word and its fields, in order (keys may repeat). */
    record Event(String type, List<Map.Entry<String, String>> fields) {
        String get(String key) {
            return fields.stream().filter(f -> f.getKey().equals(key)).map(Map.Entry::getValue).findFirst().orElse(null);
        }

        List<String> all(String key) {
            return fields.stream().filter(f -> f.getKey().equals(key)).map(Map.Entry::getValue).toList();
        }

        int integer(String key) {
            String value = get(key);
            if (value == null) {
                throw new AssertionError("no " + key + " in " + this);
            }
            return Integer.parseInt(value);
        }

        /** The user properties as "name=value", in order. */
        List<String> userProperties() {
            return all("user");
        }

        /** The property fields (everything but topic, qos, retain, payload), in order, as "key=value". */
        List<String> properties() {
            return fields.stream().filter(f -> !List.of("topic", "qos", "retain", "payload").contains(f.getKey()))
                    .map(f -> f.getKey() + "=" + f.getValue()).toList();
        }

        @Override
        public String toString() {
            return type + fields;
        }
    }

    private final Process process;
    private final Writer in;
    private final Inbox<Event> events;
    private final List<String> stderr = new ArrayList<>();

    private PyPaho(Process process, String owner) {
        this.process = process;
        this.in = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        this.events = new Inbox<>(owner);
        Thread reader = new Thread(() -> {
            try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = out.readLine()) != null) {
                    events.add(parse(line));
                }
            } catch (IOException e) {
                // the process ended
            }
        }, "python-paho-reader");
        reader.setDaemon(true);
        reader.start();
        Thread errors = new Thread(() -> {
            try (BufferedReader err = new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = err.readLine()) != null) {
                    synchronized (stderr) {
                        stderr.add(line);
                    }
                }
            } catch (IOException e) {
                // the process ended
            }
        }, "python-paho-stderr");
        errors.setDaemon(true);
        errors.start();
    }

    /** Skips the calling test (class) when Debian's python3-paho-mqtt is not installed. */
    static void assumeInstalled() {
        boolean installed = false;
        if (new File(PYTHON).canExecute()) {
            try {
                Process p = new ProcessBuilder(PYTHON, "-c", "import paho.mqtt.client").redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                installed = p.waitFor(20, TimeUnit.SECONDS) && p.exitValue() == 0;
                p.destroyForcibly();
            } catch (IOException e) {
                installed = false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        assumeTrue(installed, PYTHON + " with paho.mqtt is not installed (Debian: apt-get install python3-paho-mqtt); skipping");
    }

    /**
     * Starts a client and waits for its CONNACK (or a refusal, as an {@code error} or {@code connack} event: see
     * {@link #connack()}). {@code options}: "key=value" connection options of paho_client.py (clean=0, expiry=60...).
     */
    static PyPaho start(Broker broker, int version, String clientId, String... options) throws IOException {
        List<String> command = new ArrayList<>(List.of(PYTHON, script().toString(), "host=" + broker.host(),
                "port=" + broker.port(Transport.TCP), "version=" + (version == 5 ? "5" : "4"), "id=" + clientId));
        command.addAll(List.of(options));
        Process process = new ProcessBuilder(command).start();
        return new PyPaho(process, "python-paho " + (version == 5 ? "5.0" : "3.1.1") + " client '" + clientId + "'");
    }

    private static Path script() {
        try {
            return Path.of(PyPaho.class.getResource("paho_client.py").toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The first event, which must be the CONNACK; fails (with the client's error output) otherwise. */
    Event connack() {
        return expect("connack");
    }

    /** Sends a command: a word and "key=value" fields (values encoded here; "user=name:value" parts too). */
    PyPaho send(String word, String... fields) throws IOException {
        StringBuilder line = new StringBuilder(word);
        for (String field : fields) {
            int eq = field.indexOf('=');
            String key = field.substring(0, eq);
            String value = field.substring(eq + 1);
            line.append('\t').append(key).append('=');
            if (key.equals("user")) {
                int colon = value.indexOf(':');
                line.append(encode(value.substring(0, colon))).append(':').append(encode(value.substring(colon + 1)));
            } else {
                line.append(encode(value));
            }
        }
        in.write(line.append('\n').toString());
        in.flush();
        return this;
    }

    /** Subscribes and returns the SUBACK's codes. */
    List<Integer> subscribe(String filter, int qos, String... options) throws IOException {
        List<String> fields = new ArrayList<>(List.of("filter=" + filter, "qos=" + qos));
        fields.addAll(List.of(options));
        send("subscribe", fields.toArray(String[]::new));
        return codes(expect("suback"));
    }

    /** Publishes and waits until its acknowledgement flow is over. */
    void publish(String topic, String payload, int qos, String... options) throws IOException {
        List<String> fields = new ArrayList<>(List.of("topic=" + topic, "payload=" + payload, "qos=" + qos));
        fields.addAll(List.of(options));
        send("publish", fields.toArray(String[]::new));
        expect("published");
    }

    /** The next event, which must be of {@code type}. */
    Event expect(String type) {
        Event e;
        try {
            e = events.next();
        } catch (AssertionError timeout) {
            throw new AssertionError(timeout.getMessage() + "; stderr: " + stderr(), timeout);
        }
        if (!e.type().equals(type)) {
            throw new AssertionError("expected a '" + type + "' event, got " + e + "; stderr: " + stderr());
        }
        return e;
    }

    Inbox<Event> events() {
        return events;
    }

    /** Ends the process at once (SIGKILL): to the broker, a network connection lost without DISCONNECT. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(EXIT.toSeconds(), TimeUnit.SECONDS);
    }

    /** Sends DISCONNECT (with {@code fields}, e.g. "expiry=0") and waits for the process to end. */
    void disconnect(String... fields) throws IOException, InterruptedException {
        send("disconnect", fields);
        if (!process.waitFor(EXIT.toSeconds(), TimeUnit.SECONDS)) {
            throw new AssertionError("python-paho did not end within " + EXIT + " after DISCONNECT; stderr: " + stderr());
        }
    }

    private String stderr() {
        synchronized (stderr) {
            return String.join("\n", stderr);
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            try {
                in.close(); // end of input: the script disconnects
                if (!process.waitFor(2, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (IOException e) {
                process.destroyForcibly();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
            }
        }
    }

    static List<Integer> codes(Event e) {
        String codes = e.get("codes");
        if (codes == null || codes.isEmpty()) {
            return List.of();
        }
        return java.util.Arrays.stream(codes.split(",")).map(Integer::valueOf).toList();
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static Event parse(String line) {
        String[] parts = line.split("\t");
        List<Map.Entry<String, String>> fields = new ArrayList<>();
        for (int i = 1; i < parts.length; i++) {
            int eq = parts[i].indexOf('=');
            if (eq < 0) {
                continue;
            }
            String key = parts[i].substring(0, eq);
            String value = parts[i].substring(eq + 1);
            if (key.equals("user")) {
                int colon = value.indexOf(':');
                value = decode(value.substring(0, colon)) + "=" + decode(value.substring(colon + 1));
            } else {
                value = decode(value);
            }
            fields.add(Map.entry(key, value));
        }
        return new Event(parts[0], fields);
    }

    private static String decode(String value) {
        return URLDecoder.decode(value.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    static Map<String, String> map(Event e) {
        Map<String, String> m = new LinkedHashMap<>();
        e.fields().forEach(f -> m.putIfAbsent(f.getKey(), f.getValue()));
        return m;
    }
}
