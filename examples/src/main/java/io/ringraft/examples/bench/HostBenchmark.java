package io.ringraft.examples.bench;

import com.sun.management.OperatingSystemMXBean;
import com.sun.management.ThreadMXBean;
import io.ringraft.api.HostStatus;
import io.ringraft.api.RaftConfig;
import io.ringraft.api.RaftHost;
import io.ringraft.api.RaftNode;
import io.ringraft.examples.FreePorts;
import io.ringraft.examples.bench.ClusterBenchmark.Failure;
import io.ringraft.local.LocalNetwork;
import io.ringraft.net.netty.NettyTransport;
import io.ringraft.storage.GroupDirectories;
import io.ringraft.storage.wal.SharedLog;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.HdrHistogram.Histogram;

/**
 * The many-groups benchmark (issue 13): three {@link RaftHost}s (node ids 1, 2, 3), each holding G groups
 * whose voters are the three hosts, on the hosts' shared worker and IO threads. In one JVM by default;
 * with {@code --processes}, as three JVMs over Netty ({@link HostProcesses}). Phases, in order:
 *
 * <ol>
 *   <li><b>Memory check.</b> Prints the estimate {@code RaftConfig.hostDefaults().reservedBytes() x G x}
 *       (hosts in this JVM) and refuses to start if it exceeds the maximum heap ({@code -Xmx}), naming the
 *       {@code -Xmx} to use. Each host's memory budget is the maximum heap divided by the hosts in the JVM.</li>
 *   <li><b>Create.</b> Builds the hosts (and transports and storage), takes the used heap after
 *       {@code System.gc()} and the JVM's "direct" buffer pool, then creates group 1 to G on each host in
 *       turn (group by group), asking host {@code i % 3 + 1}'s replica of group {@code i} for a leader right
 *       after ({@link RaftNode#demandLeader()}: host groups start dormant), and times it ({@code createMs}),
 *       then waits until every group has a ready leader at once ({@link RaftNode#isLeader()};
 *       {@code leadersMs}, from the start of creation).</li>
 *   <li><b>Idle.</b> After 2 s to settle: threads per host (named {@code ringraft-host-<id>-*}), all JVM
 *       threads and the threads each host added with its transport and storage; then, once every replica is
 *       quiet (bounded wait), the process CPU time over {@code --idle-seconds} with no load, as % of one core (with Netty also the frames the hosts
 *       sent per second: heartbeat traffic); and leaders per host
 *       ({@link HostStatus#leaders()}) with the balance (most leaders on a host / (G / 3); 1.0 is even), and
 *       signs of churn: the groups' terms summed (G after one election each), messages the nodes dropped,
 *       and the Netty transports' refused sends and dropped inbound messages; then heap and direct memory
 *       per idle (quiet) group replica ((after - before) / (3 x G) after {@code System.gc()}, against
 *       {@code reservedBytes()}; with Netty also Netty's own direct memory counter), measured after the CPU
 *       window so that the forced collection does not count as idle CPU.</li>
 *   <li><b>Load</b> (unless {@code --seconds 0}). {@code --drivers} threads (default 1) keep {@code --window}
 *       proposals of {@code --payload} bytes outstanding in total, spread round-robin over the groups with
 *       at most {@code ceil(window / G)} per group, each at its group's leader through the allocation-free
 *       {@code tryPropose} + {@code ProposalListener} ({@link HostLoad}); after {@code --warmup} seconds it
 *       measures for {@code --seconds}: aggregate ops/s (applied at the leaders), submit-to-applied
 *       latency p50/p99/p99.9/max (HdrHistogram), process CPU per op, bytes allocated per op (whole JVM),
 *       Netty frames sent per op (cross-group batching; with {@code --transport netty}), group turns per op and
 *       those that found no work, IO cycles per op and groups written per IO cycle
 *       ({@link HostStatus#turns()} and the counters after it), Netty flushes per op and frames per flush
 *       ({@code TransportStats.flushes}),
 *       GC, failed proposals by kind, and refusals by {@code tryPropose} (back-pressure, retried: a group's
 *       share of the window beyond its 256-entry ring is refused); then leaders per host again, and checks that the three hosts applied the same entries (count
 *       and hash summed over the groups).</li>
 *   <li><b>Kill</b> ({@code --kill-host ID}). Notes the groups host ID leads, then kills it. In one JVM a
 *       "kill" is: cut the host off the network at once (with {@code --transport local} every group of it
 *       is isolated in the {@link LocalNetwork}; with Netty its {@link NettyTransport} is closed, which
 *       drops its connections), then close the host (its groups stop, with no leadership transfer and no
 *       goodbye message). The process lives on, so this is a crash of the host, not of its JVM; with
 *       {@code --processes} the host's JVM is killed with SIGKILL. Measures the time until each of those
 *       groups has a ready leader on a remaining host: the last one ({@code failoverMs}, and in election
 *       timeouts) and the median.</li>
 * </ol>
 *
 * <p>Usage: {@code HostBenchmark [--groups 16] [--transport netty|local] [--storage sharedlog|dirs|memory]
 * [--window 256] [--payload 100] [--warmup 5] [--seconds 10] [--idle-seconds 10] [--workers N]
 * [--io-threads 1] [--drivers 1] [--kill-host 0|1|2|3|most] [--processes]}. Durations in seconds, fractions allowed.
 * Storage: {@code sharedlog} is one {@link SharedLog} per host (fsync on; the default), {@code dirs} a
 * {@link GroupDirectories} per host (a segmented log per group, fsync on), {@code memory} an
 * {@code InMemoryLogStorage} per group (no disk). Data lives in a temporary directory, deleted afterwards.
 * Workers default to the number of cores (per host, as {@code RaftHost} does), IO threads to 1. The system
 * property {@code hostbench.waterMarks=low,high} (bytes) sets the Netty transports' write-buffer water marks,
 * for experiments (children of {@code --processes} inherit it); {@code hostbench.batchAnswers=false} turns off
 * {@code RaftHost.Builder.batchAnswers} (answers to appends then leave at once, a frame each).
 * {@code --kill-host 0} kills nothing, {@code --kill-host most} the host that leads the most groups then. Groups use {@link RaftConfig#hostDefaults()}. The last line of output
 * starts with {@code RESULT} and holds every figure as {@code key=value} pairs ({@code -1} where a phase did
 * not run).
 */
