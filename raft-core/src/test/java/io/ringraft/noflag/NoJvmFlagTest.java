package io.ringraft.noflag;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * RingRaft needs no JVM option: {@link NoFlagService} runs in a child JVM started with nothing but a
 * class path (or a module path), proposes, applies and reads, exits 0, and the JVM prints no
 * {@code WARNING} (JDK 24 and later warn when a library calls {@code sun.misc.Unsafe}'s memory
 * methods, JDK 24 and later when one loads native code without {@code --enable-native-access}).
 * Before RingRaft dropped Agrona's buffers the child failed with an {@code IllegalAccessError}
 * (Agrona 2.x reaches {@code jdk.internal.misc.Unsafe}) unless started with {@code --add-exports}.
 *
 * <p>The child runs on this test's JVM and, in addition, on every JDK named in the system property
 * {@code ringraft.noflag.javaHomes} (comma-separated {@code JAVA_HOME} directories; CI names a
 * newer JDK there when the machine has one, see {@code .ci/run}).
 */
class NoJvmFlagTest {

    private static final long TIMEOUT_SECONDS = 60;

    @TempDir
    Path dir;

    @Test
    void aServiceOnTheClassPathRunsWithNoOptionAndNoWarning() throws Exception {
        for (Path java : javas()) {
            List<String> command = List.of(java.toString(), "-cp", join(classPath()), NoFlagService.class.getName());
            assertRunsClean(command);
        }
    }

    @Test
    void raftCoreOnTheModulePathRunsWithNoOptionAndNoWarning() throws Exception {
        List<Path> modules = new ArrayList<>();
        List<Path> rest = new ArrayList<>();
        Path mainClasses = Path.of(NoFlagService.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                .resolveSibling("classes");
        assertThat(mainClasses.resolve("module-info.class")).as("raft-core's compiled module").exists();
        modules.add(mainClasses);
        for (Path entry : classPath()) {
            String name = entry.getFileName().toString();
            if (name.startsWith("agrona-") || name.startsWith("jctools-core-") || name.startsWith("slf4j-")) {
                modules.add(entry);
            } else if (!entry.equals(mainClasses)) {
                rest.add(entry);
            }
        }
        for (Path java : javas()) {
            // RingRaft and its dependencies as named modules; the service itself on the class path.
            List<String> command = List.of(java.toString(), "--module-path", join(modules),
                    "--add-modules", "ALL-MODULE-PATH", "-cp", join(rest), NoFlagService.class.getName());
            assertRunsClean(command);
        }
    }

    private void assertRunsClean(List<String> command) throws IOException, InterruptedException {
        Path out = Files.createTempFile(dir, "out", ".txt");
        Path err = Files.createTempFile(dir, "err", ".txt");
        Process process = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        boolean exited = process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        if (!exited) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        String stdout = Files.readString(out, StandardCharsets.UTF_8);
        String stderr = Files.readString(err, StandardCharsets.UTF_8);
        String context = String.join(" ", command) + "\nstdout:\n" + stdout + "\nstderr:\n" + stderr;
        assertThat(exited).as("exited within %d s: %s", TIMEOUT_SECONDS, context).isTrue();
        assertThat(process.exitValue()).as("exit status of %s", context).isZero();
        assertThat(stdout).as(context).contains("applied " + NoFlagService.COMMANDS + " sum ");
        List<String> warnings = stderr.lines().filter(line -> line.contains("WARNING")).collect(Collectors.toList());
        assertThat(warnings).as("JVM warnings of %s", context).isEmpty();
    }

    /** This JVM's {@code java}, then that of every other JDK named in {@code ringraft.noflag.javaHomes}. */
    static List<Path> javas() throws IOException {
        List<Path> javas = new ArrayList<>();
        javas.add(Path.of(System.getProperty("java.home"), "bin", "java").toRealPath());
        String extra = System.getProperty("ringraft.noflag.javaHomes", "");
        for (String home : extra.split(",")) {
            if (!home.isBlank()) {
                Path java = Path.of(home.trim(), "bin", "java");
                assertThat(java).as("java of a JDK named in ringraft.noflag.javaHomes").isExecutable();
                if (!javas.contains(java.toRealPath())) {
                    javas.add(java.toRealPath());
                }
            }
        }
        return javas;
    }

    /** This test's class path: the module's classes, test classes and dependency jars. */
    static List<Path> classPath() {
        return Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(entry -> !entry.isBlank())
                .map(Path::of)
                .collect(Collectors.toList());
    }

    private static String join(List<Path> paths) {
        return paths.stream().map(Path::toString).collect(Collectors.joining(File.pathSeparator));
    }
}
