package io.ringraft.storage.wal;

import io.ringraft.api.Bytes;
import io.ringraft.api.EntryKind;
import io.ringraft.api.Vote;
import io.ringraft.spi.LogEntries;
import io.ringraft.spi.LogStorage;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * The WAL's own CPU per appended entry, without the disk: one thread, G groups, each round one 100 B
 * entry appended to every group then a flush of each (the benchmark's IO-thread shape), with forces made
 * no-ops and one 1 GiB file (no roll in the run). Prints the calling thread's CPU time per entry (not
 * the process's: JIT, GC and other threads are left out), best of several runs. A probe, not a test:
 * {@code java -cp ... io.ringraft.storage.wal.WalCpuProbe [directory] [groups] [rounds] [runs]}.
 */
public final class WalCpuProbe {

    private WalCpuProbe() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args.length > 0 ? args[0] : "target/wal-cpu-probe").toAbsolutePath();
        int groups = args.length > 1 ? Integer.parseInt(args[1]) : 256;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 4000;
        int runs = args.length > 3 ? Integer.parseInt(args[3]) : 7;
        wipe(dir);
        Files.createDirectories(dir);
        try (SharedLog log = SharedLog.builder(dir).nodeId(1).fileBytes(SharedLog.MAX_FILE_BYTES).preallocate(false)
                .fileIo(new BenchFileIo(0)).build()) {
            log.open();
            LogStorage[] storages = new LogStorage[groups];
            for (int g = 0; g < groups; g++) {
                storages[g] = log.storageFor(g);
                storages[g].open();
                storages[g].saveVote(new Vote(1, 1));
            }
            One entry = new One();
            long index = 1;
            double best = Double.MAX_VALUE;
            for (int run = 0; run < runs; run++) {
                long cpu0 = threadCpuNanos();
                long t0 = System.nanoTime();
                for (int r = 0; r < rounds; r++) {
                    entry.firstIndex = index++;
                    for (LogStorage storage : storages) {
                        storage.append(entry);
                    }
                    for (LogStorage storage : storages) {
                        storage.flush();
                    }
                    if (index % 1000 == 0) { // keep the live log (and memory) small
                        for (LogStorage storage : storages) {
                            storage.purgePrefix(index - 500);
                        }
                    }
                }
                double cpu = (threadCpuNanos() - cpu0) / (double) rounds / groups;
                double wall = (System.nanoTime() - t0) / (double) rounds / groups;
                best = Math.min(best, cpu);
                System.out.printf(Locale.ROOT, "run %d: %.0f ns CPU per entry (%.0f ns wall)%n", run, cpu, wall);
            }
            System.out.printf(Locale.ROOT, "best: %.0f ns CPU per entry, %d groups%n", best, groups);
            for (LogStorage storage : storages) {
                storage.close();
            }
        }
        wipe(dir);
    }

    /** This thread's CPU time (Linux: the first field of {@code /proc/thread-self/schedstat}). */
    private static long threadCpuNanos() throws java.io.IOException {
        String stat = Files.readString(Path.of("/proc/thread-self/schedstat"));
        return Long.parseLong(stat.substring(0, stat.indexOf(' ')));
    }

    private static void wipe(Path dir) throws java.io.IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    /** One 100 B entry of term 1, reused. */
    private static final class One implements LogEntries {
        private final Bytes payload = Bytes.wrap(ByteBuffer.allocateDirect(100));
        long firstIndex;

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
