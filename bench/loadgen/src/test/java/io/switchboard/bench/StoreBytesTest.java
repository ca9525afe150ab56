package io.switchboard.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The store's size: Switchboard's RocksDB directory counts all its regular files, nested ones too. */
class StoreBytesTest {

    @Test
    void aDirectoryIsTheSumOfItsRegularFiles(@TempDir Path dir) throws Exception {
        Files.write(dir.resolve("000004.log"), new byte[1000]);
        Files.write(dir.resolve("000009.sst"), new byte[2345]);
        Files.createDirectories(dir.resolve("sub"));
        Files.write(dir.resolve("sub/MANIFEST-000005"), new byte[7]);

        assertThat(PersistenceBench.directoryBytes(dir)).isEqualTo(1000 + 2345 + 7);
    }

    @Test
    void noDirectoryIsMinusOne(@TempDir Path dir) throws Exception {
        assertThat(PersistenceBench.directoryBytes(dir.resolve("data/store"))).isEqualTo(-1);
    }
}
