package io.switchboard.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads a broker process's memory: RSS from /proc, and a JVM's heap after a full GC through jcmd. */
final class BrokerProbe {
    /** One heap space of GC.heap_info: G1's one line, or Serial's/Parallel's young and old generation lines. */
    private static final Pattern SPACE_USED = Pattern.compile("total \\d+K, used (\\d+)K");

    private BrokerProbe() {
    }

    /** VmRSS of the process in KiB, or -1 when the process is gone or /proc is not there. */
    static long rssKib(long pid) {
        return statusField(pid, "VmRSS:");
    }

    /** The soft open-files limit of a process ("self" for this one), or -1 if unknown. */
    static long openFilesLimit(String pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", pid, "limits"))) {
                if (line.startsWith("Max open files")) {
                    String soft = line.substring("Max open files".length()).trim().split("\\s+")[0];
                    return soft.equals("unlimited") ? Long.MAX_VALUE : Long.parseLong(soft);
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    private static long statusField(long pid, String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith(field)) {
                    return Long.parseLong(line.substring(field.length()).trim().split("\\s+")[0]);
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    /**
     * Heap in use after a full GC ({@code jcmd <pid> GC.run}, then {@code GC.heap_info}), in KiB; -1 when
     * jcmd is missing or fails. Bounded: each jcmd call gets 30 s.
     */
    static long heapUsedAfterGcKib(long pid) {
        if (run("jcmd", Long.toString(pid), "GC.run") == null) {
            return -1;
        }
        String info = run("jcmd", Long.toString(pid), "GC.heap_info");
        if (info == null) {
            return -1;
        }
        return heapUsedKib(info);
    }

    /** The heap in use that {@code GC.heap_info} prints: the sum of its spaces (metaspace is not heap); -1 if none. */
    static long heapUsedKib(String heapInfo) {
        Matcher m = SPACE_USED.matcher(heapInfo);
        long used = 0;
        boolean found = false;
        while (m.find()) {
            used += Long.parseLong(m.group(1));
            found = true;
        }
        return found ? used : -1;
    }

    private static String run(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            p.getOutputStream().close();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return null;
            }
            return p.exitValue() == 0 ? new String(out) : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
