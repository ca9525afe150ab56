package io.switchboard.itest.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.File;
import java.nio.file.Path;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fixture builder on its own (JUnit 5, no framework): the bundles it makes carry the chosen
 * identity, the DS component, and a forced import when asked.
 */
class FixtureBundleTest {

    @TempDir
    Path dir;

    @Test
    void buildsADeclarativeServicesModuleWithTheChosenIdentity() throws Exception {
        File jar = FixtureBundle.of("io.switchboard.itest.fixture.tagger")
                .version("1.2.3")
                .header("Fixture-Tag", "v7")
                .classpath(Provisioning.projectBundle("io.switchboard.api"))
                .buildTo(dir.resolve("tagger.jar").toFile());

        try (JarFile bundle = new JarFile(jar)) {
            Manifest manifest = bundle.getManifest();
            assertThat(manifest.getMainAttributes().getValue("Bundle-SymbolicName")).isEqualTo("io.switchboard.itest.fixture.tagger");
            assertThat(manifest.getMainAttributes().getValue("Bundle-Version")).isEqualTo("1.2.3");
            assertThat(manifest.getMainAttributes().getValue("Fixture-Tag")).isEqualTo("v7");
            assertThat(manifest.getMainAttributes().getValue("Service-Component"))
                    .isEqualTo("OSGI-INF/io.switchboard.itest.fixture.tagger.TaggerModule.xml");
            assertThat(manifest.getMainAttributes().getValue("Import-Package"))
                    .contains("io.switchboard.api;version=\"[1.1,2)\"");
            String component = new String(bundle.getInputStream(
                    bundle.getEntry("OSGI-INF/io.switchboard.itest.fixture.tagger.TaggerModule.xml")).readAllBytes());
            assertThat(component).contains("switchboard.module.name").contains("tagger")
                    .contains("interface=\"io.switchboard.api.MessageModule\"");
            assertThat(bundle.getEntry("io/switchboard/itest/fixture/tagger/TaggerModule.class")).isNotNull();
            assertThat(bundle.getEntry("io/switchboard/itest/fixture/lookup/LookupModule.class")).isNull();
        }
    }

    @Test
    void forcesAnImportRange() throws Exception {
        File jar = FixtureBundle.of("io.switchboard.itest.fixture.incompatible")
                .symbolicName("future")
                .importPackage("io.switchboard.api;version=\"[2.0,3)\"")
                .classpath(Provisioning.projectBundle("io.switchboard.api"))
                .buildTo(dir.resolve("future.jar").toFile());

        try (JarFile bundle = new JarFile(jar)) {
            assertThat(bundle.getManifest().getMainAttributes().getValue("Import-Package"))
                    .contains("io.switchboard.api;version=\"[2.0,3)\"");
        }
    }

    @Test
    void refusesAnUnknownPackage() {
        assertThatThrownBy(() -> FixtureBundle.of("io.switchboard.itest.fixture.nosuch").buildTo(dir.resolve("x.jar").toFile()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("io.switchboard.itest.fixture.nosuch");
    }
}
