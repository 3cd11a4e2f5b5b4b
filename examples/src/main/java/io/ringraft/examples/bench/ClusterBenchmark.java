package io.ringraft.examples.bench;

import com.sun.management.OperatingSystemMXBean;
import com.sun.management.ThreadMXBean;
import io.ringraft.api.IndeterminateException;
import io.ringraft.api.NodeStoppedException;
import io.ringraft.api.NotLeaderException;
import io.ringraft.api.ProposalListener;
import io.ringraft.api.RaftConfig;
import io.ringraft.api.RaftException;
import io.ringraft.api.RaftNode;
import io.ringraft.api.RejectedException;
import io.ringraft.api.StorageFailedException;
import io.ringraft.examples.FreePorts;
import io.ringraft.net.netty.NettyTransport;
import io.ringraft.spi.LogStorage;
import io.ringraft.storage.SegmentedLogStorage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;
import org.HdrHistogram.Histogram;

/**
 * The benchmark of record: a 3-node cluster in one JVM over loopback TCP ({@link NettyTransport},
 * free ports) with {@link SegmentedLogStorage} in a temporary directory (deleted afterwards), default
 * {@link RaftConfig}. One driver thread proposes at the leader through the allocation-free
 * {@code tryPropose}, keeping at most {@code window} proposals outstanding (closed loop: a counter
 * of outstanding proposals, the driver parks when the window is full and the listener unparks it).
 * After a warm-up, it measures ops/s, submit-to-applied latency (HdrHistogram), bytes allocated per
 * op by the whole JVM, GC count and time, peak heap, process CPU time per op; at the end it checks
 * that the three state machines applied the same entries (count and rolling hash).
 *
 * <p>Usage: {@code ClusterBenchmark [--payload 100] [--window 256] [--fsync on|off] [--warmup 10]
 * [--seconds 20]} (durations in seconds, fractions allowed). {@code --fsync off} builds each log with
 * {@code SegmentedLogStorage.Builder.unsafeNoFsync(true)}, which is <b>not durable</b>. The last line of output starts with
 * {@code RESULT} and holds every figure as {@code key=value} pairs (what {@link BenchmarkMatrix}
 * reads).
 *
 * <p>With {@code -Dringraft.bench.timeline=DIR} it also records the latency over time
 * ({@link LatencyTimeline}: {@code DIR/latency.hlog}, {@code timeline.csv} and {@code timeline.svg}, with
 * GC time, leader changes, log segment rolls and snapshots per second).
 */
public final class ClusterBenchmark {

    /** Where {@link LatencyTimeline} writes, if set. */
    static final String TIMELINE_PROPERTY = "ringraft.bench.timeline";

    /** The benchmark's settings. */
    public record Options(int payload, int window, boolean fsync, double warmupSeconds, double measureSeconds,
                          boolean compactThreads) {

        /** With a thread per task (the library's default). */
        public Options(int payload, int window, boolean fsync, double warmupSeconds, double measureSeconds) {
            this(payload, window, fsync, warmupSeconds, measureSeconds, false);
        }

        public static Options defaults() {
            return new Options(100, 256, true, 10, 20);
        }

        public static Options parse(String[] args) {
            Options o = defaults();
            for (int i = 0; i < args.length; i++) {
                String key = args[i];
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException("missing value after " + key);
                }
                String value = args[++i];
                switch (key) {
                    case "--payload" -> o = new Options(Integer.parseInt(value), o.window, o.fsync, o.warmupSeconds, o.measureSeconds, o.compactThreads);
                    case "--window" -> o = new Options(o.payload, Integer.parseInt(value), o.fsync, o.warmupSeconds, o.measureSeconds, o.compactThreads);
                    case "--fsync" -> o = new Options(o.payload, o.window, parseOnOff(value), o.warmupSeconds, o.measureSeconds, o.compactThreads);
                    case "--warmup" -> o = new Options(o.payload, o.window, o.fsync, Double.parseDouble(value), o.measureSeconds, o.compactThreads);
                    case "--seconds" -> o = new Options(o.payload, o.window, o.fsync, o.warmupSeconds, Double.parseDouble(value), o.compactThreads);
                    case "--threads" -> o = new Options(o.payload, o.window, o.fsync, o.warmupSeconds, o.measureSeconds,
                            parseThreads(value));
                    default -> throw new IllegalArgumentException("unknown option " + key
                            + " (known: --payload, --window, --fsync on|off, --warmup, --seconds, --threads per-task|compact)");
                }
            }
            if (o.payload < 1 || o.window < 1 || o.measureSeconds <= 0 || o.warmupSeconds < 0) {
                throw new IllegalArgumentException("invalid options " + o);
            }
            return o;
        }

