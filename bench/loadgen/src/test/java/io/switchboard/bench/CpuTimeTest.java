package io.switchboard.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class CpuTimeTest {

    @Test
    void utimePlusStimeFromProcPidStat() {
        // a real line of a JVM (fields 14 and 15: utime 1234, stime 56)
        String stat = "4242 (java) S 1 4242 4242 0 -1 4194560 90331 0 3 0 1234 56 0 0 20 0 31 0 1757 5016244224 62044 "
                + "18446744073709551615 94 95 96 0 0 0 0 0 16800975 0 0 0 17 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n";

        assertThat(CpuTime.ticksFromStat(stat)).isEqualTo(1290);
    }

    @Test
    void aCommandNameWithSpacesAndParenthesesDoesNotShiftTheFields() {
        String stat = "77 (my (odd) broker) R 1 77 77 0 -1 0 0 0 0 0 700 300 0 0 20 0 1 0 100 0 0";

        assertThat(CpuTime.ticksFromStat(stat)).isEqualTo(1000);
    }

    @Test
    void notAStatLineIsAnError() {
        assertThatThrownBy(() -> CpuTime.ticksFromStat("garbage")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void machineBusyTimeIsUserNiceSystemIrqSoftirqSteal() {
        // cpu user nice system idle iowait irq softirq steal guest guest_nice
        String procStat = "cpu  100 2 30 5000 40 5 6 7 0 0\ncpu0 50 1 15 2500 20 2 3 3 0 0\nintr 1 2 3\n";

        assertThat(CpuTime.busyTicksFromProcStat(procStat)).isEqualTo(100 + 2 + 30 + 5 + 6 + 7);
    }

    @Test
    void thisProcessHasCpuTimeAndTheMachineALoadAverage() {
        long self = CpuTime.selfTicks();
        long pid = ProcessHandle.current().pid();

        assertThat(self).isGreaterThanOrEqualTo(0);
        assertThat(CpuTime.processTicks(pid)).isGreaterThanOrEqualTo(self);
        assertThat(CpuTime.processTicks(Long.MAX_VALUE)).isEqualTo(-1);
        assertThat(CpuTime.machineBusyTicks()).isPositive();
        assertThat(CpuTime.loadAverage1()).isGreaterThanOrEqualTo(0);
        assertThat(CpuTime.TICKS_PER_SECOND).isPositive();
    }

    @Test
    void otherProcessesCoresAreNeverNegativeAndUnknownOnlyWithoutAReading() {
        long hz = CpuTime.TICKS_PER_SECOND;
        assertThat(CpuTime.otherCores(3 * hz, 2 * hz, hz / 2, 2.0)).isEqualTo(0.25);
        assertThat(CpuTime.otherCores(300, 299, 3, 2.0)).as("a quiet machine, sampled apart").isZero();
        assertThat(CpuTime.otherCores(-1, 299, 3, 2.0)).isNaN();
    }
}
