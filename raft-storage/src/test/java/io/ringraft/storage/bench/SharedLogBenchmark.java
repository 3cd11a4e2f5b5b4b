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
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.HdrHistogram.Recorder;
import org.HdrHistogram.Histogram;

/**
 * The shared WAL ({@link SharedLog}) with G groups appending 100 B entries concurrently, each group on
 * its own thread doing what a log writer does (append a batch, flush), against one
 * {@link SegmentedLogStorage} per group and against a single-stream raw {@link FileChannel} loop that
 * writes the same bytes per {@code fdatasync} as the WAL achieved (the same batching), in the same
 * run; then recovery of about 1 GB of log spread over 1,000 groups. A benchmark, not a test.
 *
 * <p>Usage: {@code SharedLogBenchmark [directory] [secondsPerRun] [recoveryMiB]} (defaults
 * {@code target/wal-bench}, 2.0, 1024). The directory is wiped before and after.
 */
public final class SharedLogBenchmark {

    private static final int PAYLOAD = 100;
    private static final int[] GROUPS = {1, 16, 256, 1024};

    private SharedLogBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args.length > 0 ? args[0] : "target/wal-bench").toAbsolutePath();
        double seconds = args.length > 1 ? Double.parseDouble(args[1]) : 2.0;
        int recoveryMiB = args.length > 2 ? Integer.parseInt(args[2]) : 1024;
        wipe(dir);
        System.out.printf(Locale.ROOT, "directory %s, %.1f s per run, %d B entries, %d cores%n", dir, seconds, PAYLOAD,
                Runtime.getRuntime().availableProcessors());
        runWal(dir, 16, 0.5); // warm-up
        System.out.println();
        System.out.println("| groups | storage | entries/s | fsyncs/s | MB/s | entries per fsync | p99 append to durable | open log files |");
        System.out.println("|---|---|---|---|---|---|---|---|");
        for (int groups : GROUPS) {
            Result wal = runWal(dir, groups, seconds);
            Result raw = runRaw(dir, Math.max(1, Math.round(wal.bytesPerFsync())), seconds);
            print(groups, "SharedLog", wal);
            print(groups, "raw FileChannel write + force, same bytes per fsync", raw);
            System.out.printf(Locale.ROOT, "| %d | SharedLog / raw | | | %.0f%% | | | |%n", groups, 100 * wal.mbps() / raw.mbps());
            if (groups <= 256) {
                print(groups, "SegmentedLogStorage per group (1 MiB segments)", runSegmented(dir, groups, seconds));
            }
        }
        recovery(dir, recoveryMiB);
        wipe(dir);
    }

    record Result(long entries, long fsyncs, double seconds, double p99Micros, int openFiles) {
        double mbps() {
            return entries * (double) PAYLOAD / seconds / 1e6;
        }

        double bytesPerFsync() {
            return fsyncs == 0 ? 0 : entries * (double) PAYLOAD / fsyncs;
        }
    }

    private static void print(int groups, String what, Result r) {
        System.out.printf(Locale.ROOT, "| %d | %s | %,.0f | %,.0f | %.2f | %.1f | %s | %d |%n", groups, what,
                r.entries() / r.seconds(), r.fsyncs() / r.seconds(), r.mbps(), (double) r.entries() / Math.max(1, r.fsyncs()),
                Double.isNaN(r.p99Micros()) ? "" : String.format(Locale.ROOT, "%.2f ms", r.p99Micros() / 1000), r.openFiles());
    }

    /** One log writer per group: append one entry, flush, record the time from append to durable. */
    private static Result runWal(Path dir, int groups, double seconds) throws Exception {
        wipe(dir);
        try (SharedLog log = SharedLog.builder(dir.resolve("wal")).nodeId(1).build()) {
            log.open();
            List<LogStorage> storages = new ArrayList<>();
            for (int g = 0; g < groups; g++) {
                LogStorage storage = log.storageFor(g);
                storage.open();
                storage.saveVote(new Vote(1, 1));
                storages.add(storage);
            }
            long forcesBefore = WalBenchAccess.flushForces(log);
            Result r = drive(storages, seconds);
            long fsyncs = WalBenchAccess.flushForces(log) - forcesBefore;
            return new Result(r.entries(), fsyncs, r.seconds(), r.p99Micros(), WalBenchAccess.openFiles(log));
        } finally {
            wipe(dir);
        }
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
            Result r = drive(storages, seconds);
            int files;
            try (Stream<Path> all = Files.walk(dir)) {
                files = (int) all.filter(p -> p.getFileName().toString().endsWith(".log")).count();
            }
            return new Result(r.entries(), r.entries(), r.seconds(), r.p99Micros(), files);
        } finally {
            for (LogStorage storage : storages) {
                storage.close();
            }
            wipe(dir);
        }
    }

    /** Each storage on its own thread: append one entry, flush, until the time is up. */
    private static Result drive(List<LogStorage> storages, double seconds) throws Exception {
        int groups = storages.size();
        Recorder latencies = new Recorder(3);
        AtomicLong entries = new AtomicLong();
        CyclicBarrier start = new CyclicBarrier(groups + 1);
        long[] window = new long[2];
        List<Thread> threads = new ArrayList<>();
        Throwable[] failure = new Throwable[1];
        for (LogStorage storage : storages) {
            Thread thread = new Thread(() -> {
                BatchView view = new BatchView();
                long index = 1;
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
                } catch (Throwable e) {
                    failure[0] = e;
                }
            });
            thread.start();
            threads.add(thread);
        }
        window[0] = System.nanoTime();
        window[1] = window[0] + (long) (seconds * 1e9);
        start.await();
        for (Thread thread : threads) {
            thread.join();
        }
        if (failure[0] != null) {
            throw new IllegalStateException(failure[0]);
        }
        double elapsed = (System.nanoTime() - window[0]) / 1e9;
        Histogram histogram = latencies.getIntervalHistogram();
        return new Result(entries.get(), 0, elapsed, histogram.getValueAtPercentile(99), 0);
    }

    /** One thread: write {@code bytesPerFsync} bytes, force(false), into a 64 MiB zero-filled file reused as a ring. */
    private static Result runRaw(Path dir, long bytesPerFsync, double seconds) throws IOException {
        wipe(dir);
        Files.createDirectories(dir);
        long fileBytes = 64L << 20;
        ByteBuffer buffer = ByteBuffer.allocateDirect((int) Math.min(bytesPerFsync, 16 << 20));
        long fsyncs = 0;
        long bytes = 0;
        Recorder latencies = new Recorder(3);
        try (FileChannel file = FileChannel.open(dir.resolve("raw.log"), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE)) {
            ByteBuffer zeros = ByteBuffer.allocateDirect(1 << 20);
            for (long at = 0; at < fileBytes; at += zeros.capacity()) {
                zeros.clear();
                file.write(zeros, at);
            }
            file.force(true);
            long position = 0;
            long begin = System.nanoTime();
            long deadline = begin + (long) (seconds * 1e9);
            while (System.nanoTime() < deadline) {
                long t0 = System.nanoTime();
                buffer.clear();
                if (position + buffer.capacity() > fileBytes) {
                    position = 0;
                }
                while (buffer.hasRemaining()) {
                    position += file.write(buffer, position);
                }
                file.force(false);
                latencies.recordValue((System.nanoTime() - t0) / 1000);
                fsyncs++;
                bytes += buffer.capacity();
            }
            double elapsed = (System.nanoTime() - begin) / 1e9;
            return new Result(bytes / PAYLOAD, fsyncs, elapsed, latencies.getIntervalHistogram().getValueAtPercentile(99), 1);
        } finally {
            wipe(dir);
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
