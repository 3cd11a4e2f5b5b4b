package io.ringraft.storage.bench;

import io.ringraft.api.Bytes;
import io.ringraft.api.EntryKind;
import io.ringraft.api.Vote;
import io.ringraft.spi.LogEntries;
import io.ringraft.storage.SegmentedLogStorage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Append throughput of {@link SegmentedLogStorage} against a plain {@link FileChannel} loop on the
 * same disk, in the same run: a benchmark, not a test (run by hand, never by {@code mvn verify}).
 *
 * <p>Each case appends batches of {@code batch} entries of {@code size}-byte payloads and flushes
 * after every batch (the log writer's group commit), for a fixed time; the plain loops write the same
 * payload bytes per batch (no framing, no checksum) with one {@code write} and one
 * {@code force(false)}, into a file that grows, or into a preallocated file reused as a ring (zero-filled
 * before the clock starts): the ceilings for a log that must be durable per batch. The segmented
 * storage's time includes creating (and preallocating) its segments. Implementations take turns in rounds
 * so that noise from other processes on the machine hits them alike. Results: entries/s and payload
 * MB/s summed over the rounds, and the ratio to the plain loop.
 *
 * <p>Usage: {@code AppendBenchmark [directory] [secondsPerRun] [rounds]} (defaults {@code
 * target/bench}, 1.0, 8). The directory is wiped before and after.
 */
public final class AppendBenchmark {

    private static final int[] SIZES = {100, 1024};
    private static final int[] BATCHES = {1, 64};
    private static final long PREALLOCATED_BYTES = 64L << 20;

    private AppendBenchmark() {
    }

    /** What is measured. */
    private enum Impl {
        SEGMENTED("SegmentedLogStorage (defaults: 32 MiB preallocated segments)"),
        SEGMENTED_NO_PREALLOC("SegmentedLogStorage, preallocate(false)"),
        PLAIN("plain FileChannel write + force(false), growing file"),
        PLAIN_PREALLOCATED("plain FileChannel write + force(false), 64 MiB zero-filled file reused in a ring");

        final String label;

        Impl(String label) {
            this.label = label;
        }
    }

    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args.length > 0 ? args[0] : "target/bench").toAbsolutePath();
        double seconds = args.length > 1 ? Double.parseDouble(args[1]) : 1.0;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 8;
        wipe(dir);
        System.out.printf(Locale.ROOT, "directory %s, %.1f s per run, %d rounds%n", dir, seconds, rounds);
        for (Impl impl : Impl.values()) { // warm up the JIT on every path
            run(impl, dir, 100, 16, 0.5);
        }
        System.out.println();
        System.out.println("| payload | entries per flush | implementation | entries/s | payload MB/s | vs plain |"
                + " vs plain preallocated |");
        System.out.println("|---|---|---|---|---|---|---|");
        for (int size : SIZES) {
            for (int batch : BATCHES) {
                long[] entries = new long[Impl.values().length];
                double[] time = new double[Impl.values().length];
                for (int round = 0; round < rounds; round++) {
                    for (Impl impl : Impl.values()) {
                        entries[impl.ordinal()] += run(impl, dir, size, batch, seconds);
                        time[impl.ordinal()] += seconds;
                    }
                }
                double plainRate = entries[Impl.PLAIN.ordinal()] / time[Impl.PLAIN.ordinal()];
                double preallocatedRate = entries[Impl.PLAIN_PREALLOCATED.ordinal()]
                        / time[Impl.PLAIN_PREALLOCATED.ordinal()];
                for (Impl impl : Impl.values()) {
                    double rate = entries[impl.ordinal()] / time[impl.ordinal()];
                    System.out.printf(Locale.ROOT, "| %d B | %d | %s | %,.0f | %.1f | %.0f%% | %.0f%% |%n", size,
                            batch, impl.label, rate, rate * size / 1e6, 100 * rate / plainRate,
                            100 * rate / preallocatedRate);
                }
            }
        }
        wipe(dir);
    }

    /** Appends and flushes batches for {@code seconds}; returns the entries made durable. */
    private static long run(Impl impl, Path dir, int size, int batch, double seconds) throws IOException {
        wipe(dir);
        Files.createDirectories(dir);
        long deadline = System.nanoTime() + (long) (seconds * 1e9);
        long count = 0;
        if (impl == Impl.PLAIN || impl == Impl.PLAIN_PREALLOCATED) {
            ByteBuffer buffer = ByteBuffer.allocateDirect(size * batch);
            try (FileChannel file = FileChannel.open(dir.resolve("plain.log"), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE)) {
                long ring = Long.MAX_VALUE;
                if (impl == Impl.PLAIN_PREALLOCATED) { // zero-filled and forced before the clock starts
                    ring = PREALLOCATED_BYTES - PREALLOCATED_BYTES % buffer.capacity();
                    ByteBuffer zeros = ByteBuffer.allocateDirect(1 << 20);
                    for (long at = 0; at < PREALLOCATED_BYTES; at += zeros.capacity()) {
                        zeros.clear();
                        file.write(zeros, at);
                    }
                    file.force(true);
                    deadline = System.nanoTime() + (long) (seconds * 1e9);
                }
                long position = 0;
                while (System.nanoTime() < deadline) {
                    buffer.clear();
                    buffer.put(0, (byte) count);
                    while (buffer.hasRemaining()) {
                        position += file.write(buffer, position);
                    }
                    file.force(false);
                    count += batch;
                    if (position >= ring) {
                        position = 0;
                    }
                }
            }
        } else {
            try (SegmentedLogStorage storage = SegmentedLogStorage.builder(dir).nodeId(1)
                    .preallocate(impl == Impl.SEGMENTED).build()) {
                storage.open();
                storage.saveVote(new Vote(1, 1));
                BatchView view = new BatchView(size, batch);
                while (System.nanoTime() < deadline) {
                    view.firstIndex = count + 1;
                    storage.append(view);
                    storage.flush();
                    count += batch;
                }
            }
        }
        wipe(dir);
        return count;
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

    /** {@code batch} entries of term 1 sharing one payload buffer: allocates nothing per append. */
    private static final class BatchView implements LogEntries {
        private final int count;
        private final Bytes payload;
        long firstIndex;

        BatchView(int size, int count) {
            this.count = count;
            this.payload = Bytes.wrap(ByteBuffer.allocateDirect(size));
        }

        @Override
        public long firstIndex() {
            return firstIndex;
        }

        @Override
        public int count() {
            return count;
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
