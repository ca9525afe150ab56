package io.switchboard.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LauncherConfigTest {

    @TempDir
    Path home;

    @Test
    void loggingStartsFirstThenServicesThenSwitchboardThenTheConsole() {
        assertThat(LauncherConfig.startLevel("org.apache.aries.spifly.dynamic.bundle")).isEqualTo(1);
        assertThat(LauncherConfig.startLevel("org.objectweb.asm.tree.analysis")).isEqualTo(1);
        assertThat(LauncherConfig.startLevel("slf4j.api")).isEqualTo(1);
        assertThat(LauncherConfig.startLevel("ch.qos.logback.classic")).isEqualTo(1);
        assertThat(LauncherConfig.startLevel("org.apache.felix.scr")).isEqualTo(2);
        assertThat(LauncherConfig.startLevel("org.apache.felix.fileinstall")).isEqualTo(2);
        assertThat(LauncherConfig.startLevel("org.osgi.util.promise")).isEqualTo(2);
        assertThat(LauncherConfig.startLevel("io.switchboard.core")).isEqualTo(3);
        assertThat(LauncherConfig.startLevel("org.apache.felix.gogo.shell")).isEqualTo(4);
    }

    @Test
    void theWeaverIsInstalledBeforeSlf4jAndSlf4jBeforeItsProvider() {
        List<LauncherConfig.SystemBundle> bundles = new ArrayList<>(List.of(
                bundle("io.switchboard.api"),
                bundle("ch.qos.logback.classic"),
                bundle("slf4j.api"),
                bundle("org.apache.felix.scr"),
                bundle("ch.qos.logback.core"),
                bundle("org.apache.aries.spifly.dynamic.bundle"),
                bundle("org.objectweb.asm")));
        bundles.sort(LauncherConfig.START_ORDER);
        assertThat(bundles).extracting(LauncherConfig.SystemBundle::symbolicName).containsExactly(
                "org.objectweb.asm", "org.apache.aries.spifly.dynamic.bundle", "slf4j.api", "ch.qos.logback.core",
                "ch.qos.logback.classic", "org.apache.felix.scr", "io.switchboard.api");
    }

    @Test
    void fileInstallWatchesDeployAndConfigadmin() throws IOException {
        Map<String, String> p = LauncherConfig.frameworkProperties(home, false);
        assertThat(p.get("felix.fileinstall.dir")).isEqualTo(home.resolve("deploy") + "," + home.resolve("configadmin"));
        assertThat(p).containsEntry("felix.fileinstall.noInitialDelay", "true")
                .containsEntry("felix.fileinstall.enableConfigSave", "false")
                .containsEntry("felix.fileinstall.bundles.new.start", "true")
                .containsEntry("felix.fileinstall.poll", "500")
                .containsEntry("felix.fileinstall.filter", ".*\\.(jar|cfg|config)")
                .containsEntry("switchboard.home", home.toString())
                .containsEntry("org.osgi.framework.storage", home.resolve("data/felix-cache").toString())
                .containsEntry("org.osgi.framework.storage.clean", "onFirstInit");
    }

    @Test
    void httpWaitsForItsConfigurationAndDefaultsToLoopback() throws IOException {
        assertThat(LauncherConfig.frameworkProperties(home, false))
                .containsEntry("org.apache.felix.http.require.config", "true")
                .containsEntry("org.apache.felix.http.host", "127.0.0.1")
                .containsEntry("org.osgi.service.http.port", "8080");
    }

    @Test
    void theConsoleIsInteractiveOnlyOnATerminal() throws IOException {
        assertThat(LauncherConfig.frameworkProperties(home, false)).containsEntry("gosh.args", "--nointeractive");
        assertThat(LauncherConfig.frameworkProperties(home, true)).containsEntry("gosh.args", "");
    }

    @Test
    void etcFrameworkPropertiesOverrideTheDefaults() throws IOException {
        Files.createDirectories(home.resolve("etc"));
        Files.writeString(home.resolve("etc/framework.properties"),
                "felix.fileinstall.poll=2000\nextra.dir=${switchboard.home}/extra\n");
        Map<String, String> p = LauncherConfig.frameworkProperties(home, false);
        assertThat(p).containsEntry("felix.fileinstall.poll", "2000").containsEntry("extra.dir", home + "/extra");
    }

    private static LauncherConfig.SystemBundle bundle(String bsn) {
        return new LauncherConfig.SystemBundle(Path.of(bsn + ".jar"), bsn, false);
    }
}