        private static boolean parseThreads(String value) {
            return switch (value) {
                case "per-task" -> false;
                case "compact" -> true;
                default -> throw new IllegalArgumentException("--threads takes per-task or compact (the peer senders on"
                        + " the core's thread), got " + value);
            };
        }

        private static boolean parseOnOff(String value) {
            return switch (value) {
                case "on", "true" -> true;
                case "off", "false" -> false;
                default -> throw new IllegalArgumentException("--fsync takes on or off, got " + value);
            };
        }
    }

    /** Kinds of failure the driver counts. */
    public enum Failure {
        /** onFailed with NotLeaderException (never entered the log). */
        NOT_LEADER,
        /** onFailed with RejectedException (never entered the log). */
        REJECTED,
        /** onFailed with IndeterminateException (may have taken effect). */
        INDETERMINATE,
        /** onFailed with NodeStoppedException. */
        NODE_STOPPED,
        /** onFailed with StorageFailedException. */
        STORAGE_FAILED,
        /** onFailed with any other exception. */
        OTHER,
        /** tryPropose refused the proposal (not ACCEPTED: queue full, not the leader, stopped); retried. */
        REFUSED
    }

    /** Every figure of one run. Latencies in microseconds. */
    public record Result(Options options, long ops, double seconds, double opsPerSecond, double p50Micros,
                         double p99Micros, double p999Micros, double maxMicros, double bytesPerOp, long gcCount,
                         long gcMillis, long peakHeapBytes, double cpuMicrosPerOp, double cpuCores,
                         long[] failures, int leaderChanges, boolean consistent, long appliedEntries,
                         String stateMachines) {

        public long totalFailures() {
            long sum = 0;
            for (long f : failures) {
                sum += f;
            }
            return sum;
        }

        public String failureSummary() {
            StringBuilder sb = new StringBuilder();
            for (Failure f : Failure.values()) {
                if (failures[f.ordinal()] != 0) {
                    sb.append(sb.length() == 0 ? "" : ", ").append(f.name().toLowerCase(Locale.ROOT)).append(' ')
                            .append(failures[f.ordinal()]);
                }
            }
            return sb.length() == 0 ? "none" : sb.toString();
        }

        /** One machine-readable line. */
        public String resultLine() {
            return String.format(Locale.ROOT, "RESULT payload=%d window=%d fsync=%s ops=%d seconds=%.3f opsPerSec=%.0f"
                            + " p50us=%.1f p99us=%.1f p999us=%.1f maxus=%.1f bytesPerOp=%.1f gcCount=%d gcMs=%d"
                            + " peakHeapMB=%.1f cpuUsPerOp=%.2f cpuCores=%.2f failures=%d leaderChanges=%d consistent=%s",
                    options.payload, options.window, options.fsync ? "on" : "off", ops, seconds, opsPerSecond,
                    p50Micros, p99Micros, p999Micros, maxMicros, bytesPerOp, gcCount, gcMillis,
                    peakHeapBytes / 1048576.0, cpuMicrosPerOp, cpuCores, totalFailures(), leaderChanges, consistent);
        }
    }

    private static final long HIGHEST_TRACKABLE_NANOS = TimeUnit.SECONDS.toNanos(60);

    private ClusterBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Options options = Options.parse(args);
        Result result = run(options, System.out::println);
        print(result);
        System.exit(result.consistent() && result.ops() > 0 ? 0 : 1);
    }

    /** Prints the human-readable report and the RESULT line. */
    public static void print(Result r) {
        Options o = r.options();
        System.out.printf(Locale.ROOT, "cluster benchmark: 3 nodes, loopback TCP, SegmentedLogStorage, fsync %s,"
                        + " payload %d B, window %d, warm-up %.1f s, measured %.1f s%n",
                o.fsync() ? "on" : "OFF (not durable)", o.payload(), o.window(), o.warmupSeconds(), r.seconds());
        System.out.printf(Locale.ROOT, "  throughput   %,.0f ops/s (%,d ops applied at the leader)%n", r.opsPerSecond(), r.ops());
        System.out.printf(Locale.ROOT, "  latency      p50 %.3f ms, p99 %.3f ms, p99.9 %.3f ms, max %.3f ms (submit to applied)%n",
                r.p50Micros() / 1000, r.p99Micros() / 1000, r.p999Micros() / 1000, r.maxMicros() / 1000);
        System.out.printf(Locale.ROOT, "  allocation   %.1f B per op (whole JVM)%n", r.bytesPerOp());
        System.out.printf(Locale.ROOT, "  GC           %d collections, %d ms; peak heap used %.1f MB%n",
                r.gcCount(), r.gcMillis(), r.peakHeapBytes() / 1048576.0);
        System.out.printf(Locale.ROOT, "  CPU          %.2f us per op (process), %.2f cores busy on average%n",
                r.cpuMicrosPerOp(), r.cpuCores());
        System.out.printf(Locale.ROOT, "  failures     %s; leader changes seen by the driver: %d%n",
                r.failureSummary(), r.leaderChanges());
        System.out.printf(Locale.ROOT, "  consistency  %s: %s%n", r.consistent() ? "OK" : "MISMATCH", r.stateMachines());
        System.out.println(r.resultLine());
    }

    /** Runs one benchmark; {@code log} receives progress lines. */
    public static Result run(Options options, java.util.function.Consumer<String> log) throws Exception {
        Path dataDir = Files.createTempDirectory("ringraft-bench-");
        Thread cleanup = new Thread(() -> deleteRecursively(dataDir), "ringraft-bench-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanup);
        try (Cluster cluster = new Cluster(options, dataDir)) {
            String timeline = System.getProperty(TIMELINE_PROPERTY);
            if (timeline != null) {
                cluster.shared.timeline = new LatencyTimeline(Path.of(timeline), HIGHEST_TRACKABLE_NANOS);
            }
            Driver driver = new Driver(options, cluster, log);
            driver.dataDir = dataDir;
            return driver.run();
        } finally {
            deleteRecursively(dataDir);
            try {
                Runtime.getRuntime().removeShutdownHook(cleanup);
            } catch (IllegalStateException shuttingDown) {
                // the hook runs anyway
            }
        }
    }

    /** The three nodes, their transports and state machines; one listener per node. */
    private static final class Cluster implements AutoCloseable {
        final List<NettyTransport> transports = new ArrayList<>();
        final List<RaftNode> nodes = new ArrayList<>();
        final List<HashingStateMachine> stateMachines = new ArrayList<>();
        final List<Listener> listeners = new ArrayList<>();
        final Shared shared;

        Cluster(Options options, Path dataDir) throws IOException {
            shared = new Shared(options.window());
            int[] ports = FreePorts.pick(3);
            try {
                for (int i = 0; i < 3; i++) {
                    long id = i + 1;
                    NettyTransport.Builder tb = NettyTransport.builder().clusterId("ringraft-bench").nodeId(id)
                            .bind("127.0.0.1", ports[i]);
                    for (int j = 0; j < 3; j++) {
                        if (j != i) {
                            tb.peer(j + 1, "127.0.0.1:" + ports[j]);
                        }
                    }
                    NettyTransport transport = tb.build();
                    transports.add(transport);
                    // --fsync off: NOT DURABLE, flush() forces nothing (the storage logs a WARN saying so).
                    LogStorage storage = SegmentedLogStorage.builder(dataDir.resolve("node-" + id)).nodeId(id)
                            .unsafeNoFsync(!options.fsync()).build();
                    HashingStateMachine sm = new HashingStateMachine();
                    stateMachines.add(sm);
                    Listener listener = new Listener(shared);
                    listeners.add(listener);
                    nodes.add(RaftNode.builder().nodeId(id).voters(1, 2, 3).config(RaftConfig.defaults())
                            .stateMachine(sm).logStorage(storage).transport(transport).proposalListener(listener)
                            .randomSeed(id).sendersOnCoreThread(options.compactThreads()).build());
                }
                nodes.forEach(RaftNode::start);
            } catch (RuntimeException e) {
                close();
                throw e;
            }
        }

        RaftNode leader() {
            for (RaftNode node : nodes) {
                if (node.status().isLeader()) {
                    return node;
                }
            }
            return null;
        }

        @Override
        public void close() {
            nodes.forEach(RaftNode::close);
            transports.forEach(NettyTransport::close);
        }
    }

    /** State shared by the driver and the listeners. */
    private static final class Shared {
        final long[] submitNanos;
        final int mask;
        /** Proposals that completed (applied or failed). */
        final AtomicLong done = new AtomicLong();
        final AtomicLong applied = new AtomicLong();
        final AtomicLongArray failures = new AtomicLongArray(Failure.values().length);
        final AtomicBoolean driverParked = new AtomicBoolean();
        volatile Thread driver;
        volatile boolean measuring;
        volatile boolean leaderSuspect;
        /** Latency over time, or null. */
        volatile LatencyTimeline timeline;

        Shared(int window) {
            int size = Integer.highestOneBit(Math.max(1 << 16, window * 8) - 1) << 1;
            submitNanos = new long[size];
            mask = size - 1;
        }

        void completed() {
            done.incrementAndGet();
            if (driverParked.get() && driverParked.compareAndSet(true, false)) {
                LockSupport.unpark(driver);
            }
        }
    }

    /** Records latencies into its own histogram (called by one node's applier or core thread). */
    private static final class Listener implements ProposalListener {
        final Shared shared;
        final Histogram histogram = new Histogram(HIGHEST_TRACKABLE_NANOS, 3);

        Listener(Shared shared) {
            this.shared = shared;
        }

        @Override
        public void onApplied(long correlationId, long index, Object result) {
            if (shared.measuring) {
                long latency = System.nanoTime() - shared.submitNanos[(int) (correlationId & shared.mask)];
                long value = Math.min(Math.max(latency, 0), HIGHEST_TRACKABLE_NANOS);
                histogram.recordValue(value);
                LatencyTimeline timeline = shared.timeline;
                if (timeline != null) {
                    timeline.record(value);
                }
            }
            shared.applied.incrementAndGet();
            shared.completed();
        }

        @Override
        public void onFailed(long correlationId, RaftException reason) {
            Failure kind;
            if (reason instanceof NotLeaderException) {
                kind = Failure.NOT_LEADER;
            } else if (reason instanceof RejectedException) {
                kind = Failure.REJECTED;
            } else if (reason instanceof IndeterminateException) {
                kind = Failure.INDETERMINATE;
            } else if (reason instanceof NodeStoppedException) {
                kind = Failure.NODE_STOPPED;
            } else if (reason instanceof StorageFailedException) {
                kind = Failure.STORAGE_FAILED;
            } else {
                kind = Failure.OTHER;
            }
            shared.failures.incrementAndGet(kind.ordinal());
            shared.leaderSuspect = true;
            shared.completed();
        }
    }

    /** The single driver thread's loop and the measurement. */
    private static final class Driver {
        final Options options;
        final Cluster cluster;
        final Shared shared;
        final java.util.function.Consumer<String> log;
        final ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        final OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        final List<GarbageCollectorMXBean> gcs = ManagementFactory.getGarbageCollectorMXBeans();
        final List<MemoryPoolMXBean> heapPools = ManagementFactory.getMemoryPoolMXBeans().stream()
                .filter(p -> p.getType() == MemoryType.HEAP).toList();
        RaftNode leader;
        int leaderChanges;
        long submitted;
        Path dataDir;
        /** The timeline's previous second: when, GC time, leader changes, segment files, snapshot indexes. */
        long timelineAt;
        long timelineGc;
        int timelineLeaderChanges;
        long timelineSegments;
        long[] timelineSnapshots;

        Driver(Options options, Cluster cluster, java.util.function.Consumer<String> log) {
            this.options = options;
            this.cluster = cluster;
            this.shared = cluster.shared;
            this.log = log;
        }

        Result run() throws Exception {
            shared.driver = Thread.currentThread();
            leader = awaitLeader(TimeUnit.SECONDS.toNanos(30));
            log.accept("leader is node " + leader.nodeId() + "; warming up for " + options.warmupSeconds() + " s");
            byte[] payload = new byte[options.payload()];
            java.nio.ByteBuffer payloadView = java.nio.ByteBuffer.wrap(payload);
            for (int i = 0; i < options.payload(); i++) {
                payload[i] = (byte) i;
            }
            int window = options.window();
            long start = System.nanoTime();
            long measureStart = start + (long) (options.warmupSeconds() * 1e9);
            long measureEnd = measureStart + (long) (options.measureSeconds() * 1e9);
            boolean measuring = false;
            long startApplied = 0;
            long startBytes = 0;
            long startCpu = 0;
            long startGcCount = 0;
            long startGcMillis = 0;
            long lastProgressNanos = start;
            long lastDone = 0;
            while (true) {
                long now = System.nanoTime();
                if (!measuring && now >= measureStart) {
                    measuring = true;
                    for (MemoryPoolMXBean pool : heapPools) {
                        pool.resetPeakUsage();
                    }
                    startGcCount = gcCount();
                    startGcMillis = gcMillis();
                    startApplied = shared.applied.get();
                    startCpu = os.getProcessCpuTime();
                    startBytes = threads.getTotalThreadAllocatedBytes();
                    shared.measuring = true;
                    measureStart = System.nanoTime();
                    measureEnd = measureStart + (long) (options.measureSeconds() * 1e9);
                    log.accept("measuring for " + options.measureSeconds() + " s");
                    if (shared.timeline != null) {
                        timelineSecond(measureStart, measureStart); // the baseline (its histogram is warm-up: empty)
                    }
                }
                if (measuring && now >= measureEnd) {
                    break;
                }
                if (measuring && shared.timeline != null && now - timelineAt >= 1_000_000_000L) {
                    timelineSecond(now, measureStart);
                }
                if (shared.leaderSuspect) {
                    shared.leaderSuspect = false;
                    refindLeader();
                }
                long done = shared.done.get();
                if (done != lastDone) {
                    lastDone = done;
                    lastProgressNanos = now;
                }
                if (submitted - done >= window) {
                    if (now - lastProgressNanos > TimeUnit.SECONDS.toNanos(1)) {
                        // Nothing completed for a second with a full window: check who leads.
                        lastProgressNanos = now;
                        refindLeader();
                    }
                    shared.driverParked.set(true);
                    if (submitted - shared.done.get() >= window) {
                        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
                    }
                    shared.driverParked.set(false);
                    continue;
                }
                long id = submitted + 1;
                if (options.payload() >= Long.BYTES) {
                    payloadView.putLong(0, id);
                } else {
                    payload[0] = (byte) id;
                }
                shared.submitNanos[(int) (id & shared.mask)] = System.nanoTime();
                if (leader.tryPropose(payload, 0, options.payload(), id).accepted()) {
                    submitted = id;
                } else {
                    shared.failures.incrementAndGet(Failure.REFUSED.ordinal());
                    LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(100));
                    refindLeader();
                }
            }
            long endBytes = threads.getTotalThreadAllocatedBytes();
            long endCpu = os.getProcessCpuTime();
            long endApplied = shared.applied.get();
            long endNanos = System.nanoTime();
            shared.measuring = false;
            if (shared.timeline != null) {
                shared.timeline.finish();
                log.accept("timeline written to " + System.getProperty(TIMELINE_PROPERTY));
            }
            long gcCount = gcCount() - startGcCount;
            long gcMillis = gcMillis() - startGcMillis;
            long peakHeap = 0;
            for (MemoryPoolMXBean pool : heapPools) {
                peakHeap += pool.getPeakUsage().getUsed();
            }

            log.accept("draining " + (submitted - shared.done.get()) + " outstanding proposals");
            long drainDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (submitted - shared.done.get() > 0 && System.nanoTime() < drainDeadline) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
            }
            String[] summary = new String[1];
            boolean consistent = awaitSameStateMachines(TimeUnit.SECONDS.toNanos(30), summary);

            Histogram all = new Histogram(HIGHEST_TRACKABLE_NANOS, 3);
            for (Listener listener : cluster.listeners) {
                all.add(listener.histogram);
            }
            long ops = endApplied - startApplied;
            double seconds = (endNanos - measureStart) / 1e9;
            long[] failures = new long[Failure.values().length];
            for (int i = 0; i < failures.length; i++) {
                failures[i] = shared.failures.get(i);
            }
            long totalApplied = cluster.stateMachines.get(0).count();
            return new Result(options, ops, seconds, ops / seconds, micros(all.getValueAtPercentile(50)),
                    micros(all.getValueAtPercentile(99)), micros(all.getValueAtPercentile(99.9)),
                    micros(all.getMaxValue()), (endBytes - startBytes) / (double) Math.max(1, ops), gcCount,
                    gcMillis, peakHeap, (endCpu - startCpu) / 1e3 / Math.max(1, ops),
                    (endCpu - startCpu) / (double) (endNanos - measureStart), failures, leaderChanges, consistent,
                    totalApplied, summary[0]);
        }

        private static double micros(long nanos) {
            return nanos / 1e3;
        }

        private long gcCount() {
            long sum = 0;
            for (GarbageCollectorMXBean gc : gcs) {
                sum += Math.max(0, gc.getCollectionCount());
            }
            return sum;
        }

        /** Closes a second of the timeline with what happened in it (allocates: once a second). */
        private void timelineSecond(long now, long measureStart) {
            long gc = gcMillis();
            long segments = segmentFiles();
            long[] snapshots = new long[cluster.nodes.size()];
            int snapshotsTaken = 0;
            for (int i = 0; i < snapshots.length; i++) {
                snapshots[i] = cluster.nodes.get(i).status().snapshotIndex();
                if (timelineSnapshots != null && snapshots[i] != timelineSnapshots[i]) {
                    snapshotsTaken++;
                }
            }
            if (timelineSnapshots != null) {
                shared.timeline.second((now - measureStart) / 1e9, gc - timelineGc, leaderChanges - timelineLeaderChanges,
                        (int) Math.max(0, segments - timelineSegments), snapshotsTaken);
            } else {
                shared.timeline.begin();
            }
            timelineAt = now;
            timelineGc = gc;
            timelineLeaderChanges = leaderChanges;
            timelineSegments = segments;
            timelineSnapshots = snapshots;
        }

        /** Segment files in the nodes' log directories (a roll adds one; purges may remove some, read as 0 rolls). */
        private long segmentFiles() {
            long count = 0;
            for (int id = 1; id <= cluster.nodes.size(); id++) {
                try (java.util.stream.Stream<Path> files = Files.list(dataDir.resolve("node-" + id))) {
                    count += files.filter(f -> f.getFileName().toString().startsWith("segment-")
                            && f.getFileName().toString().endsWith(".log")).count();
                } catch (IOException e) {
                    return timelineSegments; // a directory being changed: count nothing this second
                }
            }
            return count;
        }

        private long gcMillis() {
            long sum = 0;
            for (GarbageCollectorMXBean gc : gcs) {
                sum += Math.max(0, gc.getCollectionTime());
            }
            return sum;
        }

        /** Re-finds the leader (allocates: status records; only after a failure or a stall). */
        private void refindLeader() {
            if (leader.status().isLeader()) {
                return;
            }
            RaftNode next = awaitLeader(TimeUnit.SECONDS.toNanos(30));
            if (next != leader) {
                leaderChanges++;
                log.accept("leader changed: node " + leader.nodeId() + " -> node " + next.nodeId());
                leader = next;
            }
        }

        private RaftNode awaitLeader(long timeoutNanos) {
            long deadline = System.nanoTime() + timeoutNanos;
            while (true) {
                RaftNode found = cluster.leader();
                if (found != null) {
                    return found;
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("no leader within " + timeoutNanos / 1_000_000 + " ms: "
                            + cluster.nodes.stream().map(RaftNode::status).toList());
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
            }
        }

        /** Waits until all three state machines hold the same count and hash. */
        private boolean awaitSameStateMachines(long timeoutNanos, String[] summary) {
            long deadline = System.nanoTime() + timeoutNanos;
            while (true) {
                List<HashingStateMachine> sms = cluster.stateMachines;
                boolean same = true;
                StringBuilder sb = new StringBuilder();
                for (int i = 0; i < sms.size(); i++) {
                    HashingStateMachine sm = sms.get(i);
                    long count = sm.count();
                    long hash = sm.hash();
                    sb.append(i == 0 ? "" : "; ").append("node ").append(i + 1).append(": ").append(count)
                            .append(" entries, hash ").append(Long.toHexString(hash));
                    if (count != sms.get(0).count() || hash != sms.get(0).hash()) {
                        same = false;
                    }
                }
                summary[0] = sb.toString();
                if (same && sms.get(0).count() > 0) {
                    return true;
                }
                if (System.nanoTime() > deadline) {
                    return false;
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
            }
        }
    }

    static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException | UncheckedIOException e) {
            System.err.println("could not delete " + dir + ": " + e);
        }
    }
}
