package com.example.checks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.lang.module.Configuration;
import java.lang.module.ModuleFinder;
import java.lang.module.ResolvedModule;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Starts each service the way its users would, with no JVM option at all, and expects it to finish its
 * work (exit 0, its result line on stdout) without a single {@code WARNING} line from the JVM on
 * stderr: the class-path service with {@code java -cp} and from its executable jar with
 * {@code java -jar}, the module with {@code java -p ... -m}. Each runs on the JDK of this build and
 * on every JDK named in {@code ringraft.noflag.javaHomes}.
 */
class NoJvmOptionTest {

    private static final long TIMEOUT_SECONDS = 90;

    @TempDir
    Path dir;

    @Test
    void theClassPathServiceRunsWithNoOptionAndNoWarning() throws Exception {
        String classPath = System.getProperty("java.class.path");
        for (Path java : javas()) {
            run(List.of(java.toString(), "-cp", classPath, "com.example.counter.CounterService"), "counter 5105");
        }
    }

    @Test
    void theClassPathServiceRunsFromItsExecutableJarWithNoOptionAndNoWarning() throws Exception {
        Path jar = Path.of(Class.forName("com.example.counter.CounterService").getProtectionDomain()
                .getCodeSource().getLocation().toURI());
        assertTrue(jar.toString().endsWith(".jar"), "the service's jar: " + jar);
        for (Path java : javas()) {
            run(List.of(java.toString(), "-jar", jar.toString()), "counter 5105");
        }
    }

    @Test
    void theModuleRunsOnTheModulePathWithNoOptionAndNoWarning() throws Exception {
        String modulePath = modulePathOf("com.example.ledger");
        for (Path java : javas()) {
            Path data = Files.createTempDirectory(dir, "ledger");
            run(List.of(java.toString(), "-p", modulePath, "-m", "com.example.ledger/com.example.ledger.LedgerService",
                    data.toString()), "ledger 60 balance 1830");
        }
    }

    /**
     * The module path of {@code root}: the locations of the modules resolving it (and binding its
     * services, as the {@code java} launcher does) needs, found among this test's class path entries
     * but the class-path service's jar (which holds copies of RingRaft's packages: not a module).
     */
    private static String modulePathOf(String root) throws Exception {
        Path counter = Path.of(Class.forName("com.example.counter.CounterService").getProtectionDomain()
                .getCodeSource().getLocation().toURI());
        Path[] entries = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(entry -> !entry.isBlank()).map(Path::of).filter(Files::exists)
                .filter(entry -> !entry.equals(counter)).toArray(Path[]::new);
        Configuration configuration = ModuleLayer.boot().configuration()
                .resolveAndBind(ModuleFinder.of(entries), ModuleFinder.of(), Set.of(root));
        List<String> locations = new ArrayList<>();
        for (ResolvedModule module : configuration.modules()) {
            URI location = module.reference().location().orElseThrow();
            locations.add(Path.of(location).toString());
        }
        assertTrue(locations.stream().anyMatch(l -> l.contains("raft-core")), "raft-core on " + locations);
        return String.join(File.pathSeparator, locations);
    }

    private void run(List<String> command, String expectedLine) throws Exception {
        Path out = Files.createTempFile(dir, "out", ".txt");
        Path err = Files.createTempFile(dir, "err", ".txt");
        Process process = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        boolean exited = process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        if (!exited) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        String stdout = Files.readString(out, StandardCharsets.UTF_8);
        String stderr = Files.readString(err, StandardCharsets.UTF_8);
        String context = String.join(" ", command) + "\n--- stdout:\n" + stdout + "--- stderr:\n" + stderr;
        assertTrue(exited, "did not exit within " + TIMEOUT_SECONDS + " s: " + context);
        assertEquals(0, process.exitValue(), "exit status of " + context);
        assertTrue(stdout.lines().anyMatch(expectedLine::equals), "no line '" + expectedLine + "' from " + context);
        List<String> warnings = stderr.lines().filter(line -> line.contains("WARNING")).collect(Collectors.toList());
        assertEquals(List.of(), warnings, "JVM warnings from " + context);
    }

    /** This JVM's {@code java}, then that of every other JDK named in {@code ringraft.noflag.javaHomes}. */
    private static List<Path> javas() throws java.io.IOException {
        List<Path> javas = new ArrayList<>();
        javas.add(Path.of(System.getProperty("java.home"), "bin", "java").toRealPath());
        for (String home : System.getProperty("ringraft.noflag.javaHomes", "").split(",")) {
            if (!home.isBlank()) {
                Path java = Path.of(home.trim(), "bin", "java");
                assertTrue(Files.isExecutable(java), "no java at " + java + " (ringraft.noflag.javaHomes)");
                if (!javas.contains(java.toRealPath())) {
                    javas.add(java.toRealPath());
                }
            }
        }
        return javas;
    }
}