public final class HostBenchmark {

    /** How the hosts reach each other. */
    public enum Transport { LOCAL, NETTY }

    /** Where each group's log lives. */
    public enum Storage { SHAREDLOG, DIRS, MEMORY }

    /** The benchmark's settings; {@code child} and {@code ports} are set only in a child of {@code --processes}. */
    public record Options(int groups, Transport transport, Storage storage, int window, int payload,
                          double warmupSeconds, double measureSeconds, double idleSeconds, int workers,
                          int ioThreads, int drivers, long killHost, boolean processes, long child, int[] ports) {

        public static Options defaults() {
            return new Options(16, Transport.NETTY, Storage.SHAREDLOG, 256, 100, 5, 10, 10,
                    Runtime.getRuntime().availableProcessors(), 1, 1, 0, false, 0, null);
        }

        public static Options parse(String[] args) {
            Options d = defaults();
            int groups = d.groups;
            Transport transport = d.transport;
            Storage storage = d.storage;
            int window = d.window;
            int payload = d.payload;
            double warmup = d.warmupSeconds;
            double seconds = d.measureSeconds;
            double idle = d.idleSeconds;
            int workers = d.workers;
            int ioThreads = d.ioThreads;
            int drivers = d.drivers;
            long kill = d.killHost;
            boolean processes = false;
            long child = 0;
            int[] ports = null;
            for (int i = 0; i < args.length; i++) {
                String key = args[i];
                if (key.equals("--processes")) {
                    processes = true;
                    continue;
                }
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException("missing value after " + key);
                }
                String value = args[++i];
                switch (key) {
                    case "--groups" -> groups = Integer.parseInt(value);
                    case "--transport" -> transport = Transport.valueOf(value.toUpperCase(Locale.ROOT));
                    case "--storage" -> storage = Storage.valueOf(value.toUpperCase(Locale.ROOT));
                    case "--window" -> window = Integer.parseInt(value);
                    case "--payload" -> payload = Integer.parseInt(value);
                    case "--warmup" -> warmup = Double.parseDouble(value);
                    case "--seconds" -> seconds = Double.parseDouble(value);
                    case "--idle-seconds" -> idle = Double.parseDouble(value);
                    case "--workers" -> workers = Integer.parseInt(value);
                    case "--io-threads" -> ioThreads = Integer.parseInt(value);
                    case "--drivers" -> drivers = Integer.parseInt(value);
                    case "--kill-host" -> kill = value.equals("most") ? -1 : Long.parseLong(value);
                    case "--child" -> child = Long.parseLong(value);
                    case "--ports" -> ports = Arrays.stream(value.split(",")).mapToInt(Integer::parseInt).toArray();
                    default -> throw new IllegalArgumentException("unknown option " + key + " (known: --groups,"
                            + " --transport local|netty, --storage sharedlog|dirs|memory, --window, --payload,"
                            + " --warmup, --seconds, --idle-seconds, --workers, --io-threads, --drivers,"
                            + " --kill-host, --processes)");
                }
            }
            Options o = new Options(groups, transport, storage, window, payload, warmup, seconds, idle, workers,
                    ioThreads, drivers, kill, processes, child, ports);
            if (groups < 1 || groups > HostLoad.GROUP_MASK || window < 1 || payload < 1 || seconds < 0
                    || warmup < 0 || idle < 0 || workers < 1 || ioThreads < 1 || drivers < 1 || kill < -1
                    || kill > 3 || (processes && transport == Transport.LOCAL)) {
                throw new IllegalArgumentException("invalid options " + o.describe()
                        + (processes && transport == Transport.LOCAL ? " (--processes needs --transport netty)" : ""));
            }
            return o;
        }

        /** The options as arguments (for a child process), without {@code --processes}. */
        List<String> toArgs() {
            return new ArrayList<>(List.of("--groups", Integer.toString(groups),
                    "--transport", transport.name().toLowerCase(Locale.ROOT),
                    "--storage", storage.name().toLowerCase(Locale.ROOT), "--window", Integer.toString(window),
                    "--payload", Integer.toString(payload), "--warmup", Double.toString(warmupSeconds),
                    "--seconds", Double.toString(measureSeconds), "--idle-seconds", Double.toString(idleSeconds),
                    "--workers", Integer.toString(workers), "--io-threads", Integer.toString(ioThreads),
                    "--drivers", Integer.toString(drivers), "--kill-host", killHost == -1 ? "most" : Long.toString(killHost)));
        }

