package io.switchboard.bench.moquette;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Stream;

import io.moquette.broker.Server;
import io.moquette.broker.config.MemoryConfig;
import org.apache.log4j.ConsoleAppender;
import org.apache.log4j.Level;
import org.apache.log4j.Logger;
import org.apache.log4j.PatternLayout;

/**
 * Moquette 0.17 as a stand-alone broker for the benchmark:
 * {@code MoquetteMain --host 127.0.0.1 --port 1883}. Anonymous clients, no persistence (in-memory
 * sessions and queues), no telemetry. Prints {@code moquette ready on host:port} once it accepts
 * connections and runs until killed.
 */
public final class MoquetteMain {

    private MoquetteMain() {
    }

    public static void main(String[] args) throws Exception {
        String host = "127.0.0.1";
        int port = 1883;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--host" -> host = value(args, ++i);
                case "--port" -> port = Integer.parseInt(value(args, ++i));
                default -> {
                    System.err.println("usage: MoquetteMain [--host 127.0.0.1] [--port 1883]");
                    System.exit(2);
                }
            }
        }
        // Moquette logs through log4j 1 (reload4j) and brings no configuration: its warnings and errors go to stdout,
        // the suite's broker.log, so that a connection it closes or a trial it fails says why
        Logger root = Logger.getRootLogger();
        root.setLevel(Level.WARN);
        root.addAppender(new ConsoleAppender(new PatternLayout("%d %p [%t] %c - %m%n")));
        // Moquette wants a data path even with persistence off; nothing is written there then
        Path dataPath = Files.createTempDirectory("moquette-bench");
        Properties properties = new Properties();
        properties.setProperty("host", host);
        properties.setProperty("port", Integer.toString(port));
        properties.setProperty("websocket_port", "disabled");
        properties.setProperty("allow_anonymous", "true");
        properties.setProperty("persistence_enabled", "false");
        properties.setProperty("data_path", dataPath.toString());
        properties.setProperty("telemetry_enabled", "false");
        properties.setProperty("use_metrics", "false");
        properties.setProperty("use_bugsnag", "false");
        properties.setProperty("netty.tcp_nodelay", "true");

        Server server = new Server();
        server.startServer(new MemoryConfig(properties));
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.stopServer();
            deleteQuietly(dataPath);
            stopped.countDown();
        }, "moquette-stop"));
        System.out.println("moquette ready on " + host + ":" + port + " (persistence off, data path " + dataPath + ")");
        System.out.flush();
        stopped.await();
    }

    private static String value(String[] args, int i) {
        if (i >= args.length) {
            throw new IllegalArgumentException("missing value for " + args[i - 1]);
        }
        return args[i];
    }

    private static void deleteQuietly(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temp dir left behind is harmless
        }
    }
}
