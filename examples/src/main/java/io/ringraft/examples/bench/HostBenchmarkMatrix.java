package io.ringraft.examples.bench;

import io.ringraft.api.RaftConfig;
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
 * Runs {@link HostBenchmark} for every mode x G x window asked, each cell in a fresh JVM (same java and
 * class path; JVM flags as this one's minus JFR, agents and {@code -Xmx}), with a maximum heap sized for
 * the cell: twice {@code RaftConfig.hostDefaults().reservedBytes()} per group replica in that JVM plus
 * 1 GiB, at least 2 GiB. Then prints a markdown table of the RESULT lines.
 *
 * <p>Usage: {@code HostBenchmarkMatrix [--modes jvm,processes] [--groups 1,16,256,1024,10000]
 * [--windows 256,4096] [any other HostBenchmark option, passed to every cell]}; by default every cell also
 * runs {@code --kill-host most}.
 */
public final class HostBenchmarkMatrix {

    private HostBenchmarkMatrix() {
    }

    public static void main(String[] args) throws Exception {
        List<String> modes = List.of("jvm", "processes");
        List<String> groups = List.of("1", "16", "256", "1024", "10000");
        List<String> windows = List.of("256", "4096");
        List<String> passed = new ArrayList<>();
        boolean kill = true;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--modes" -> modes = List.of(args[++i].split(","));
                case "--groups" -> groups = List.of(args[++i].split(","));
                case "--windows" -> windows = List.of(args[++i].split(","));
                case "--kill-host" -> {
                    kill = false;
                    passed.add(args[i]);
                    passed.add(args[++i]);
                }
                default -> passed.add(args[i]);
            }
        }
        if (kill) {
            passed.addAll(List.of("--kill-host", "most"));
        }
        List<Map<String, String>> rows = new ArrayList<>();
        for (String mode : modes) {
            for (String g : groups) {
                for (String w : windows) {
                    int hostsPerJvm = mode.equals("processes") ? 1 : 3;
                    long heap = Math.max(2L << 30,
                            2 * RaftConfig.hostDefaults().reservedBytes() * Long.parseLong(g) * hostsPerJvm + (1L << 30));
                    List<String> command = new ArrayList<>();
                    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
                    for (String jvmArg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
                        if (!jvmArg.contains("FlightRecord") && !jvmArg.startsWith("-agent")
                                && !jvmArg.startsWith("-javaagent") && !jvmArg.startsWith("-Xmx")) {
                            command.add(jvmArg);
                        }
                    }
                    command.add("-Xmx" + ((heap + (1L << 30) - 1) >> 30) + "g");
                    command.addAll(List.of("-cp", System.getProperty("java.class.path"), HostBenchmark.class.getName(),
                            "--groups", g, "--window", w));
                    command.addAll(passed);
                    if (mode.equals("processes")) {
                        command.add("--processes");
                    }
                    System.out.printf("=== %s, %s groups, window %s: %s%n", mode, g, w, String.join(" ", command));
                    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
                    Map<String, String> row = null;
                    try (BufferedReader out = new BufferedReader(
                            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                        String line;
                        while ((line = out.readLine()) != null) {
                            if (line.contains(" INFO ")) {
                                continue; // the hosts' start and stop lines
                            }
                            System.out.println("    " + line);
                            if (line.startsWith("RESULT ")) {
                                row = BenchmarkMatrix.parse(line);
                            }
                        }
                    }
                    int exit = process.waitFor();
                    if (row == null) {
                        row = new LinkedHashMap<>();
                        row.put("mode", mode);
                        row.put("groups", g);
                        row.put("window", w);
                        row.put("error", "exit " + exit);
                    }
                    rows.add(row);
                }
            }
        }
        System.out.println();
        System.out.println(table(rows));
    }

    static String table(List<Map<String, String>> rows) {
        StringBuilder sb = new StringBuilder();
        sb.append("| mode | G | window | create s | all led s | threads/host | heap B/replica | direct B/replica"
                + " | idle CPU % | idle frames/s | ops/s | p50 ms | p99 ms | CPU µs/op | frames/op | leaders"
                + " | failover ms (ETs) |\n");
        sb.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (Map<String, String> r : rows) {
            if (r.containsKey("error")) {
                sb.append(String.format(Locale.ROOT, "| %s | %s | %s | failed (%s) ||||||||||||||%n",
                        r.get("mode"), r.get("groups"), r.get("window"), r.get("error")));
                continue;
            }
            sb.append(String.format(Locale.ROOT,
                    "| %s | %s | %s | %.1f | %.1f | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s (%s) |%n",
                    r.get("mode"), r.get("groups"), r.get("window"), d(r, "createMs") / 1000, d(r, "leadersMs") / 1000,
                    r.get("hostThreads"), r.get("heapPerGroupB"), r.get("directPerGroupB"), r.get("idleCpuPct"),
                    r.get("idleFramesPerSec"), r.get("opsPerSec"), ms(r, "p50us"), ms(r, "p99us"), r.get("cpuUsPerOp"),
                    r.get("framesPerOp"), r.get("leaders"), r.get("failoverMs"), r.get("failoverElections")));
        }
        return sb.toString();
    }

    private static double d(Map<String, String> r, String key) {
        return Double.parseDouble(r.getOrDefault(key, "-1"));
    }

    private static String ms(Map<String, String> r, String key) {
        double v = d(r, key);
        return v < 0 ? "-" : String.format(Locale.ROOT, "%.2f", v / 1000);
    }
}