        String describe() {
            return String.format(Locale.ROOT, "%d groups x 3 hosts (%s), transport %s, storage %s, window %d, payload %d B,"
                            + " warm-up %.1f s, measured %.1f s, idle %.1f s, %d workers and %d IO threads per host,"
                            + " %d driver(s), kill host %s",
                    groups, processes ? "3 processes" : "one JVM", transport.name().toLowerCase(Locale.ROOT),
                    storage.name().toLowerCase(Locale.ROOT), window, payload, warmupSeconds, measureSeconds,
                    idleSeconds, workers, ioThreads, drivers, killHost == 0 ? "none" : killHost == -1 ? "most" : Long.toString(killHost));
        }
    }

    /** Every figure of one run, in the order of the RESULT line. */
    public record Result(Options options, Map<String, String> figures) {

        public String resultLine() {
            StringBuilder sb = new StringBuilder("RESULT");
            figures.forEach((k, v) -> sb.append(' ').append(k).append('=').append(v));
            return sb.toString();
        }

        public long ops() {
            return Long.parseLong(figures.getOrDefault("ops", "0"));
        }

        public boolean consistent() {
            return !"false".equals(figures.get("consistent"));
        }
    }

    static final long MIB = 1 << 20;
    static final long SETTLE_MILLIS = 2_000;

    private HostBenchmark() {
    }

    static final String USAGE = "usage: HostBenchmark [--groups 16] [--transport netty|local]"
            + " [--storage sharedlog|dirs|memory] [--window 256] [--payload 100] [--warmup 5] [--seconds 10]"
            + " [--idle-seconds 10] [--workers <cores>] [--io-threads 1] [--drivers 1] [--kill-host 0|1|2|3|most]"
            + " [--processes]";

    public static void main(String[] args) throws Exception {
        if (Arrays.asList(args).contains("--help")) {
            System.out.println(USAGE);
            return;
        }
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("error: " + e.getMessage());
            System.err.println(USAGE);
            System.exit(2);
            return;
        }
        if (options.child() != 0) {
            HostProcesses.child(options);
            return;
        }
        Result result;
        try {
            result = options.processes() ? HostProcesses.run(options, System.out::println)
                    : run(options, System.out::println);
        } catch (IllegalStateException e) {
            if (e.getMessage() != null && e.getMessage().contains("-Xmx")) {
                System.err.println("error: " + e.getMessage()); // the memory check: no stack trace
                System.exit(2);
            }
            throw e;
        }
        System.out.println(result.resultLine());
        System.exit(result.consistent() && (options.measureSeconds() == 0 || result.ops() > 0) ? 0 : 1);
    }

    /**
     * Checks that the groups' reserved memory fits this JVM's heap; logs the estimate.
     *
     * @return each host's memory budget: the maximum heap divided by the hosts in this JVM
     * @throws IllegalStateException naming the {@code -Xmx} to use if it does not fit
     */
    static long checkMemory(int groups, int hostsHere, Consumer<String> log) {
        long perGroup = RaftConfig.hostDefaults().reservedBytes();
        long estimate = perGroup * groups * hostsHere;
        long max = Runtime.getRuntime().maxMemory();
        log.accept(String.format(Locale.ROOT, "memory estimate: RaftConfig.hostDefaults().reservedBytes() = %,d B x %d"
                        + " groups x %d host(s) = %,.0f MiB; max heap (-Xmx) %,.0f MiB", perGroup, groups, hostsHere,
                estimate / (double) MIB, max / (double) MIB));
        // Measured on 2026-12-07: an idle group replica holds about 1.7x reservedBytes() of heap (the
        // applier's batch buffer, maxBytesPerAppend, is not in the estimate); suggest twice the estimate.
        long suggestGiB = (estimate * 2 + (1L << 30) + (1L << 30) - 1) >> 30;
        if (estimate > max) {
            throw new IllegalStateException(String.format(Locale.ROOT, "%d groups x %d host(s) reserve about %,d MiB"
                            + " (RaftConfig.hostDefaults().reservedBytes() = %,d B each), more than this JVM's maximum"
                            + " heap of %,d MiB; run with -Xmx%dg or more", groups, hostsHere, estimate / MIB, perGroup,
                    max / MIB, suggestGiB));
        }
        if (estimate * 2 > max) {
            log.accept(String.format(Locale.ROOT, "WARNING: an idle group replica measured about 1.7x reservedBytes()"
                    + " of heap; this heap may not hold %d groups x %d host(s): -Xmx%dg is safer", groups, hostsHere,
                    suggestGiB));
        }
        return max / hostsHere;
    }

    /** Runs the benchmark with three hosts in this JVM; {@code log} receives the report, line by line. */
    public static Result run(Options o, Consumer<String> log) throws Exception {
        log.accept("host benchmark: " + o.describe());
        long budget = checkMemory(o.groups(), 3, log);
        Map<String, String> f = new LinkedHashMap<>();
        putOptions(f, o, "jvm");
        int g = o.groups();
        Path dataDir = Files.createTempDirectory("ringraft-hostbench-");
        Thread cleanup = new Thread(() -> ClusterBenchmark.deleteRecursively(dataDir), "ringraft-hostbench-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanup);
        HostSide[] sides = new HostSide[3];
        HostLoad.Listener[] listeners = new HostLoad.Listener[3];
        LocalNetwork network = o.transport() == Transport.LOCAL ? new LocalNetwork() : null;
        try {
            int jvmThreadsBefore = jvmThreads();
            int[] ports = network == null ? FreePorts.pick(3) : null;
            for (int h = 0; h < 3; h++) {
                listeners[h] = new HostLoad.Listener();
                sides[h] = new HostSide(h + 1, o, network, ports, dataDir.resolve("host-" + (h + 1)), listeners[h],
                        budget);
            }
            RaftNode[][] members = {sides[0].members, sides[1].members, sides[2].members};
            long heapBefore = usedHeapAfterGc();
            long directBefore = directUsed();
            long nettyBefore = nettyDirectUsed();

            long start = System.nanoTime();
            for (int i = 0; i < g; i++) {
                for (HostSide side : sides) {
                    side.create(i);
                }
                for (HostSide side : sides) {
                    side.demandIfDesignated(i);
                }
            }
            long created = System.nanoTime();
            awaitLeaders(members, g, TimeUnit.SECONDS.toNanos(120 + g / 50));
            long led = System.nanoTime();
            f.put("createMs", fmt1((created - start) / 1e6));
            f.put("leadersMs", fmt1((led - start) / 1e6));
            log.accept(String.format(Locale.ROOT, "  create       %,d groups on each of 3 hosts in %.1f ms; every group"
                    + " led %.1f ms after the start", g, (created - start) / 1e6, (led - start) / 1e6));

            Thread.sleep(SETTLE_MILLIS);
            int hostThreads = hostThreads(1);
            int jvmThreads = jvmThreads();
            f.put("hostThreads", Integer.toString(hostThreads));
            f.put("addedThreadsPerHost", fmt1((jvmThreads - jvmThreadsBefore) / 3.0));
            f.put("jvmThreads", Integer.toString(jvmThreads));
            log.accept(String.format(Locale.ROOT, "  threads      %d per host named ringraft-host-1-* (%d workers, %d IO);"
                            + " %.1f added per host with its transport and storage; %d in the JVM", hostThreads,
                    o.workers(), o.ioThreads(), (jvmThreads - jvmThreadsBefore) / 3.0, jvmThreads));

            // Idle means quiet: wait (bounded) until every replica quiesced, so that the idle figures (memory:
            // a quiet group hands back its ring and proposal queue; CPU) are the steady state of sleeping groups
            // rather than the seconds before they fall asleep.
            long quietStart = System.nanoTime();
            long quietDeadline = quietStart + TimeUnit.SECONDS.toNanos(60 + g / 200);
            while (quiesced(sides) < 3L * g && System.nanoTime() < quietDeadline) {
                Thread.sleep(50);
            }
            long quietBefore = quiesced(sides);
            f.put("quiesceMs", fmt1((System.nanoTime() - quietStart) / 1e6));
            log.accept(String.format(Locale.ROOT, "  quiesce      %,d of %,d replicas quiet %.1f ms after the threads were"
                    + " counted", quietBefore, 3L * g, (System.nanoTime() - quietStart) / 1e6));

            OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
            long frames0 = framesSent(sides);
            long cpu0 = os.getProcessCpuTime();
            long wall0 = System.nanoTime();
            Thread.sleep((long) (o.idleSeconds() * 1000));
            long idleCpu = os.getProcessCpuTime() - cpu0;
            long idleWall = System.nanoTime() - wall0;
            long idleFrames = frames0 < 0 ? -1 : framesSent(sides) - frames0;
            double idlePct = idleWall == 0 ? 0 : 100.0 * idleCpu / idleWall;
            f.put("idleCpuPct", fmt2(idlePct));
            f.put("quiescedAfterIdle", Long.toString(quiesced(sides)));
            putIdleFrames(f, log, idleFrames, idleWall);
            log.accept(String.format(Locale.ROOT, "  idle CPU     %.2f%% of one core over %.1f s (the whole JVM, 3 hosts, %,d"
                    + " group replicas)", idlePct, idleWall / 1e9, 3L * g));
            putLeaders(f, log, "leaders", new int[] {sides[0].leaders(), sides[1].leaders(), sides[2].leaders()}, g,
                    sides);
            putChurn(f, log, "idle", churn(sides), g);
            // Memory after the idle CPU window: the collection it forces (and the heap the JVM gives back after
            // it) would otherwise be counted as idle CPU.
            long heapAfter = usedHeapAfterGc();
            long directAfter = directUsed();
            long nettyAfter = nettyDirectUsed();
            putMemory(f, log, g * 3L, heapAfter - heapBefore, directAfter - directBefore,
                    nettyBefore < 0 ? -1 : nettyAfter - nettyBefore);


            if (o.measureSeconds() > 0) {
                int[] all = new int[g];
                for (int i = 0; i < g; i++) {
                    all[i] = i;
                }
                HostLoad load = new HostLoad(members, all, o.window(), o.drivers(), o.payload());
                for (HostLoad.Listener l : listeners) {
                    l.load = load;
                }
                LoadFigures lf = runLoad(load, o, () -> framesSent(sides), () -> hostCounters(sides));
                lf.put(f, log);
                for (HostLoad.Listener l : listeners) {
                    l.load = null;
                }
                putLeaders(f, log, "leadersAfterLoad",
                        new int[] {sides[0].leaders(), sides[1].leaders(), sides[2].leaders()}, g, sides);
                putChurn(f, log, "load", churn(sides), g);
                boolean same = awaitSameState(sides, TimeUnit.SECONDS.toNanos(30));
                f.put("consistent", Boolean.toString(same));
                log.accept("  consistency  " + (same ? "OK" : "MISMATCH") + ": applied entries per host "
                        + sides[0].appliedEntries() + "/" + sides[1].appliedEntries() + "/" + sides[2].appliedEntries());
            } else {
                LoadFigures.none(f);
            }

            if (o.killHost() != 0) {
                int[] leading = {sides[0].leaders(), sides[1].leaders(), sides[2].leaders()};
                kill(sides, network, o.killHost() > 0 ? (int) o.killHost() : mostLeaders(leading), f, log);
            } else {
                putFailover(f, 0, -1, -1, 0);
            }
            return new Result(o, f);
        } finally {
            for (HostSide side : sides) {
                if (side != null) {
                    side.close();
                }
            }
            ClusterBenchmark.deleteRecursively(dataDir);
            try {
                Runtime.getRuntime().removeShutdownHook(cleanup);
            } catch (IllegalStateException shuttingDown) {
                // the hook runs anyway
            }
        }
    }

    /**
     * Adds the hosts' churn figures ({@link HostSide#churn()}): terms as the most any host's members sum to
     * (G after one election per group), everything else summed over the hosts.
     */
    static long[] addChurn(long[] total, long[] host) {
        total[0] = Math.max(total[0], host[0]);
        for (int i = 1; i < total.length; i++) {
            total[i] += host[i];
        }
        return total;
    }

    static void putChurn(Map<String, String> f, Consumer<String> log, String phase, long[] churn, int groups) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < churn.length; i++) {
            f.put(phase + Character.toUpperCase(HostSide.CHURN[i].charAt(0)) + HostSide.CHURN[i].substring(1),
                    Long.toString(churn[i]));
            if (i > 0) {
                sb.append(i == 1 ? "" : ", ").append(HostSide.CHURN[i]).append(' ').append(churn[i]);
            }
        }
        log.accept(String.format(Locale.ROOT, "  churn        after %s: terms summed over the groups %,d (%.2f per group);"
                + " %s", phase, churn[0], churn[0] / (double) groups, sb));
    }

    private static long[] churn(HostSide[] sides) {
        long[] total = new long[HostSide.CHURN.length];
        for (HostSide side : sides) {
            addChurn(total, side.churn());
        }
        return total;
    }

    /** Netty frames sent by the hosts so far, or -1 with the in-process network. */
    /** How many group replicas of the hosts are quiesced now. */
    private static long quiesced(HostSide[] sides) {
        long quiet = 0;
        for (HostSide side : sides) {
            for (RaftNode member : side.members) {
                if (member != null && member.isQuiesced()) {
                    quiet++;
                }
            }
        }
        return quiet;
    }

    /**
     * The hosts' scheduling and IO counters summed ({@link HostSide#counters()}): group turns, idle turns, IO
     * cycles, groups written in them, and the Netty transports' flushes (-1 without Netty).
     */
    private static long[] hostCounters(HostSide[] sides) {
        long[] sum = new long[HostSide.COUNTERS];
        for (HostSide side : sides) {
            if (!side.isClosed()) {
                long[] c = side.counters();
                for (int i = 0; i < sum.length; i++) {
                    sum[i] = c[i] < 0 || sum[i] < 0 ? -1 : sum[i] + c[i];
                }
            }
        }
        return sum;
    }

    private static long framesSent(HostSide[] sides) {
        long sum = 0;
        for (HostSide side : sides) {
            if (!side.isClosed()) {
                long n = side.framesSent();
                if (n < 0) {
                    return -1;
                }
                sum += n;
            }
        }
        return sum;
    }

    static void putIdleFrames(Map<String, String> f, Consumer<String> log, long frames, long wallNanos) {
        double perSecond = frames < 0 || wallNanos <= 0 ? -1 : frames / (wallNanos / 1e9);
        f.put("idleFramesPerSec", fmt0(perSecond));
        if (frames >= 0) {
            log.accept(String.format(Locale.ROOT, "  idle frames  %,.0f Netty frames per second sent by the 3 hosts while idle",
                    perSecond));
        }
    }

    static void putOptions(Map<String, String> f, Options o, String mode) {
        f.put("mode", mode);
        f.put("groups", Integer.toString(o.groups()));
        f.put("transport", o.transport().name().toLowerCase(Locale.ROOT));
        f.put("storage", o.storage().name().toLowerCase(Locale.ROOT));
        f.put("window", Integer.toString(o.window()));
        f.put("payload", Integer.toString(o.payload()));
        f.put("workers", Integer.toString(o.workers()));
        f.put("ioThreads", Integer.toString(o.ioThreads()));
        f.put("reservedPerGroupB", Long.toString(RaftConfig.hostDefaults().reservedBytes()));
    }

    static void putMemory(Map<String, String> f, Consumer<String> log, long replicas, long heap, long direct,
                          long nettyDirect) {
        long reserved = RaftConfig.hostDefaults().reservedBytes();
        double heapPer = heap / (double) replicas;
        double directPer = direct / (double) replicas;
        f.put("heapPerGroupB", fmt0(heapPer));
        f.put("directPerGroupB", fmt0(directPer));
        f.put("nettyDirectPerGroupB", nettyDirect < 0 ? "-1" : fmt0(nettyDirect / (double) replicas));
        log.accept(String.format(Locale.ROOT, "  memory       %,.0f B heap per idle group replica (%,d replicas, %,.1f MiB"
                        + " in all; reservedBytes() says %,d B, %.0f%%); direct %,.0f B per replica%s", heapPer, replicas,
                heap / (double) MIB, reserved, 100.0 * heapPer / reserved, directPer,
                nettyDirect < 0 ? "" : String.format(Locale.ROOT, ", Netty direct %,.0f B per replica",
                        nettyDirect / (double) replicas)));
    }

    static void putLeaders(Map<String, String> f, Consumer<String> log, String key, int[] leaders, int groups,
                           HostSide[] sides) {
        int max = 0;
        int sum = 0;
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < leaders.length; i++) {
            max = Math.max(max, leaders[i]);
            sum += leaders[i];
            sb.append(i == 0 ? "" : "/").append(leaders[i]);
        }
        double balance = max / (groups / 3.0);
        f.put(key, sb.toString());
        f.put(key + "Balance", fmt2(balance));
        String status = "";
        if (sides != null) {
            StringBuilder s = new StringBuilder();
            for (HostSide side : sides) {
                if (!side.isClosed()) {
                    HostStatus st = side.host.status();
                    s.append(s.length() == 0 ? "" : "; ").append("host ").append(st.nodeId()).append(": ")
                            .append(st.leaders()).append(" of ").append(st.groups());
                }
            }
            status = " (HostStatus: " + s + ")";
        }
        log.accept(String.format(Locale.ROOT, "  %-12s %s per host, %d of %d groups led; balance %.2f (most on a host"
                + " / (G / 3))%s", key, sb, sum, groups, balance, status));
    }

    /** The figures of one load phase. */
    record LoadFigures(long ops, double seconds, Histogram histogram, long cpuNanos, long allocatedBytes,
                       long gcCount, long gcMillis, long[] failures, long leftOver, long frames, long[] counters) {

        /** Without the hosts' counters (three processes: each child reports its own figures). */
        LoadFigures(long ops, double seconds, Histogram histogram, long cpuNanos, long allocatedBytes,
                    long gcCount, long gcMillis, long[] failures, long leftOver, long frames) {
            this(ops, seconds, histogram, cpuNanos, allocatedBytes, gcCount, gcMillis, failures, leftOver, frames, null);
        }

        static void none(Map<String, String> f) {
            for (String key : new String[] {"ops", "seconds", "opsPerSec", "p50us", "p99us", "p999us", "maxus",
                    "cpuUsPerOp", "bytesPerOp", "gcCount", "gcMs", "failures", "refused", "framesPerOp"}) {
                f.put(key, "-1");
            }
            f.put("consistent", "true");
        }

        void put(Map<String, String> f, Consumer<String> log) {
            long failed = 0;
            StringBuilder kinds = new StringBuilder();
            for (Failure k : Failure.values()) {
                failed += k == Failure.REFUSED ? 0 : failures[k.ordinal()];
                if (failures[k.ordinal()] != 0) {
                    kinds.append(kinds.length() == 0 ? "" : ", ").append(k.name().toLowerCase(Locale.ROOT))
                            .append(' ').append(failures[k.ordinal()]);
                }
            }
            double opsPerSec = ops / seconds;
            double p50 = histogram.getValueAtPercentile(50) / 1e3;
            double p99 = histogram.getValueAtPercentile(99) / 1e3;
            double p999 = histogram.getValueAtPercentile(99.9) / 1e3;
            double max = histogram.getMaxValue() / 1e3;
            double cpuPerOp = cpuNanos / 1e3 / Math.max(1, ops);
            double bytesPerOp = allocatedBytes < 0 ? -1 : allocatedBytes / (double) Math.max(1, ops);
            f.put("ops", Long.toString(ops));
            f.put("seconds", String.format(Locale.ROOT, "%.3f", seconds));
            f.put("opsPerSec", fmt0(opsPerSec));
            f.put("p50us", fmt1(p50));
            f.put("p99us", fmt1(p99));
            f.put("p999us", fmt1(p999));
            f.put("maxus", fmt1(max));
            f.put("cpuUsPerOp", fmt2(cpuPerOp));
            f.put("bytesPerOp", fmt1(bytesPerOp));
            f.put("gcCount", Long.toString(gcCount));
            f.put("gcMs", Long.toString(gcMillis));
            f.put("failures", Long.toString(failed));
            f.put("refused", Long.toString(failures[Failure.REFUSED.ordinal()]));
            f.put("framesPerOp", frames < 0 ? "-1" : fmt2(frames / (double) Math.max(1, ops)));
            double perOp = Math.max(1, ops);
            if (counters != null) {
                f.put("turnsPerOp", fmt2(counters[0] / perOp));
                f.put("idleTurnsPerOp", fmt2(counters[1] / perOp));
                f.put("taskRunsPerOp", fmt2(counters[5] / perOp));
                f.put("ioCyclesPerOp", fmt2(counters[2] / perOp));
                f.put("groupsPerIoCycle", fmt2(counters[3] / (double) Math.max(1, counters[2])));
                f.put("flushesPerOp", counters[4] < 0 ? "-1" : fmt2(counters[4] / perOp));
            }
            log.accept(String.format(Locale.ROOT, "  throughput   %,.0f ops/s (%,d ops applied at the leaders in %.1f s)",
                    opsPerSec, ops, seconds));
            log.accept(String.format(Locale.ROOT, "  latency      p50 %.3f ms, p99 %.3f ms, p99.9 %.3f ms, max %.3f ms"
                    + " (submit to applied)", p50 / 1e3, p99 / 1e3, p999 / 1e3, max / 1e3));
            log.accept(String.format(Locale.ROOT, "  CPU          %.2f us per op (process%s), %.2f cores busy; %.1f B"
                            + " allocated per op; GC %d collections, %d ms", cpuPerOp, "", cpuNanos / 1e9 / seconds,
                    bytesPerOp, gcCount, gcMillis));
            if (frames >= 0) {
                log.accept(String.format(Locale.ROOT, "  frames       %.2f Netty frames sent per op (all hosts; %,.0f per second)",
                        frames / (double) Math.max(1, ops), frames / seconds));
            }
            if (counters != null) {
                log.accept(String.format(Locale.ROOT, "  scheduling   %.2f group turns per op (all hosts), %.2f of them"
                                + " found no work, %.2f task duty cycles per op; IO %.3f cycles per op, %.1f groups"
                                + " written per cycle",
                        counters[0] / perOp, counters[1] / perOp, counters[5] / perOp, counters[2] / perOp,
                        counters[3] / (double) Math.max(1, counters[2])));
                if (counters[4] >= 0 && frames >= 0) {
                    log.accept(String.format(Locale.ROOT, "  writes       %.2f Netty flushes per op, %.1f frames per flush"
                                    + " (all hosts; a flush is one write syscall, or more if the socket is full)",
                            counters[4] / perOp, frames / (double) Math.max(1, counters[4])));
                }
            }
            log.accept("  failures     " + (kinds.length() == 0 ? "none" : kinds.toString()) + " (refused: tryPropose"
                    + " said no, e.g. QUEUE_FULL when a group's share of the window exceeds its ring; retried, not a failure)"
                    + (leftOver > 0 ? "; " + leftOver + " proposals still outstanding after the drain" : ""));
        }
    }

    /** Runs a load to the end: warm-up, measurement, drain. */
    static LoadFigures runLoad(HostLoad load, Options o, LongSupplier framesSent) throws InterruptedException {
        return runLoad(load, o, framesSent, () -> null);
    }

    /** Runs a load to the end, with the hosts' counters ({@code counters} may return null) over the measurement. */
    static LoadFigures runLoad(HostLoad load, Options o, LongSupplier framesSent,
                               java.util.function.Supplier<long[]> counters) throws InterruptedException {
        OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        load.start();
        Thread.sleep((long) (o.warmupSeconds() * 1000));
        long gc0 = gcCount();
        long gcMs0 = gcMillis();
        long applied0 = load.applied.sum();
        long cpu0 = os.getProcessCpuTime();
        long bytes0 = threads.getTotalThreadAllocatedBytes();
        long frames0 = framesSent.getAsLong();
        long[] counters0 = counters.get();
        long t0 = System.nanoTime();
        load.measuring(true);
        Thread.sleep((long) (o.measureSeconds() * 1000));
        load.measuring(false);
        long t1 = System.nanoTime();
        long frames1 = framesSent.getAsLong();
        long[] counters1 = counters.get();
        long bytes1 = threads.getTotalThreadAllocatedBytes();
        long cpu1 = os.getProcessCpuTime();
        long applied1 = load.applied.sum();
        long gc1 = gcCount();
        long gcMs1 = gcMillis();
        long left = load.stop(TimeUnit.SECONDS.toNanos(30));
        long[] failures = new long[Failure.values().length];
        for (int i = 0; i < failures.length; i++) {
            failures[i] = load.failures.get(i);
        }
        return new LoadFigures(applied1 - applied0, (t1 - t0) / 1e9, load.histogramCopy(), cpu1 - cpu0,
                bytes0 < 0 || bytes1 < 0 ? -1 : bytes1 - bytes0, gc1 - gc0, gcMs1 - gcMs0, failures, left,
                frames0 < 0 ? -1 : frames1 - frames0, difference(counters0, counters1));
    }

    private static long[] difference(long[] before, long[] after) {
        if (before == null || after == null) {
            return null;
        }
        long[] d = new long[before.length];
        for (int i = 0; i < d.length; i++) {
            d[i] = before[i] < 0 || after[i] < 0 ? -1 : after[i] - before[i];
        }
        return d;
    }

    /** Waits until every group has a ready leader among {@code members}. */
    private static void awaitLeaders(RaftNode[][] members, int groups, long timeoutNanos) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutNanos;
        int next = 0; // groups before it have had a leader; at the end, all of them must have one at once
        while (next < groups) {
            boolean led = false;
            for (RaftNode[] host : members) {
                if (host[next] != null && host[next].isLeader()) {
                    led = true;
                    break;
                }
            }
            if (led) {
                next++;
                if (next == groups) {
                    // Every group had a leader when looked at; check that they all have one at once.
                    for (int i = 0; i < groups; i++) {
                        if (!ledNow(members, i)) {
                            next = i;
                            break;
                        }
                    }
                }
                continue;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("group " + (next + 1) + " has no leader after "
                        + timeoutNanos / 1_000_000 + " ms (" + next + " of " + groups + " groups led)");
            }
            Thread.sleep(1);
        }
    }

    private static boolean ledNow(RaftNode[][] members, int group) {
        for (RaftNode[] host : members) {
            if (host[group] != null && host[group].isLeader()) {
                return true;
            }
        }
        return false;
    }

    private static boolean awaitSameState(HostSide[] sides, long timeoutNanos) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutNanos;
        while (true) {
            boolean same = true;
            for (int i = 0; i < sides[0].stateMachines.length && same; i++) {
                HashingStateMachine a = sides[0].stateMachines[i];
                for (int h = 1; h < sides.length; h++) {
                    HashingStateMachine b = sides[h].stateMachines[i];
                    if (a.count() != b.count() || a.hash() != b.hash()) {
                        same = false;
                        break;
                    }
                }
            }
            if (same) {
                return true;
            }
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(10);
        }
    }

    /** Kills host {@code id} (see the class comment) and times the new leaders of the groups it led. */
    private static void kill(HostSide[] sides, LocalNetwork network, int id, Map<String, String> f,
                             Consumer<String> log) throws InterruptedException {
        HostSide victim = sides[id - 1];
        int g = victim.members.length;
        int[] watched = new int[g];
        int count = 0;
        for (int i = 0; i < g; i++) {
            if (victim.members[i].isLeader()) {
                watched[count++] = i;
            }
        }
        long t0 = System.nanoTime();
        if (network != null) {
            for (int i = 0; i < g; i++) {
                network.isolate(i + 1L, id);
            }
        }
        long[] closedNanos = new long[1];
        Thread killer = new Thread(() -> {
            victim.closeTransport();
            victim.close();
            closedNanos[0] = System.nanoTime() - t0;
        }, "hostbench-kill-" + id);
        killer.start();
        long[] newLeaderNanos = new long[count];
        int pending = count;
        long deadline = t0 + TimeUnit.SECONDS.toNanos(60);
        while (pending > 0 && System.nanoTime() < deadline) {
            long now = System.nanoTime();
            for (int k = 0; k < count; k++) {
                if (newLeaderNanos[k] != 0) {
                    continue;
                }
                int group = watched[k];
                for (HostSide side : sides) {
                    if (side != victim && side.members[group].isLeader()) {
                        newLeaderNanos[k] = Math.max(1, now - t0);
                        pending--;
                        break;
                    }
                }
            }
            Thread.sleep(1);
        }
        killer.join();
        long[] done = Arrays.stream(newLeaderNanos).filter(v -> v != 0).sorted().toArray();
        double lastMs = pending > 0 || done.length == 0 ? -1 : done[done.length - 1] / 1e6;
        double medianMs = done.length == 0 ? -1 : done[done.length / 2] / 1e6;
        putFailover(f, id, lastMs, medianMs, count);
        f.put("failoverMissing", Integer.toString(pending));
        f.put("killCloseMs", fmt1(closedNanos[0] / 1e6));
        int election = RaftConfig.hostDefaults().electionTimeoutMillis();
        log.accept(String.format(Locale.ROOT, "  failover     host %d (led %d groups) killed: %s; median %.1f ms"
                        + " (election timeout %d ms); closing the killed host took %.1f ms", id, count,
                count == 0 ? "it led no group" : pending > 0 ? pending + " groups still without a new leader after 60 s"
                        : String.format(Locale.ROOT, "every one has a new leader after %.1f ms = %.2f election timeouts",
                        lastMs, lastMs / election), medianMs, election, closedNanos[0] / 1e6));
    }

    /** The node id of the host that leads the most groups (the lowest id on a tie). */
    static int mostLeaders(int[] leaders) {
        int best = 0;
        for (int i = 1; i < leaders.length; i++) {
            if (leaders[i] > leaders[best]) {
                best = i;
            }
        }
        return best + 1;
    }

    static void putFailover(Map<String, String> f, long id, double lastMs, double medianMs, int groups) {
        f.put("killHost", Long.toString(id));
        f.put("failoverGroups", Integer.toString(groups));
        f.put("failoverMs", fmt1(lastMs));
        f.put("failoverMedianMs", fmt1(medianMs));
        f.put("failoverElections", lastMs < 0 ? "-1" : fmt2(lastMs / RaftConfig.hostDefaults().electionTimeoutMillis()));
    }

    // ---- measurement helpers, shared with HostProcesses ----

    static long usedHeapAfterGc() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100);
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    /** The JVM's "direct" buffer pool (ByteBuffer.allocateDirect), in bytes. */
    static long directUsed() {
        for (BufferPoolMXBean pool : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
            if (pool.getName().equals("direct")) {
                return pool.getMemoryUsed();
            }
        }
        return 0;
    }

    /** Netty's own count of the direct memory it allocated without the JDK's pool, or -1 if it does not count. */
    static long nettyDirectUsed() {
        try {
            return io.netty.util.internal.PlatformDependent.usedDirectMemory();
        } catch (Throwable e) {
            return -1;
        }
    }

    /** Live threads named {@code ringraft-host-<id>-*}. */
    static int hostThreads(long id) {
        String prefix = "ringraft-host-" + id + "-";
        int n = 0;
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().startsWith(prefix)) {
                n++;
            }
        }
        return n;
    }

    static int jvmThreads() {
        return ManagementFactory.getThreadMXBean().getThreadCount();
    }

    static long gcCount() {
        long sum = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            sum += Math.max(0, gc.getCollectionCount());
        }
        return sum;
    }

    static long gcMillis() {
        long sum = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            sum += Math.max(0, gc.getCollectionTime());
        }
        return sum;
    }

    static String fmt0(double v) {
        return String.format(Locale.ROOT, "%.0f", v);
    }

    static String fmt1(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }

    static String fmt2(double v) {
        return String.format(Locale.ROOT, "%.2f", v);
    }
}
