package io.switchboard.store.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The disk-use measurement of docs/store.md with tiny counts: it must keep running (and checking). */
class StoreDiskUseTest {

    @ParameterizedTest
    @ValueSource(strings = {"mvstore", "mvstore-r0", "rocksdb"})
    void measuresEachStep(String engine) throws IOException {
        StoreDiskUse.Use use = StoreDiskUse.measure(engine, 2000, 100);
        assertThat(use.written()).isPositive();
        assertThat(use.writtenClosed()).as("2000 records of 200 bytes").isGreaterThan(2000L * 200 / 4);
        assertThat(use.deletedClosed()).isPositive();
        assertThat(use.churned()).isPositive();
        assertThat(use.row()).startsWith("| " + engine + " | 2,000 |");
    }
}
