package io.switchboard.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** The machine, software versions and commit a suite run measured, for the report. */
final class Machine {
    private Machine() {
    }

    static Map<String, Object> describe(SuiteOptions options) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("cpu", cpuModel());
        m.put("cpus", SuiteOptions.cpuCount());
        m.put("memory", memory());
        m.put("kernel", read("/proc/sys/kernel/osrelease"));
        m.put("jdk", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
        m.put("openFilesLimit", BrokerProbe.openFilesLimit("self"));
        // docs/ does not count: the benchmarks themselves rewrite it
        m.put("switchboardCommit", git(options, "rev-parse", "--short", "HEAD")
                + (git(options, "status", "--porcelain", "--untracked-files=no", "--", ".", ":(exclude)docs").isBlank() ? ""
                        : " (with uncommitted changes)"));
        m.put("mosquittoVersion", options.mosquitto == null ? "not installed" : firstLine(run(options.mosquitto, "-h")));
        m.put("moquetteVersion", "0.17 (io.moquette:moquette-broker, Maven Central), Netty 4.1.93.Final");
        return m;
    }

    static String loadAverage() {
        String avg = read("/proc/loadavg");
        String[] parts = avg.split("\\s+");
        return parts.length >= 3 ? parts[0] + " " + parts[1] + " " + parts[2] : avg;
    }

    private static String cpuModel() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        } catch (IOException e) {
            // fall through
        }
        return System.getProperty("os.arch");
    }

    private static String memory() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemTotal:")) {
                    long kib = Long.parseLong(line.replaceAll("\\D+", ""));
                    return String.format("%.1f GiB", kib / 1024.0 / 1024.0);
                }
            }
        } catch (IOException | NumberFormatException e) {
            // fall through
        }
        return "unknown";
    }

    private static String read(String file) {
        try {
            return Files.readString(Path.of(file)).trim();
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static String git(SuiteOptions options, String... args) {
        String[] command = new String[args.length + 3];
        command[0] = "git";
        command[1] = "-C";
        command[2] = options.root.toString();
        System.arraycopy(args, 0, command, 3, args.length);
        return run(command).trim();
    }

    private static String firstLine(String text) {
        List<String> lines = text.lines().filter(l -> !l.isBlank()).toList();
        return lines.isEmpty() ? "unknown" : lines.get(0).trim();
    }

    /** A short command's output (stdout and stderr), bounded to 30 s; "" when it cannot run. */
    static String run(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            p.getOutputStream().close();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
            return new String(out);
        } catch (IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }
}
