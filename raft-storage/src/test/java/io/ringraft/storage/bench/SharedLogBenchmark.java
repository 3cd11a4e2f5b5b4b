package io.ringraft.storage.bench;

import io.ringraft.api.Bytes;
import io.ringraft.api.EntryKind;
import io.ringraft.api.Vote;
import io.ringraft.spi.LogEntries;
import io.ringraft.spi.LogStorage;
import io.ringraft.storage.SegmentedLogStorage;
import io.ringraft.storage.wal.SharedLog;
import io.ringraft.storage.wal.WalBenchAccess;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.HdrHistogram.Recorder;
import org.HdrHistogram.Histogram;

/**
 * The shared WAL ({@link SharedLog}) with G groups appending 100 B entries, in two shapes, each against
 * a single-stream raw {@link FileChannel} loop with the same batching in the same run (four
 * alternations of a WAL slice and a raw slice, totals printed); then one {@link SegmentedLogStorage} per
 * group, and recovery of about 1 GB of log spread over 1,000 groups. A benchmark, not a test.
 *
 * <ul>
 *   <li><b>thread per group</b>: each group on its own thread does what a log writer does (append a
 *       batch, flush) and waits for its own flush;</li>
 *   <li><b>IO threads</b>: what {@code RaftHost}'s IO threads do ({@code IoWorker}): N threads (default 1)
 *       own the groups round-robin; each cycle takes up to 256 of its groups, appends a batch to each,
 *       then flushes each (the first flush makes the cycle durable with one {@code fdatasync}, the others
 *       return at once). Latency is from the start of the cycle (an upper bound for each entry).</li>
 * </ul>
 *
 * <p><b>Same batching.</b> The raw loop is one thread that, per round, writes with one positional
 * {@code write} the payload bytes of as many entries as the WAL slice just before it made durable per
 * {@code fdatasync} on average (entries / flush fsyncs, rounded; no framing, so it writes fewer bytes
 * than the WAL), then calls {@code force(false)}; into a zero-filled 64 MiB file used as a ring.
 *
 * <p>Usage: {@code SharedLogBenchmark [directory] [secondsPerRun] [recoveryMiB] [ioThreads] [groups,...]}
 * (defaults {@code target/wal-bench}, 2.0, 1024, 1, {@code 1,16,256,1024}; recoveryMiB 0 skips the
 * recovery run). The directory is wiped before and after. System properties: {@code -Dwalbench.ioOnly=true}
 * runs the IO-thread shape only (no thread-per-group or per-group-log runs); {@code -Dwalbench.fsync=false}
 * makes every force a no-op, for the WAL and the raw loop (a CPU-only run, never durable: it shows the
 * WAL's own CPU without the disk); {@code -Dwalbench.fsync=<micros>} replaces every force of both by a
 * park of that long (a model of a quiet disk, for the hand-over between IO threads; never durable).
 */
public final class SharedLogBenchmark {

    private static final int PAYLOAD = 100;
    private static final int[] GROUPS = {1, 16, 256, 1024};
    /** Alternations of the WAL and the raw loop per comparison. */
    private static final int SLICES = 4;
    /**
     * -1: real forces ({@code -Dwalbench.fsync} unset or {@code true}); otherwise forces are replaced,
     * for the WAL and the raw loop, by a park of that many nanoseconds ({@code -Dwalbench.fsync=<micros>},
     * a model of a disk) or by nothing ({@code false}: a CPU-only run).
     */
    private static final long FAKE_FORCE_NANOS = fakeForceNanos(System.getProperty("walbench.fsync", "true"));
    /** True: only the IO-thread shape is run. */
    private static final boolean IO_ONLY = Boolean.getBoolean("walbench.ioOnly");
    /** Groups written before their flushes in one IO cycle, as {@code IoWorker.MAX_BATCH}. */
    private static final int IO_BATCH = 256;


