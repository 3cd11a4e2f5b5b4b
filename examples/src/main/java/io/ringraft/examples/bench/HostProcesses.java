package io.ringraft.examples.bench;

import com.sun.management.OperatingSystemMXBean;
import io.ringraft.api.RaftNode;
import io.ringraft.examples.FreePorts;
import io.ringraft.examples.bench.ClusterBenchmark.Failure;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.HdrHistogram.Histogram;

/**
 * {@link HostBenchmark} with its three hosts as three JVMs ({@code --processes}), over Netty on loopback.
 * The parent (which holds no host) picks three free ports and starts three children with its own java,
 * JVM options and class path, each running one host ({@code --child <id> --ports a,b,c}). It steers them
 * through their standard input, one command per phase, and reads their figures from standard output
 * (lines starting with {@code @}; their logs go to standard error):
 *
 * <ul>
 *   <li>{@code create}: each child creates its G members, then waits until its member of every group knows a
 *       ready leader ({@code awaitLeader}); it reports wall-clock times, and the parent reports the time from
 *       the earliest start to the latest end (creation) and to the latest "every group led".</li>
 *   <li>{@code idle}: each child reports its threads, its heap and direct memory after {@code System.gc()}
 *       against its baseline taken before its groups existed, its process CPU time over the idle window, and
 *       the groups it leads; the parent sums (CPU: the three processes together, as % of one core).</li>
 *   <li>{@code load W}: each child drives the groups it leads with its share of the window (the window split
 *       in proportion to the groups each leads), exactly as in one JVM ({@link HostLoad}), and reports its ops,
 *       CPU, allocation and its latency histogram (HdrHistogram, compressed, base64); the parent adds the
 *       ops/s of the three and merges the histograms. Then {@code digest} until the three hosts report the
 *       same applied entries (count and hash summed over the groups).</li>
 *   <li>{@code watch K} / {@code killed T}: the survivors note the groups K leads; the parent kills K's JVM
 *       with SIGKILL ({@code Process.destroyForcibly}) at wall-clock time T; each survivor reports, per group,
 *       when it became the group's ready leader; the parent takes the earliest per group.</li>
 * </ul>
 *
 * Wall-clock times ({@code System.currentTimeMillis}) compare across the processes of one machine.
 */
final class HostProcesses {

    private static final String DIR_PROPERTY = "ringraft.hostbench.dir";

    private HostProcesses() {
    }

    // ---------------------------------------------------------------- parent

    /** A child process and the protocol lines it printed. */
    private static final class Child implements AutoCloseable {
        final int id;
        final Process process;
        final PrintWriter in;
        final BlockingQueue<String> lines = new LinkedBlockingQueue<>(1024);

        Child(int id, List<String> command) throws IOException {
            this.id = id;
            this.process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            this.in = new PrintWriter(process.getOutputStream(), true, StandardCharsets.UTF_8);
            Thread reader = new Thread(() -> {
                try (BufferedReader out = new BufferedReader(
                        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = out.readLine()) != null) {
                        if (line.startsWith("@ ")) {
                            lines.put(line.substring(2));
                        } else {
                            System.out.println("    [host " + id + "] " + line);
                        }
                    }
                } catch (IOException | InterruptedException e) {
                    // the child is gone
                } finally {
                    lines.offer("eof");
                }
            }, "hostbench-child-" + id);
            reader.setDaemon(true);
            reader.start();
        }

        void send(String command) {
            in.println(command);
        }

        /** The next line, which must start with {@code verb}, as key=value pairs. */
        Map<String, String> expect(String verb, long timeoutSeconds) throws InterruptedException {
            String line = lines.poll(timeoutSeconds, TimeUnit.SECONDS);
            if (line == null) {
                throw new IllegalStateException("host " + id + " did not answer '" + verb + "' within "
                        + timeoutSeconds + " s");
            }
            if (!line.startsWith(verb + " ") && !line.equals(verb)) {
                throw new IllegalStateException("host " + id + " answered '" + line + "' instead of '" + verb + "'");
            }
            Map<String, String> map = new HashMap<>();
            for (String part : line.substring(verb.length()).trim().split("\\s+")) {
                int eq = part.indexOf('=');
                if (eq > 0) {
                    map.put(part.substring(0, eq), part.substring(eq + 1));
                }
            }
            return map;
        }

