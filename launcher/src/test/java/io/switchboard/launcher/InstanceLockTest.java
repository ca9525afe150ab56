package io.switchboard.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link InstanceLock} within one JVM and against another process, alive and killed. */
class InstanceLockTest {

    @TempDir
    Path dir;

    private Process child;

    @AfterEach
    void killChild() throws InterruptedException {
        if (child != null && child.isAlive()) {
            child.destroyForcibly();
            child.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void writesThePidAndTheStartTimeIntoTheLockedFile() throws Exception {
        Path file = dir.resolve(InstanceLock.FILE_NAME);
        try (InstanceLock lock = InstanceLock.acquire(file)) {
            InstanceLock.Holder holder = InstanceLock.holder(file);
            assertThat(holder.pid()).isEqualTo(Long.toString(ProcessHandle.current().pid()));
            assertThat(holder.started()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d.*");
        }
        assertThat(file).as("the file stays after a release").exists();
    }

    @Test
    void aSecondAcquisitionInTheSameJvmFailsCleanly() throws Exception {
        Path file = dir.resolve(InstanceLock.FILE_NAME);
        try (InstanceLock first = InstanceLock.acquire(file)) {
            assertThatThrownBy(() -> InstanceLock.acquire(file))
                    .isInstanceOf(InstanceLock.HeldException.class)
                    .satisfies(e -> assertThat(((InstanceLock.HeldException) e).holder().pid())
                            .isEqualTo(Long.toString(ProcessHandle.current().pid())));
        }
        InstanceLock.acquire(file).close(); // free again once released
    }

    @Test
    void anotherProcessHoldingTheLockIsNamedAndItsDeathByKill9ReleasesIt() throws Exception {
        Path file = dir.resolve(InstanceLock.FILE_NAME);
        child = holdInChildProcess(file);

        assertThatThrownBy(() -> InstanceLock.acquire(file))
                .isInstanceOf(InstanceLock.HeldException.class)
                .hasMessageContaining("pid " + child.pid())
                .satisfies(e -> assertThat(((InstanceLock.HeldException) e).holder().pid())
                        .isEqualTo(Long.toString(child.pid())));

        child.destroyForcibly(); // SIGKILL: no shutdown hook, no cleanup
        assertThat(child.waitFor(10, TimeUnit.SECONDS)).as("the child exits after SIGKILL").isTrue();
        assertThat(InstanceLock.holder(file).pid()).as("the stale file still names the dead process")
                .isEqualTo(Long.toString(child.pid()));

        try (InstanceLock lock = InstanceLock.acquire(file)) {
            assertThat(InstanceLock.holder(file).pid()).isEqualTo(Long.toString(ProcessHandle.current().pid()));
        }
    }

    /** Starts {@link InstanceLockHolder} on {@code file} and returns once it has the lock. */
    private static Process holdInChildProcess(Path file) throws Exception {
        String classPath = codeSource(InstanceLock.class) + File.pathSeparator + codeSource(InstanceLockHolder.class);
        Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xshare:auto", "-XX:TieredStopAtLevel=1", "-cp", classPath,
                InstanceLockHolder.class.getName(), file.toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        String line = CompletableFuture.supplyAsync(() -> {
            try {
                return out.readLine();
            } catch (Exception e) {
                return "failed: " + e;
            }
        }).get(30, TimeUnit.SECONDS);
        if (!"locked".equals(line)) {
            process.destroyForcibly();
            fail("the child did not take the lock: " + line);
        }
        return process;
    }

    private static String codeSource(Class<?> type) throws Exception {
        return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    }
}
