package io.switchboard.module.auth.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PasswordFileTest {

    @TempDir
    Path dir;

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void readsWhatMosquittoPasswdWrote() throws Exception {
        // written by mosquitto_passwd 2.0.11: -b (sha512-pbkdf2, the default) and -H sha512
        Path file = dir.resolve("passwd");
        Files.writeString(file, """
                # users
                alice:$7$101$Lk6K1MO8GpmclO0g$HSg9dXJeQnvz2CjacjBQLojH7f6k6LmRHH71kDwWmvwfGyCecii6DyVe2vdPgD17213/FR6nj6CDw5xfavXD3A==
                carol:$6$voNeh7UBnrnleo64$+zK6k8Ug1Txfa2wdoxI18n16A6+6wLcQbUVtELfKr9zzqDjDpVgrOs+KTYajOZIGaxkodV0ERJLPTs4uCV8Gag==
                """);
        PasswordFile passwords = PasswordFile.read(file);
        assertThat(passwords.verify("alice", utf8("secret"))).isTrue();
        assertThat(passwords.verify("alice", utf8("Secret"))).isFalse();
        assertThat(passwords.verify("carol", utf8("pw6"))).isTrue();
        assertThat(passwords.verify("carol", utf8("pw7"))).isFalse();
        assertThat(passwords.verify("dave", utf8("secret"))).isFalse();
        assertThat(passwords.verify("alice", null)).isFalse();
    }

    @Test
    void readsAFileMosquittoPasswdWritesNow() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/mosquitto_passwd")), "mosquitto_passwd is not installed");
        Path file = dir.resolve("passwd");
        Process p = new ProcessBuilder("/usr/bin/mosquitto_passwd", "-c", "-b", file.toString(), "erin", "pä55 wörd").start();
        assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isZero();
        assertThat(PasswordFile.read(file).verify("erin", utf8("pä55 wörd"))).isTrue();
    }

    @Test
    void whatItWritesVerifiesAndKeepsTheOtherLines() throws Exception {
        Path file = dir.resolve("passwd");
        Files.writeString(file, "# kept\nalice:$7$101$Lk6K1MO8GpmclO0g$HSg9dXJeQnvz2CjacjBQLojH7f6k6LmRHH71kDwWmvwfGyCecii6DyVe2vdPgD17213/FR6nj6CDw5xfavXD3A==\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        SecureRandom random = new SecureRandom();
        PasswordFile.setPassword(file, "bob", utf8("hunter2"), random);
        PasswordFile.setPassword(file, "alice", utf8("new"), random);
        PasswordFile passwords = PasswordFile.read(file);
        assertThat(passwords.verify("bob", utf8("hunter2"))).isTrue();
        assertThat(passwords.verify("alice", utf8("new"))).isTrue();
        assertThat(passwords.verify("alice", utf8("secret"))).isFalse();
        assertThat(Files.readAllLines(file)).hasSize(3).first().isEqualTo("# kept");
        assertThat(Files.readString(file)).containsPattern("bob:\\$7\\$101\\$[A-Za-z0-9+/]{16}\\$[A-Za-z0-9+/]{86}==");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
    }

    @Test
    void aBadLineIsNamedWithItsFileAndNumber() throws Exception {
        Path file = dir.resolve("passwd");
        Files.writeString(file, "alice:$7$101$Lk6K1MO8GpmclO0g$HSg9dXJeQnvz2CjacjBQLojH7f6k6LmRHH71kDwWmvwfGyCecii6DyVe2vdPgD17213/FR6nj6CDw5xfavXD3A==\n\nbob:plaintext\n");
        assertThatThrownBy(() -> PasswordFile.read(file)).isInstanceOf(AuthFileException.class)
                .hasMessageStartingWith(file + ":3: user 'bob': not a $7$");
        assertThatThrownBy(() -> PasswordFile.read(dir.resolve("missing"))).isInstanceOf(AuthFileException.class)
                .hasMessageContaining("cannot be read");
    }
}