        @Override
        public void close() {
            if (process.isAlive()) {
                send("exit");
                try {
                    if (!process.waitFor(30, TimeUnit.SECONDS)) {
                        process.destroyForcibly();
                    }
                } catch (InterruptedException e) {
                    process.destroyForcibly();
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    static HostBenchmark.Result run(HostBenchmark.Options o, Consumer<String> log) throws Exception {
        log.accept("host benchmark: " + o.describe());
        HostBenchmark.checkMemory(o.groups(), 1, log);
        int g = o.groups();
        Map<String, String> f = new LinkedHashMap<>();
        HostBenchmark.putOptions(f, o, "processes");
        Path dataDir = Files.createTempDirectory("ringraft-hostbench-");
        int[] ports = FreePorts.pick(3);
        List<Child> children = new ArrayList<>();
        long createTimeout = 120 + g / 50;
        try {
            for (int id = 1; id <= 3; id++) {
                children.add(new Child(id, command(o, id, ports, dataDir)));
            }
            for (Child c : children) {
                c.expect("ready", 120);
            }
            for (Child c : children) {
                c.send("create");
            }
            long start = Long.MAX_VALUE;
            long end = 0;
            long led = 0;
            for (Child c : children) {
                Map<String, String> m = c.expect("created", createTimeout);
                start = Math.min(start, Long.parseLong(m.get("start")));
                end = Math.max(end, Long.parseLong(m.get("end")));
                led = Math.max(led, Long.parseLong(m.get("leaders")));
            }
            f.put("createMs", HostBenchmark.fmt1(end - start));
            f.put("leadersMs", HostBenchmark.fmt1(led - start));
            log.accept(String.format(Locale.ROOT, "  create       %,d groups on each of 3 hosts (processes) in %d ms;"
                    + " every group's leader known to every host %d ms after the start", g, end - start, led - start));

            Thread.sleep(HostBenchmark.SETTLE_MILLIS);
            for (Child c : children) {
                c.send("idle");
            }
            long heap = 0;
            long direct = 0;
            long netty = 0;
            long cpu = 0;
            long idleFrames = 0;
            double wall = 0;
            int[] leaders = new int[3];
            long[] idleChurn = new long[HostSide.CHURN.length];
            Map<String, String> first = null;
            int maxJvmThreads = 0;
            double added = 0;
            for (Child c : children) {
                Map<String, String> m = c.expect("idle", (long) o.idleSeconds() + 60);
                if (first == null) {
                    first = m;
                }
                heap += Long.parseLong(m.get("heap"));
                direct += Long.parseLong(m.get("direct"));
                long n = Long.parseLong(m.get("netty"));
                netty = netty < 0 || n < 0 ? -1 : netty + n;
                cpu += Long.parseLong(m.get("cpuNanos"));
                idleFrames += Long.parseLong(m.get("frames"));
                wall = Math.max(wall, Long.parseLong(m.get("wallNanos")));
                leaders[c.id - 1] = Integer.parseInt(m.get("leaders"));
                HostBenchmark.addChurn(idleChurn, split(m.get("churn")));
                maxJvmThreads = Math.max(maxJvmThreads, Integer.parseInt(m.get("jvmThreads")));
                added += Integer.parseInt(m.get("jvmThreads")) - Integer.parseInt(m.get("threadsBefore"));
            }
            f.put("hostThreads", first.get("hostThreads"));
            f.put("addedThreadsPerHost", HostBenchmark.fmt1(added / 3));
            f.put("jvmThreads", Integer.toString(maxJvmThreads));
            log.accept(String.format(Locale.ROOT, "  threads      %s per host named ringraft-host-<id>-* (%d workers, %d IO);"
                            + " %.1f added per host with its transport and storage; at most %d in a host's JVM",
                    first.get("hostThreads"), o.workers(), o.ioThreads(), added / 3, maxJvmThreads));
            HostBenchmark.putMemory(f, log, 3L * g, heap, direct, netty);
            double idlePct = wall == 0 ? 0 : 100.0 * cpu / wall;
            f.put("idleCpuPct", HostBenchmark.fmt2(idlePct));
            log.accept(String.format(Locale.ROOT, "  idle CPU     %.2f%% of one core over %.1f s (the 3 processes together,"
                    + " %,d group replicas)", idlePct, wall / 1e9, 3L * g));
            HostBenchmark.putIdleFrames(f, log, idleFrames, (long) wall);
            HostBenchmark.putLeaders(f, log, "leaders", leaders, g, null);
            HostBenchmark.putChurn(f, log, "idle", idleChurn, g);
            int[] leadersNow = leaders;

            if (o.measureSeconds() > 0) {
                long[] windows = split(o.window(), leaders);
                for (Child c : children) {
                    c.send("load " + windows[c.id - 1]);
                }
                long ops = 0;
                double opsPerSec = 0;
                double seconds = 0;
                long loadCpu = 0;
                long alloc = 0;
                long gcCount = 0;
                long gcMs = 0;
                long left = 0;
                long frames = 0;
                long[] failures = new long[Failure.values().length];
                Histogram all = new Histogram(HostLoad.HIGHEST_TRACKABLE_NANOS, 3);
                int[] after = new int[3];
                long[] loadChurn = new long[HostSide.CHURN.length];
                for (Child c : children) {
                    Map<String, String> m = c.expect("load", (long) (o.warmupSeconds() + o.measureSeconds()) + 120);
                    long childOps = Long.parseLong(m.get("ops"));
                    double childSeconds = Double.parseDouble(m.get("seconds"));
                    ops += childOps;
                    opsPerSec += childSeconds > 0 ? childOps / childSeconds : 0;
                    seconds = Math.max(seconds, childSeconds);
                    loadCpu += Long.parseLong(m.get("cpuNanos"));
                    long a = Long.parseLong(m.get("alloc"));
                    alloc = alloc < 0 || a < 0 ? -1 : alloc + a;
                    gcCount += Long.parseLong(m.get("gcCount"));
                    gcMs += Long.parseLong(m.get("gcMs"));
                    left += Long.parseLong(m.get("left"));
                    frames += Long.parseLong(m.get("frames"));
                    String[] fs = m.get("failures").split(",");
                    for (int i = 0; i < failures.length; i++) {
                        failures[i] += Long.parseLong(fs[i]);
                    }
                    all.add(decode(m.get("hist")));
                    after[c.id - 1] = Integer.parseInt(m.get("leadersAfter"));
                    HostBenchmark.addChurn(loadChurn, split(m.get("churn")));
                }
                // Aggregate ops/s is the sum of the three rates; the record's seconds make ops / seconds equal to it.
                double effectiveSeconds = opsPerSec > 0 ? ops / opsPerSec : seconds;
                new HostBenchmark.LoadFigures(ops, effectiveSeconds, all, loadCpu, alloc, gcCount, gcMs, failures, left,
                        frames)
                        .put(f, log);
                HostBenchmark.putLeaders(f, log, "leadersAfterLoad", after, g, null);
                leadersNow = after;
                HostBenchmark.putChurn(f, log, "load", loadChurn, g);
                boolean same = false;
                String digests = "";
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (!same && System.nanoTime() < deadline) {
                    List<String> seen = new ArrayList<>();
                    for (Child c : children) {
                        c.send("digest");
                    }
                    for (Child c : children) {
                        Map<String, String> m = c.expect("digest", 60);
                        seen.add(m.get("count") + ":" + m.get("hash"));
                    }
                    same = seen.stream().distinct().count() == 1;
                    digests = String.join("/", seen);
                    if (!same) {
                        Thread.sleep(100);
                    }
                }
                f.put("consistent", Boolean.toString(same));
                log.accept("  consistency  " + (same ? "OK" : "MISMATCH") + ": entries:hash per host " + digests);
            } else {
                HostBenchmark.LoadFigures.none(f);
            }

            if (o.killHost() != 0) {
                int victim = o.killHost() > 0 ? (int) o.killHost() : HostBenchmark.mostLeaders(leadersNow);
                kill(children, victim, f, log);
            } else {
                HostBenchmark.putFailover(f, 0, -1, -1, 0);
            }
            return new HostBenchmark.Result(o, f);
        } finally {
            for (Child c : children) {
                c.close();
            }
            ClusterBenchmark.deleteRecursively(dataDir);
        }
    }

    private static void kill(List<Child> children, int victim, Map<String, String> f, Consumer<String> log)
            throws InterruptedException {
        int watched = 0;
        for (Child c : children) {
            if (c.id != victim) {
                c.send("watch " + victim);
            }
        }
        for (Child c : children) {
            if (c.id != victim) {
                watched = Math.max(watched, Integer.parseInt(c.expect("watching", 60).get("n")));
            }
        }
        long killedAt = System.currentTimeMillis();
        children.get(victim - 1).process.destroyForcibly();
        for (Child c : children) {
            if (c.id != victim) {
                c.send("killed " + killedAt);
            }
        }
        Map<Integer, Long> firstLeader = new HashMap<>();
        for (Child c : children) {
            if (c.id != victim) {
                String times = c.expect("failover", 120).getOrDefault("times", "");
                for (String t : times.split(",")) {
                    if (!t.isEmpty()) {
                        int colon = t.indexOf(':');
                        firstLeader.merge(Integer.parseInt(t.substring(0, colon)),
                                Long.parseLong(t.substring(colon + 1)), Math::min);
                    }
                }
            }
        }
        children.get(victim - 1).process.waitFor(10, TimeUnit.SECONDS);
        long[] ms = firstLeader.values().stream().mapToLong(v -> Math.max(0, v - killedAt)).sorted().toArray();
        int missing = Math.max(0, watched - ms.length);
        double last = missing > 0 || ms.length == 0 ? -1 : ms[ms.length - 1];
        double median = ms.length == 0 ? -1 : ms[ms.length / 2];
        HostBenchmark.putFailover(f, victim, last, median, watched);
        f.put("failoverMissing", Integer.toString(missing));
        int election = io.ringraft.api.RaftConfig.hostDefaults().electionTimeoutMillis();
        log.accept(String.format(Locale.ROOT, "  failover     host %d's JVM killed (SIGKILL; it led %d groups): %s;"
                        + " median %.0f ms (election timeout %d ms)", victim, watched,
                watched == 0 ? "it led no group" : missing > 0 ? missing + " groups still without a new leader after 60 s"
                        : String.format(Locale.ROOT, "every one has a new leader after %.0f ms = %.2f election"
                        + " timeouts", last, last / election), median, election));
    }

    /** The window split in proportion to the groups each host leads (the remainder to the first ones). */
    static long[] split(long window, int[] leaders) {
        long total = Arrays.stream(leaders).sum();
        long[] shares = new long[leaders.length];
        long given = 0;
        for (int i = 0; i < leaders.length; i++) {
            shares[i] = total == 0 ? 0 : window * leaders[i] / total;
            given += shares[i];
        }
        for (int i = 0; given < window && total > 0; i = (i + 1) % leaders.length) {
            if (leaders[i] > 0) {
                shares[i]++;
                given++;
            }
        }
        return shares;
    }

    private static List<String> command(HostBenchmark.Options o, int id, int[] ports, Path dataDir) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (String jvmArg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (!jvmArg.contains("FlightRecord") && !jvmArg.startsWith("-agent") && !jvmArg.startsWith("-javaagent")
                    && !jvmArg.startsWith("-D" + DIR_PROPERTY)) {
                command.add(jvmArg);
            }
        }
        command.add("-D" + DIR_PROPERTY + "=" + dataDir.resolve("host-" + id));
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), HostBenchmark.class.getName()));
        command.addAll(o.toArgs());
        command.addAll(List.of("--child", Integer.toString(id), "--ports",
                ports[0] + "," + ports[1] + "," + ports[2]));
        return command;
    }

    private static String join(long[] values) {
        StringBuilder sb = new StringBuilder();
        for (long v : values) {
            sb.append(sb.length() == 0 ? "" : ",").append(v);
        }
        return sb.toString();
    }

    private static long[] split(String joined) {
        return Arrays.stream(joined.split(",")).mapToLong(Long::parseLong).toArray();
    }

    private static Histogram decode(String base64) {
        try {
            return Histogram.decodeFromCompressedByteBuffer(ByteBuffer.wrap(Base64.getDecoder().decode(base64)), 0);
        } catch (java.util.zip.DataFormatException e) {
            throw new IllegalStateException("a child's histogram does not decode", e);
        }
    }

    private static String encode(Histogram histogram) {
        ByteBuffer buffer = ByteBuffer.allocate(histogram.getNeededByteBufferCapacity());
        int length = histogram.encodeIntoCompressedByteBuffer(buffer);
        return Base64.getEncoder().encodeToString(Arrays.copyOf(buffer.array(), length));
    }

    // ---------------------------------------------------------------- child

    /** A child: one host, steered through standard input (see the class comment). */
    static void child(HostBenchmark.Options o) throws Exception {
        PrintStream out = System.out;
        System.setOut(System.err); // anything else printed goes to standard error
        int g = o.groups();
        HostSide side = null;
        try {
            long budget = HostBenchmark.checkMemory(g, 1, line -> System.err.println("[host " + o.child() + "] " + line));
            int threadsBefore = HostBenchmark.jvmThreads();
            HostLoad.Listener listener = new HostLoad.Listener();
            side = new HostSide(o.child(), o, null, o.ports(), Path.of(System.getProperty(DIR_PROPERTY)), listener,
                    budget);
            long heapBefore = HostBenchmark.usedHeapAfterGc();
            long directBefore = HostBenchmark.directUsed();
            long nettyBefore = HostBenchmark.nettyDirectUsed();
            out.println("@ ready");
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            String line;
            while ((line = in.readLine()) != null) {
                String[] words = line.trim().split("\\s+");
                switch (words[0]) {
                    case "create" -> {
                        long start = System.currentTimeMillis();
                        for (int i = 0; i < g; i++) {
                            side.create(i);
                            side.demandIfDesignated(i);
                        }
                        long end = System.currentTimeMillis();
                        // Passes until one finds every group's leader known without waiting (all led at once).
                        long passStart;
                        long passesEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(120 + g / 50);
                        do {
                            passStart = System.nanoTime();
                            for (RaftNode member : side.members) {
                                member.awaitLeader(Duration.ofSeconds(120 + g / 50));
                            }
                        } while (System.nanoTime() - passStart > TimeUnit.MILLISECONDS.toNanos(20) + g * 2_000L
                                && System.nanoTime() < passesEnd);
                        out.println("@ created start=" + start + " end=" + end + " leaders=" + System.currentTimeMillis());
                    }
                    case "idle" -> {
                        int hostThreads = HostBenchmark.hostThreads(o.child());
                        int jvmThreads = HostBenchmark.jvmThreads();
                        // Memory of quiet replicas (they hand back their ring and proposal queue): wait, bounded.
                        long quietDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60 + g / 200);
                        while (System.nanoTime() < quietDeadline
                                && !java.util.Arrays.stream(side.members).allMatch(RaftNode::isQuiesced)) {
                            Thread.sleep(50);
                        }
                        Thread.sleep(HostBenchmark.SETTLE_MILLIS);
                        OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
                        long frames0 = side.framesSent();
                        long cpu0 = os.getProcessCpuTime();
                        long wall0 = System.nanoTime();
                        Thread.sleep((long) (o.idleSeconds() * 1000));
                        long cpu = os.getProcessCpuTime() - cpu0;
                        long wall = System.nanoTime() - wall0;
                        long frames = side.framesSent() - frames0;
                        // After the CPU window: the collection it forces would otherwise count as idle CPU.
                        long heap = HostBenchmark.usedHeapAfterGc() - heapBefore;
                        long direct = HostBenchmark.directUsed() - directBefore;
                        long netty = nettyBefore < 0 ? -1 : HostBenchmark.nettyDirectUsed() - nettyBefore;
                        out.println("@ idle hostThreads=" + hostThreads + " jvmThreads=" + jvmThreads + " threadsBefore="
                                + threadsBefore + " heap=" + heap + " direct=" + direct + " netty=" + netty
                                + " cpuNanos=" + cpu + " wallNanos=" + wall + " frames=" + frames
                                + " leaders=" + side.leaders() + " churn=" + join(side.churn()));
                    }
                    case "load" -> {
                        long window = Long.parseLong(words[1]);
                        int[] led = new int[g];
                        int count = 0;
                        for (int i = 0; i < g; i++) {
                            if (side.members[i].isLeader()) {
                                led[count++] = i;
                            }
                        }
                        HostBenchmark.LoadFigures lf;
                        if (window > 0 && count > 0) {
                            HostLoad load = new HostLoad(new RaftNode[][] {side.members}, Arrays.copyOf(led, count),
                                    window, o.drivers(), o.payload());
                            listener.load = load;
                            lf = HostBenchmark.runLoad(load, o, side::framesSent);
                            listener.load = null;
                        } else {
                            Thread.sleep((long) ((o.warmupSeconds() + o.measureSeconds()) * 1000));
                            lf = new HostBenchmark.LoadFigures(0, o.measureSeconds(),
                                    new Histogram(HostLoad.HIGHEST_TRACKABLE_NANOS, 3), 0, 0, 0, 0,
                                    new long[Failure.values().length], 0, 0);
                        }
                        StringBuilder failures = new StringBuilder();
                        for (long v : lf.failures()) {
                            failures.append(failures.length() == 0 ? "" : ",").append(v);
                        }
                        out.println("@ load ops=" + lf.ops() + " seconds=" + lf.seconds() + " cpuNanos=" + lf.cpuNanos()
                                + " alloc=" + lf.allocatedBytes() + " gcCount=" + lf.gcCount() + " gcMs=" + lf.gcMillis()
                                + " left=" + lf.leftOver() + " frames=" + lf.frames() + " failures=" + failures + " leadersAfter=" + side.leaders()
                                + " churn=" + join(side.churn()) + " hist=" + encode(lf.histogram()));
                    }
                    case "digest" -> {
                        long count = 0;
                        long hash = 0;
                        for (int i = 0; i < g; i++) {
                            HashingStateMachine sm = side.stateMachines[i];
                            count += sm.count();
                            hash = hash * 31 + sm.hash();
                        }
                        out.println("@ digest count=" + count + " hash=" + Long.toHexString(hash));
                    }
                    case "watch" -> {
                        long victim = Long.parseLong(words[1]);
                        int[] watched = new int[g];
                        int n = 0;
                        for (int i = 0; i < g; i++) {
                            if (side.members[i].status().leaderId() == victim) {
                                watched[n++] = i;
                            }
                        }
                        out.println("@ watching n=" + n);
                        String killed = in.readLine();
                        if (killed == null || !killed.startsWith("killed ")) {
                            throw new IllegalStateException("expected 'killed <time>', got " + killed);
                        }
                        out.println("@ failover times=" + failover(side, Arrays.copyOf(watched, n), victim));
                    }
                    case "exit" -> {
                        side.close();
                        side = null;
                        out.println("@ bye");
                        out.flush();
                        System.exit(0);
                    }
                    default -> throw new IllegalArgumentException("unknown command " + line);
                }
            }
        } catch (Exception | Error e) {
            e.printStackTrace();
            out.println("@ error " + String.valueOf(e.getMessage()).replace('\n', ' '));
            out.flush();
            System.exit(1);
        } finally {
            if (side != null) {
                side.close();
            }
        }
    }

    /**
     * Polls this host's members of the watched groups every millisecond until each has a ready leader other
     * than the victim (60 s at most); returns {@code group:millis} for the groups this host came to lead.
     */
    private static String failover(HostSide side, int[] watched, long victim) throws InterruptedException {
        long[] ledAt = new long[watched.length];
        boolean[] settled = new boolean[watched.length];
        int pending = watched.length;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        long nextStatus = 0;
        while (pending > 0 && System.nanoTime() < deadline) {
            long now = System.currentTimeMillis();
            boolean checkStatus = System.nanoTime() >= nextStatus;
            for (int k = 0; k < watched.length; k++) {
                if (settled[k]) {
                    continue;
                }
                RaftNode member = side.members[watched[k]];
                if (member.isLeader()) {
                    ledAt[k] = now;
                    settled[k] = true;
                    pending--;
                } else if (checkStatus) {
                    long leader = member.status().leaderId();
                    if (leader != 0 && leader != victim && leader != side.id) {
                        settled[k] = true; // the other survivor leads it; it reports the time
                        pending--;
                    }
                }
            }
            if (checkStatus) {
                nextStatus = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(20);
            }
            Thread.sleep(1);
        }
        StringBuilder sb = new StringBuilder();
        for (int k = 0; k < watched.length; k++) {
            if (ledAt[k] != 0) {
                sb.append(sb.length() == 0 ? "" : ",").append(watched[k]).append(':').append(ledAt[k]);
            }
        }
        return sb.toString();
    }
}
