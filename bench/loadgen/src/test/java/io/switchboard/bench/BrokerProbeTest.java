package io.switchboard.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class BrokerProbeTest {

    @Test
    void serialGcHeapIsItsYoungAndOldGenerations() {
        String info = """
                23794:
                 def new generation   total 157248K, used 95132K [0x0000000080000000, 0x000000008aaa0000, 0x00000000aaaa0000)
                  eden space 139776K,  67% used [0x0000000080000000, 0x0000000085c774d0, 0x0000000088880000)
                  from space 17472K,   2% used [0x0000000088880000, 0x00000000888efdf8, 0x0000000089990000)
                  to   space 17472K,   0% used [0x0000000089990000, 0x0000000089990000, 0x000000008aaa0000)
                 tenured generation   total 349568K, used 8217K [0x00000000aaaa0000, 0x00000000c0000000, 0x0000000100000000)
                   the space 349568K,   2% used [0x00000000aaaa0000, 0x00000000ab2a6668, 0x00000000ab2a6800, 0x00000000c0000000)
                 Metaspace       used 19833K, committed 20544K, reserved 1114112K
                  class space    used 2190K, committed 2496K, reserved 1048576K
                """;
        assertEquals(95132 + 8217, BrokerProbe.heapUsedKib(info));
    }

    @Test
    void g1HeapIsItsOneLine() {
        String info = """
                 garbage-first heap   total 524288K, used 40961K [0x0000000080000000, 0x0000000100000000)
                  region size 1024K, 12 young (12288K), 2 survivors (2048K)
                 Metaspace       used 19833K, committed 20544K, reserved 1114112K
                """;
        assertEquals(40961, BrokerProbe.heapUsedKib(info));
    }

    @Test
    void noHeapLineIsUnknown() {
        assertEquals(-1, BrokerProbe.heapUsedKib("12: Could not attach"));
    }
}