    private SharedLogBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args.length > 0 ? args[0] : "target/wal-bench").toAbsolutePath();
        double seconds = args.length > 1 ? Double.parseDouble(args[1]) : 2.0;
        int recoveryMiB = args.length > 2 ? Integer.parseInt(args[2]) : 1024;
        int ioThreads = args.length > 3 ? Integer.parseInt(args[3]) : 1;
        int[] groupCounts = args.length > 4 ? Arrays.stream(args[4].split(",")).mapToInt(Integer::parseInt).toArray()
                : GROUPS;
        wipe(dir);
        System.out.printf(Locale.ROOT, "directory %s, %.1f s per run, %d B entries, %d IO threads, %d cores%s%n", dir,
                seconds, PAYLOAD, ioThreads, Runtime.getRuntime().availableProcessors(),
                FAKE_FORCE_NANOS < 0 ? "" : FAKE_FORCE_NANOS == 0 ? ", fsync OFF (CPU only, never durable)"
                        : ", fsync replaced by a park of " + FAKE_FORCE_NANOS / 1000 + " us (never durable)");
        compare(dir, 16, 0.5, 0, false); // warm-up
        compare(dir, 16, 0.5, ioThreads, false);
        System.out.println();
        System.out.println("| groups | storage | entries/s | fsyncs/s | MB/s | entries per fsync | p99 append to durable"
                + " | CPU per entry | open log files |");
        System.out.println("|---|---|---|---|---|---|---|---|---|");
        for (int groups : groupCounts) {
            if (IO_ONLY) {
                compare(dir, groups, seconds, Math.min(ioThreads, groups), true);
                continue;
            }
            compare(dir, groups, seconds, 0, true);
            compare(dir, groups, seconds, Math.min(ioThreads, groups), true);
            if (groups <= 256) {
                print(groups, "SegmentedLogStorage per group (1 MiB segments), thread per group",
                        runSegmented(dir, groups, seconds));
            }
        }
        if (recoveryMiB > 0) {
            recovery(dir, recoveryMiB);
        }
        wipe(dir);
    }

    /**
     * The WAL in one shape ({@code ioThreads} 0: a thread per group) against the raw loop with its
     * batching: {@link #SLICES} alternations of a WAL slice and a raw slice (each a quarter of
     * {@code seconds}; the raw slice writes per fsync as many entries as the WAL slice just before it),
     * so that both see the same disk and neighbours; the totals are printed.
     */
    private static void compare(Path dir, int groups, double seconds, int ioThreads, boolean print) throws Exception {
        String shape = ioThreads == 0 ? "thread per group" : ioThreads + " IO thread" + (ioThreads == 1 ? "" : "s");
        wipe(dir);
        Files.createDirectories(dir);
        List<LogStorage> storages = new ArrayList<>();
        try (SharedLog log = WalBenchAccess.builder(dir.resolve("wal"), FAKE_FORCE_NANOS).build();
                RawLoop raw = new RawLoop(dir.resolve("raw.log"))) {
            log.open();
            for (int g = 0; g < groups; g++) {
                LogStorage storage = log.storageFor(g);
                storage.open();
                storage.saveVote(new Vote(1, 1));
                storages.add(storage);
            }
            long[] next = new long[groups];
            Arrays.fill(next, 1);
            Result walTotal = null;
            Result rawTotal = null;
            for (int slice = 0; slice < SLICES; slice++) {
                long forcesBefore = WalBenchAccess.flushForces(log);
                Result w = ioThreads == 0 ? drive(storages, seconds / SLICES, next)
                        : driveIo(storages, ioThreads, seconds / SLICES, next);
                long fsyncs = WalBenchAccess.flushForces(log) - forcesBefore;
                w = new Result(w.entries(), fsyncs, w.seconds(), w.latencies(), WalBenchAccess.openFiles(log), w.cpuNanos());
                long entriesPerFsync = Math.max(1, Math.round((double) w.entries() / Math.max(1, fsyncs)));
                Result r = raw.run(entriesPerFsync, seconds / SLICES);
                walTotal = walTotal == null ? w : walTotal.plus(w);
                rawTotal = rawTotal == null ? r : rawTotal.plus(r);
            }
            if (print) {
                print(groups, "SharedLog, " + shape, walTotal);
                print(groups, "raw FileChannel write + force, same entries per fsync", rawTotal);
                System.out.printf(Locale.ROOT, "| %d | **SharedLog / raw, %s** | **%.0f%%** | | | | | | |%n", groups,
                        shape, 100 * walTotal.mbps() / rawTotal.mbps());
            }
        } finally {
            for (LogStorage storage : storages) {
                storage.close();
            }
            wipe(dir);
        }
    }

    /**
     * A run's totals. {@code cpuNanos}: CPU time of the whole JVM during the run (every thread: JIT
     * and GC too); {@code latencies} in microseconds.
     */
    record Result(long entries, long fsyncs, double seconds, Histogram latencies, int openFiles, long cpuNanos) {
        double mbps() {
            return entries * (double) PAYLOAD / seconds / 1e6;
        }

        Result plus(Result other) {
            Histogram merged = latencies.copy();
            merged.add(other.latencies);
            return new Result(entries + other.entries, fsyncs + other.fsyncs, seconds + other.seconds, merged,
                    Math.max(openFiles, other.openFiles), cpuNanos + other.cpuNanos);
        }
    }

    private static void print(int groups, String what, Result r) {
        System.out.printf(Locale.ROOT, "| %d | %s | %,.0f | %,.0f | %.2f | %.1f | %.2f ms | %.2f us | %d |%n", groups,
                what, r.entries() / r.seconds(), r.fsyncs() / r.seconds(), r.mbps(),
                (double) r.entries() / Math.max(1, r.fsyncs()), r.latencies().getValueAtPercentile(99) / 1000.0,
                r.cpuNanos() / 1000.0 / Math.max(1, r.entries()), r.openFiles());
    }

    private static Result runSegmented(Path dir, int groups, double seconds) throws Exception {
        wipe(dir);
        List<LogStorage> storages = new ArrayList<>();
        try {
            for (int g = 0; g < groups; g++) {
                SegmentedLogStorage storage = SegmentedLogStorage.builder(dir.resolve("g" + g)).nodeId(1).groupId(g)
                        .segmentBytes(1 << 20).build();
                storage.open();
                storage.saveVote(new Vote(1, 1));
                storages.add(storage);
            }
            long[] next = new long[groups];
            Arrays.fill(next, 1);
            Result r = drive(storages, seconds, next);
            int files;
            try (Stream<Path> all = Files.walk(dir)) {
                files = (int) all.filter(p -> p.getFileName().toString().endsWith(".log")).count();
            }
            return new Result(r.entries(), r.entries(), r.seconds(), r.latencies(), files, r.cpuNanos());
        } finally {
            for (LogStorage storage : storages) {
                storage.close();
            }
            wipe(dir);
        }
    }

    /**
     * Each storage on its own thread: append one entry, flush, until the time is up; storage
     * {@code i} appends from index {@code next[i]} on and leaves the next index there.
     */
    private static Result drive(List<LogStorage> storages, double seconds, long[] next) throws Exception {
        int groups = storages.size();
        Recorder latencies = new Recorder(3);
        AtomicLong entries = new AtomicLong();
        CyclicBarrier start = new CyclicBarrier(groups + 1);
        long[] window = new long[2];
        List<Thread> threads = new ArrayList<>();
        Throwable[] failure = new Throwable[1];
        for (int i = 0; i < groups; i++) {
            LogStorage storage = storages.get(i);
            int slot = i;
            Thread thread = new Thread(() -> {
                BatchView view = new BatchView();
                long index = next[slot];
                try {
                    start.await();
                    long deadline = window[1];
                    while (System.nanoTime() < deadline) {
                        long t0 = System.nanoTime();
                        view.firstIndex = index;
                        storage.append(view);
                        storage.flush();
                        latencies.recordValue((System.nanoTime() - t0) / 1000);
                        index++;
                        entries.incrementAndGet();
                    }
                    next[slot] = index;
                } catch (Throwable e) {
                    failure[0] = e;
                }
            });
            thread.start();
            threads.add(thread);
        }
        long cpuStart = processCpuNanos();
        window[0] = System.nanoTime();
        window[1] = window[0] + (long) (seconds * 1e9);
        start.await();
        for (Thread thread : threads) {
            thread.join();
        }
        long cpu = processCpuNanos() - cpuStart;
        if (failure[0] != null) {
            throw new IllegalStateException(failure[0]);
        }
        double elapsed = (System.nanoTime() - window[0]) / 1e9;
        Histogram histogram = latencies.getIntervalHistogram();
        return new Result(entries.get(), 0, elapsed, histogram, 0, cpu);
    }

    /**
     * {@code ioThreads} threads own the groups round-robin; each cycle appends to up to
     * {@link #IO_BATCH} of its groups, then flushes each of them (as {@code RaftHost}'s IO threads do).
     */
    private static Result driveIo(List<LogStorage> storages, int ioThreads, double seconds, long[] next)
            throws Exception {
        Recorder latencies = new Recorder(3);
        AtomicLong entries = new AtomicLong();
        CyclicBarrier start = new CyclicBarrier(ioThreads + 1);
        long[] window = new long[2];
        List<Thread> threads = new ArrayList<>();
        Throwable[] failure = new Throwable[1];
        for (int t = 0; t < ioThreads; t++) {
            List<LogStorage> own = new ArrayList<>();
            List<Integer> slots = new ArrayList<>();
            for (int g = t; g < storages.size(); g += ioThreads) {
                own.add(storages.get(g));
                slots.add(g);
            }
            Thread thread = new Thread(() -> {
                BatchView view = new BatchView();
                long done = 0;
                try {
                    start.await();
                    long deadline = window[1];
                    int cursor = 0;
                    while (System.nanoTime() < deadline) {
                        int batch = Math.min(IO_BATCH, own.size());
                        long cycleStart = System.nanoTime();
                        for (int i = 0; i < batch; i++) {
                            int g = (cursor + i) % own.size();
                            view.firstIndex = next[slots.get(g)]++;
                            own.get(g).append(view);
                        }
                        for (int i = 0; i < batch; i++) {
                            own.get((cursor + i) % own.size()).flush();
                        }
                        // From the cycle's start (an upper bound for each entry): one clock read per cycle.
                        latencies.recordValueWithCount((System.nanoTime() - cycleStart) / 1000, batch);
                        done += batch;
                        cursor = (cursor + batch) % own.size();
                    }
                    entries.addAndGet(done);
                } catch (Throwable e) {
                    failure[0] = e;
                }
            }, "io-" + t);
            thread.start();
            threads.add(thread);
        }
        long cpuStart = processCpuNanos();
        window[0] = System.nanoTime();
        window[1] = window[0] + (long) (seconds * 1e9);
        start.await();
        for (Thread thread : threads) {
            thread.join();
        }
        long cpu = processCpuNanos() - cpuStart;
        if (failure[0] != null) {
            throw new IllegalStateException(failure[0]);
        }
        double elapsed = (System.nanoTime() - window[0]) / 1e9;
        return new Result(entries.get(), 0, elapsed, latencies.getIntervalHistogram(), 0, cpu);
    }

    /**
     * The raw loop: one thread, each round one positional write of {@code entriesPerFsync} 100 B payloads
     * then {@code force(false)}, into a 64 MiB zero-filled file reused as a ring.
     */
    private static final class RawLoop implements AutoCloseable {
        private static final long FILE_BYTES = 64L << 20;
        private final FileChannel file;
        private long position;

        RawLoop(Path path) throws IOException {
            file = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            ByteBuffer zeros = ByteBuffer.allocateDirect(1 << 20);
            for (long at = 0; at < FILE_BYTES; at += zeros.capacity()) {
                zeros.clear();
                file.write(zeros, at);
            }
            file.force(true);
        }

        Result run(long entriesPerFsync, double seconds) throws IOException {
            ByteBuffer buffer = ByteBuffer.allocateDirect((int) Math.min(entriesPerFsync * PAYLOAD, 16 << 20));
            long fsyncs = 0;
            long bytes = 0;
            Recorder latencies = new Recorder(3);
            long cpuStart = processCpuNanos();
            long begin = System.nanoTime();
            long deadline = begin + (long) (seconds * 1e9);
            while (System.nanoTime() < deadline) {
                long t0 = System.nanoTime();
                buffer.clear();
                if (position + buffer.capacity() > FILE_BYTES) {
                    position = 0;
                }
                while (buffer.hasRemaining()) {
                    position += file.write(buffer, position);
                }
                if (FAKE_FORCE_NANOS < 0) {
                    file.force(false);
                } else {
                    WalBenchAccess.fakeForce(FAKE_FORCE_NANOS);
                }
                latencies.recordValue((System.nanoTime() - t0) / 1000);
                fsyncs++;
                bytes += buffer.capacity();
            }
            double elapsed = (System.nanoTime() - begin) / 1e9;
            long cpu = processCpuNanos() - cpuStart;
            return new Result(bytes / PAYLOAD, fsyncs, elapsed, latencies.getIntervalHistogram(), 1, cpu);
        }

        @Override
        public void close() throws IOException {
            file.close();
        }
    }

    /** About {@code mib} MiB of 1 KiB entries spread over 1,000 groups, then the time to open it again. */
    private static void recovery(Path dir, int mib) throws IOException {
        wipe(dir);
        int groups = 1000;
        int payload = 1024;
        long entriesPerGroup = ((long) mib << 20) / (payload + 40) / groups;
        Path walDir = dir.resolve("wal");
        long writeStart = System.nanoTime();
        try (SharedLog log = SharedLog.builder(walDir).nodeId(1).build()) {
            log.open();
            LogStorage[] storages = new LogStorage[groups];
            for (int g = 0; g < groups; g++) {
                storages[g] = log.storageFor(g);
                storages[g].open();
                storages[g].saveVote(new Vote(1, 1));
            }
            BatchView view = new BatchView(payload);
            for (long i = 1; i <= entriesPerGroup; i++) {
                for (LogStorage storage : storages) {
                    view.firstIndex = i;
                    storage.append(view);
                }
            }
            storages[0].flush();
        }
        double writeSeconds = (System.nanoTime() - writeStart) / 1e9;
        long logBytes;
        try (Stream<Path> all = Files.list(walDir)) {
            logBytes = all.filter(p -> p.getFileName().toString().startsWith("wal-")).mapToLong(p -> p.toFile().length()).sum();
        }
        long start = System.nanoTime();
        int openFiles;
        long recovered = 0;
        try (SharedLog log = SharedLog.builder(walDir).nodeId(1).build()) {
            log.open();
            openFiles = WalBenchAccess.openFiles(log);
            for (int g = 0; g < groups; g++) {
                LogStorage storage = log.storageFor(g);
                recovered += storage.open().last().index();
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.println();
        System.out.printf(Locale.ROOT, "recovery: %d groups, %,d entries of %d B (%.0f MiB of WAL files, written in %.1f s),"
                + " opened in %.2f s, %d open files, %,d entries recovered%n", groups, entriesPerGroup * groups, payload,
                logBytes / 1048576.0, writeSeconds, seconds, openFiles, recovered);
        wipe(dir);
    }

    private static long fakeForceNanos(String setting) {
        return switch (setting) {
            case "true" -> -1;
            case "false" -> 0;
            default -> Long.parseLong(setting) * 1000;
        };
    }

    private static long processCpuNanos() {
        return ProcessHandle.current().info().totalCpuDuration().map(java.time.Duration::toNanos).orElse(0L);
    }

    private static void wipe(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    /** One entry of term 1 whose payload buffer is reused: allocates nothing per append. */
    private static final class BatchView implements LogEntries {
        private final Bytes payload;
        long firstIndex;

        BatchView() {
            this(PAYLOAD);
        }

        BatchView(int size) {
            this.payload = Bytes.wrap(ByteBuffer.allocateDirect(size));
        }

        @Override
        public long firstIndex() {
            return firstIndex;
        }

        @Override
        public int count() {
            return 1;
        }

        @Override
        public long termAt(int offset) {
            return 1;
        }

        @Override
        public EntryKind kindAt(int offset) {
            return EntryKind.COMMAND;
        }

        @Override
        public Bytes payloadAt(int offset) {
            return payload;
        }
    }
}
