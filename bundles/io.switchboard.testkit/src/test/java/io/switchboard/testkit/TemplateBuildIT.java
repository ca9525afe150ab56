package io.switchboard.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * {@code templates/module} is a working module project: {@code templates/new-module} makes
 * {@code com.acme.greeter} from it, a separate Maven build ({@code mvn -B -q -o verify}, offline)
 * compiles it against this build's API and test kit and passes its unit tests, and the jar is a
 * bundle with a DS component and metatype that imports {@code io.switchboard.api [1.1,2)}.
 *
 * <p>The nested build must see this build's API and test kit jars even when they are not installed
 * (a plain {@code mvn verify}): it runs against a local repository made of symbolic links to the
 * running build's local repository, with {@code io/switchboard} replaced by the jars and poms of this
 * build. The jar it makes is left at {@code target/template-build/greeter.jar} (the distribution test
 * deploys it when it finds it).
 */
class TemplateBuildIT {

    private static final String[] OURS = {"io.switchboard.api", "io.switchboard.testkit"};

    @Test
    void theTemplateBuildsPassesItsTestAndMakesAModuleBundle() throws Exception {
        assumeTrue(!System.getProperty("os.name").toLowerCase(Locale.ROOT).startsWith("windows"),
                "the template script and the linked repository need a Unix shell and symbolic links");
        Path work = Path.of(required("switchboard.template.work"));
        deleteTree(work);
        Files.createDirectories(work);
        String version = required("switchboard.version");
        Path repository = linkedRepository(work.resolve("repository"), Path.of(required("switchboard.local.repository")), version);

        Path project = work.resolve("greeter");
        run(work, work.resolve("new-module.log"), "bash", required("switchboard.template.script"), project.toString(),
                "greeter", "com.acme");
        assertThat(project.resolve("src/main/java/com/acme/greeter/internal/GreeterModule.java")).isRegularFile();
        assertThat(project.resolve("com.acme.greeter.cfg")).isRegularFile();

        run(project, work.resolve("build.log"), maven(), "-B", "-q", "-o", "verify",
                "-Dmaven.repo.local=" + repository, "-Dswitchboard.version=" + version);

        Path jar = project.resolve("target/com.acme.greeter-1.0.0-SNAPSHOT.jar");
        assertThat(jar).isRegularFile();
        try (JarFile bundle = new JarFile(jar.toFile())) {
            Attributes manifest = bundle.getManifest().getMainAttributes();
            assertThat(manifest.getValue("Bundle-SymbolicName")).isEqualTo("com.acme.greeter");
            assertThat(manifest.getValue("Import-Package")).contains("io.switchboard.api;version=\"[1.1,2)\"");
            assertThat(manifest.getValue("Export-Package")).as("nothing exported").isNull();
            String components = manifest.getValue("Service-Component");
            assertThat(components).isEqualTo("OSGI-INF/com.acme.greeter.xml");
            String component = read(bundle, components);
            assertThat(component).contains("<provide interface=\"io.switchboard.api.MessageModule\"/>")
                    .contains("implementation class=\"com.acme.greeter.internal.GreeterModule\"")
                    .contains("configuration-pid=\"com.acme.greeter\"")
                    .contains("name=\"switchboard.module.name\" type=\"String\" value=\"greeter\"");
            assertThat(bundle.getEntry("OSGI-INF/metatype/com.acme.greeter.internal.GreeterModuleConfig.xml")).isNotNull();
        }
        Path report = project.resolve("target/surefire-reports/com.acme.greeter.internal.GreeterModuleTest.txt");
        assertThat(Files.readString(report)).contains("Tests run: 3, Failures: 0, Errors: 0, Skipped: 0");

        Files.copy(jar, work.resolve("greeter.jar"), StandardCopyOption.REPLACE_EXISTING);
    }

    /**
     * A local repository whose top-level entries link to {@code real}'s, except {@code io/switchboard},
     * which holds this build's parent pom, API and test kit (jar and pom) only.
     */
    private static Path linkedRepository(Path repository, Path real, String version) throws IOException {
        Files.createDirectories(repository);
        try (Stream<Path> top = Files.list(real)) {
            for (Path entry : (Iterable<Path>) top::iterator) {
                String name = entry.getFileName().toString();
                if (!name.equals("io")) {
                    Files.createSymbolicLink(repository.resolve(name), entry);
                }
            }
        }
        Path io = Files.createDirectories(repository.resolve("io"));
        if (Files.isDirectory(real.resolve("io"))) {
            try (Stream<Path> children = Files.list(real.resolve("io"))) {
                for (Path entry : (Iterable<Path>) children::iterator) {
                    if (!entry.getFileName().toString().equals("switchboard")) {
                        Files.createSymbolicLink(io.resolve(entry.getFileName().toString()), entry);
                    }
                }
            }
        }
        Path ours = io.resolve("switchboard");
        install(ours, "switchboard", version, Path.of(required("switchboard.parent.pom")), null);
        install(ours, OURS[0], version, Path.of(required("switchboard.api.pom")), Path.of(required("switchboard.api.jar")));
        install(ours, OURS[1], version, Path.of(required("switchboard.testkit.pom")), Path.of(required("switchboard.testkit.jar")));
        return repository;
    }

    private static void install(Path group, String artifact, String version, Path pom, Path jar) throws IOException {
        Path dir = Files.createDirectories(group.resolve(artifact).resolve(version));
        Files.copy(pom, dir.resolve(artifact + "-" + version + ".pom"), StandardCopyOption.REPLACE_EXISTING);
        if (jar != null) {
            assertThat(jar).as("built jar of " + artifact).isRegularFile();
            Files.copy(jar, dir.resolve(artifact + "-" + version + ".jar"), StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** {@code $maven.home/bin/mvn} of the running build, else {@code mvn} on the PATH. */
    private static String maven() {
        String home = System.getProperty("maven.home");
        if (home != null && !home.isBlank() && Files.isExecutable(Path.of(home, "bin", "mvn"))) {
            return Path.of(home, "bin", "mvn").toString();
        }
        return "mvn";
    }

    private static void run(Path directory, Path log, String... command) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        builder.environment().remove("MAVEN_ARGS");
        Process process = builder.start();
        process.getOutputStream().close();
        if (!process.waitFor(5, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            fail(String.join(" ", command) + " did not finish within 5 minutes\n" + tail(log));
        }
        if (process.exitValue() != 0) {
            fail(String.join(" ", command) + " failed with status " + process.exitValue() + "\n" + tail(log));
        }
    }

    private static String tail(Path log) throws IOException {
        List<String> lines = Files.exists(log) ? Files.readAllLines(log, StandardCharsets.UTF_8) : List.of();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
    }

    private static String read(JarFile jar, String entry) throws IOException {
        try (InputStream in = jar.getInputStream(jar.getEntry(entry))) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static String required(String key) {
        String value = System.getProperty(key);
        if (value == null || value.isBlank()) {
            throw new IllegalStateException("system property " + key + " is not set (the test kit's pom sets it for failsafe)");
        }
        return value;
    }

    /** Deletes {@code root} without following symbolic links (the linked repository points into the real one). */
    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        List<Path> all = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(root)) { // walk does not follow links
            walk.forEach(all::add);
        }
        all.sort(Comparator.reverseOrder());
        for (Path p : all) {
            Files.delete(p);
        }
    }
}
