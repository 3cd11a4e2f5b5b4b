package io.ringraft.examples.bench;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Runs {@link ClusterBenchmark} for payload {100, 1024} x fsync {on, off} x window {1, 64, 256},
 * each cell in a fresh JVM (same java, class path and JVM flags as this one, minus JFR and agents)
 * so that JIT, heap and GC figures of one cell do not leak into the next; then prints a markdown
 * table. Usage: {@code BenchmarkMatrix [warmupSeconds] [measureSeconds]} (defaults 5 and 10).
 */
public final class BenchmarkMatrix {

    private BenchmarkMatrix() {
    }

    public static void main(String[] args) throws Exception {
        String warmup = args.length > 0 ? args[0] : "5";
        String seconds = args.length > 1 ? args[1] : "10";
        List<Map<String, String>> rows = new ArrayList<>();
        for (int payload : new int[] {100, 1024}) {
            for (String fsync : new String[] {"on", "off"}) {
                for (int window : new int[] {1, 64, 256}) {
                    List<String> command = new ArrayList<>();
                    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
                    for (String jvmArg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
                        if (!jvmArg.contains("FlightRecord") && !jvmArg.startsWith("-agent")
                                && !jvmArg.startsWith("-javaagent")) {
                            command.add(jvmArg);
                        }
                    }
                    command.addAll(List.of("-cp", System.getProperty("java.class.path"),
                            ClusterBenchmark.class.getName(), "--payload", Integer.toString(payload),
                            "--window", Integer.toString(window), "--fsync", fsync, "--warmup", warmup,
                            "--seconds", seconds));
                    System.out.printf("=== payload %d, fsync %s, window %d%n", payload, fsync, window);
                    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
                    Map<String, String> row = null;
                    try (BufferedReader out = new BufferedReader(
                            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                        String line;
                        while ((line = out.readLine()) != null) {
                            System.out.println("    " + line);
                            if (line.startsWith("RESULT ")) {
                                row = parse(line);
                            }
                        }
                    }
                    int exit = process.waitFor();
                    if (row == null) {
                        row = new LinkedHashMap<>();
                        row.put("payload", Integer.toString(payload));
                        row.put("fsync", fsync);
                        row.put("window", Integer.toString(window));
                        row.put("error", "exit " + exit);
                    }
                    rows.add(row);
                }
            }
        }
        System.out.println();
        System.out.println(table(rows));
    }

    static Map<String, String> parse(String line) {
        Map<String, String> map = new LinkedHashMap<>();
        for (String part : line.substring("RESULT ".length()).trim().split("\\s+")) {
            int eq = part.indexOf('=');
            map.put(part.substring(0, eq), part.substring(eq + 1));
        }
        return map;
    }

    static String table(List<Map<String, String>> rows) {
        StringBuilder sb = new StringBuilder();
        sb.append("| payload | fsync | window | ops/s | p50 ms | p99 ms | p99.9 ms | max ms | B/op | CPU µs/op"
                + " | GCs (ms) | peak heap MB | failures | same state |\n");
        sb.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (Map<String, String> r : rows) {
            if (r.containsKey("error")) {
                sb.append(String.format(Locale.ROOT, "| %s B | %s | %s | failed (%s) |||||||||||%n",
                        r.get("payload"), r.get("fsync"), r.get("window"), r.get("error")));
                continue;
            }
            sb.append(String.format(Locale.ROOT, "| %s B | %s | %s | %,d | %.3f | %.3f | %.3f | %.2f | %.0f | %.1f | %s (%s) | %s | %s | %s |%n",
                    r.get("payload"), r.get("fsync"), r.get("window"), Math.round(Double.parseDouble(r.get("opsPerSec"))),
                    ms(r.get("p50us")), ms(r.get("p99us")), ms(r.get("p999us")), ms(r.get("maxus")),
                    Double.parseDouble(r.get("bytesPerOp")), Double.parseDouble(r.get("cpuUsPerOp")),
                    r.get("gcCount"), r.get("gcMs"), r.get("peakHeapMB"), r.get("failures"),
                    "true".equals(r.get("consistent")) ? "yes" : "NO"));
        }
        return sb.toString();
    }

    private static double ms(String micros) {
        return Double.parseDouble(micros) / 1000;
    }
}
