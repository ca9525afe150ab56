package io.switchboard.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU time from /proc: a process's utime + stime (/proc/PID/stat, all its threads, in clock ticks), the
 * whole machine's busy time (/proc/stat), and the load average. Resolution: one clock tick (10 ms at the
 * usual 100 Hz), so a measurement needs a second or more of busy broker to be worth a percent.
 */
final class CpuTime {
    /** Clock ticks per second (USER_HZ): {@code getconf CLK_TCK}, 100 when that cannot run. */
    static final long TICKS_PER_SECOND = clockTicks();

    private CpuTime() {
    }

    /** utime + stime of the process in clock ticks, or -1 when it is gone or /proc is not there. */
    static long processTicks(long pid) {
        return ticksOf(Path.of("/proc", Long.toString(pid), "stat"));
    }

    /** utime + stime of this JVM (the load generator) in clock ticks, or -1. */
    static long selfTicks() {
        return ticksOf(Path.of("/proc/self/stat"));
    }

    private static long ticksOf(Path stat) {
        try {
            return ticksFromStat(Files.readString(stat));
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /**
     * utime + stime (fields 14 and 15) of a /proc/PID/stat line. The command name (field 2) is in parentheses
     * and may itself contain spaces and parentheses, so fields are counted after the last ')'.
     */
    static long ticksFromStat(String stat) {
        int close = stat.lastIndexOf(')');
        if (close < 0) {
            throw new IllegalArgumentException("not a /proc/PID/stat line: " + stat);
        }
        String[] f = stat.substring(close + 1).trim().split("\\s+");
        // f[0] is field 3 (state): utime is field 14 -> f[11], stime field 15 -> f[12]
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }

    /** Busy ticks of all CPUs together (user, nice, system, irq, softirq, steal), or -1. */
    static long machineBusyTicks() {
        try {
            return busyTicksFromProcStat(Files.readString(Path.of("/proc/stat")));
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** The first line of /proc/stat: {@code cpu user nice system idle iowait irq softirq steal ...}. */
    static long busyTicksFromProcStat(String procStat) {
        String first = procStat.lines().findFirst().orElse("");
        String[] f = first.trim().split("\\s+");
        if (!f[0].equals("cpu") || f.length < 9) {
            throw new IllegalArgumentException("not /proc/stat: " + first);
        }
        long busy = 0;
        for (int i : new int[] {1, 2, 3, 6, 7, 8}) {
            busy += Long.parseLong(f[i]);
        }
        return busy;
    }

    /** The 1-minute load average, NaN when unknown. */
    static double loadAverage1() {
        try {
            return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+")[0]);
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }

    static double seconds(long ticks) {
        return ticks < 0 ? Double.NaN : (double) ticks / TICKS_PER_SECOND;
    }

    private static long clockTicks() {
        try {
            Process p = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes()).trim();
            p.waitFor();
            long ticks = Long.parseLong(out);
            return ticks > 0 ? ticks : 100;
        } catch (IOException | RuntimeException e) {
            return 100;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 100;
        }
    }

    /**
     * CPU use around one run: the broker's and this JVM's CPU time and the machine's busy time at the start,
     * so {@link #end} can tell what the run cost the broker and what other processes (a busy neighbour) took
     * meanwhile.
     */
    record Window(long startNanos, long brokerAtStart, long generatorAtStart, long machineAtStart, double load1) {
        static Window start(long brokerPid) {
            return new Window(System.nanoTime(), brokerPid > 0 ? processTicks(brokerPid) : -1, selfTicks(), machineBusyTicks(),
                    loadAverage1());
        }

        Usage end(long brokerPid) {
            long nanos = System.nanoTime() - startNanos;
            long broker = brokerPid > 0 && brokerAtStart >= 0 ? processTicks(brokerPid) - brokerAtStart : -1;
            long self = generatorAtStart >= 0 ? selfTicks() - generatorAtStart : -1;
            long machine = machineAtStart >= 0 ? machineBusyTicks() - machineAtStart : -1;
            double seconds = nanos / 1e9;
            double others = otherCores(machine, broker, self, seconds);
            return new Usage(seconds, broker < 0 ? Double.NaN : seconds(broker), self < 0 ? Double.NaN : seconds(self), others,
                    load1, loadAverage1());
        }
    }

    /**
     * Cores used by processes other than the broker and the generator over {@code seconds}, from busy ticks (-1:
     * unknown, giving NaN). Per-process and machine ticks are sampled apart, so on a quiet machine the difference
     * can be a few ticks below zero: that is no CPU taken by others (0), not an unknown.
     */
    static double otherCores(long machineTicks, long brokerTicks, long generatorTicks, double seconds) {
        if (machineTicks < 0 || brokerTicks < 0 || generatorTicks < 0) {
            return Double.NaN;
        }
        return seconds(Math.max(0, machineTicks - brokerTicks - generatorTicks)) / seconds;
    }

    /**
     * @param brokerSeconds the broker's CPU time during the window
     * @param generatorSeconds this JVM's
     * @param otherCores CPU used by everything else, averaged over the window, in cores (0.5: half a core)
     */
    record Usage(double seconds, double brokerSeconds, double generatorSeconds, double otherCores, double load1Before,
                 double load1After) {
    }
}
