package io.ringraft.architecture;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Guards the rules that keep RingRaft deterministic and clock-safe, on the main sources:
 * <ul>
 *   <li>the engine is pure: no clock, sleep, threads or global randomness (so the simulator and the
 *       harness can drive it, and the same inputs give the same outputs);
 *   <li>the engine and the runtime never read the wall clock: timeouts and leases count monotonic
 *       ticks from the injected clock, so wall-clock jumps and NTP steps have no effect (catalogue
 *       G57); the runtime never creates unbounded executors.
 * </ul>
 * A violation names the file, line and rule.
 */
class PurityRulesTest {

    private static final Path MAIN = Path.of("src/main/java/io/ringraft/internal");

    private static final Pattern WALL_CLOCK = Pattern.compile(
            "System\\.currentTimeMillis|Instant\\.now|LocalDateTime\\.now|ZonedDateTime\\.now|new Date\\(|Clock\\.system");
    private static final Pattern IMPURE = Pattern.compile(
            "System\\.nanoTime|Thread\\.sleep|new Thread\\b|ThreadLocalRandom|Math\\.random|UUID\\.randomUUID"
                    + "|parallelStream|Executors\\.|CompletableFuture\\.(runAsync|supplyAsync)");
    private static final Pattern UNBOUNDED = Pattern.compile(
            "Executors\\.new(Cached|SingleThread|Fixed)|new LinkedBlockingQueue|new ConcurrentLinkedQueue"
                    + "|MpscUnbounded|SpscUnbounded");

    @Test
    void theEngineIsPure() throws IOException {
        assertThat(violations(MAIN.resolve("engine"), IMPURE)).isEmpty();
    }

    @Test
    void noCodeReadsTheWallClock() throws IOException {
        assertThat(violations(MAIN, WALL_CLOCK)).isEmpty();
    }

    @Test
    void theRuntimeCreatesNoUnboundedQueueOrExecutor() throws IOException {
        assertThat(violations(MAIN, UNBOUNDED)).isEmpty();
    }

    @Test
    void theRulesSeeTheSources() throws IOException {
        // A rule that finds no file proves nothing: make sure the scan reads the engine and runtime.
        try (Stream<Path> files = Files.walk(MAIN)) {
            assertThat(files.filter(p -> p.toString().endsWith(".java")).count()).isGreaterThan(20);
        }
        assertThat(IMPURE.matcher("long t = System.nanoTime();").find()).isTrue();
        assertThat(WALL_CLOCK.matcher("Instant.now()").find()).isTrue();
    }

    private static List<String> violations(Path root, Pattern rule) throws IOException {
        List<String> found = new ArrayList<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path file : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                List<String> lines = Files.readAllLines(file);
                for (int i = 0; i < lines.size(); i++) {
                    String line = lines.get(i).trim();
                    if (line.startsWith("*") || line.startsWith("//") || line.startsWith("/*")) {
                        continue; // comments may name what they avoid
                    }
                    if (rule.matcher(line).find()) {
                        found.add(file + ":" + (i + 1) + ": " + line);
                    }
                }
            }
        }
        return found;
    }
}
