package io.switchboard.module.audit.internal;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

import io.switchboard.api.Message;
import io.switchboard.testkit.Configs;
import io.switchboard.testkit.FakeHost;
import io.switchboard.testkit.FakeSession;

/**
 * A focused microbenchmark of the audit module (not a test: run by hand, see docs/benchmarks.md "Audit module").
 * It uses only what the module had before and after the rework ({@code start(.., false)}, {@code onMessage},
 * {@code startWriter}, {@code stats().written()}), so the same source compiled against either version compares
 * them:
 * <ol>
 * <li>callback: {@code onMessage} of 64-byte messages (shipped settings: no payload in the line, queue of
 * 10,000) in bursts of 10,000 with the writer running, waiting for it to catch up between bursts (so no call
 * waits or drops): ns and bytes allocated per call on the calling thread;</li>
 * <li>writer: a fresh module with the writer not started is filled with {@code lines} lines; the writer then
 * starts and the time until it wrote them all gives its lines per second.</li>
 * </ol>
 *
 * <pre>java -cp ... io.switchboard.module.audit.internal.AuditThroughput &lt;dir&gt; &lt;lines&gt; &lt;label&gt; &lt;rounds&gt;</pre>
 */
public final class AuditThroughput {

    private static final int BURST = 10_000;
    private static final int BURSTS = 100;

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        int lines = Integer.parseInt(args[1]);
        String label = args[2];
        int rounds = args.length > 3 ? Integer.parseInt(args[3]) : 1;
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        Message[] messages = new Message[1024];
        byte[] payload = new byte[64];
        for (int i = 0; i < messages.length; i++) {
            messages[i] = Message.builder("bench/run1/" + (i % 4)).id(i).from("pub-" + (i % 4)).qos(0)
                    .timestamp(1_764_000_000_000L + i).payload(payload).build();
        }
        FakeSession session = FakeSession.builder().id(7).user("pub-0").clientId("pub-0-client").build();
        long tid = Thread.currentThread().getId();
        for (int round = 0; round < rounds; round++) {
            // 1. the callback, bursts of a queue's worth with the writer running
            Path home = dir.resolve(label + "-" + round);
            deleteTree(home);
            Map<String, Object> config = Map.of("queue.size", Integer.toString(BURST), "max.file.size",
                    Long.toString(1L << 40));
            AuditModule module = new AuditModule();
            FakeHost host = new FakeHost("io.switchboard.module.audit");
            module.host = host;
            module.start(config, Configs.of(AuditConfig.class, config), home, true);
            long callNanos = 0;
            long callBytes = 0;
            for (int b = 0; b < BURSTS; b++) {
                long bytes0 = threads.getThreadAllocatedBytes(tid);
                long t0 = System.nanoTime();
                for (int i = 0; i < BURST; i++) {
                    module.onMessage(messages[i & 1023], session);
                }
                callNanos += System.nanoTime() - t0;
                callBytes += threads.getThreadAllocatedBytes(tid) - bytes0;
                long target = (long) (b + 1) * BURST;
                while (module.stats().written() < target) {
                    Thread.onSpinWait();
                }
            }
            module.deactivate();
            host.close();
            deleteTree(home);

            // 2. the writer alone, from a full queue
            config = Map.of("queue.size", Integer.toString(lines), "max.file.size", Long.toString(1L << 40));
            module = new AuditModule();
            host = new FakeHost("io.switchboard.module.audit");
            module.host = host;
            module.start(config, Configs.of(AuditConfig.class, config), home, false);
            for (int i = 0; i < lines; i++) {
                module.onMessage(messages[i & 1023], session);
            }
            System.gc(); // the queued entries' copying is not the writer's
            long w0 = System.nanoTime();
            module.startWriter();
            while (module.stats().written() < lines) {
                Thread.onSpinWait();
            }
            long w1 = System.nanoTime();
            module.deactivate();
            host.close();
            long fileBytes = Files.size(home.resolve("logs/audit.jsonl"));
            System.out.printf("RESULT %s round=%d callback_ns=%.1f callback_bytes=%.1f writer_lines_per_s=%.0f "
                    + "bytes_per_line=%.1f%n", label, round, callNanos / (double) (BURST * BURSTS),
                    callBytes / (double) (BURST * BURSTS), lines / ((w1 - w0) / 1e9), fileBytes / (double) lines);
            deleteTree(home);
        }
    }

    private static void deleteTree(Path p) throws Exception {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> s = Files.walk(p)) {
            s.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
    }
}
