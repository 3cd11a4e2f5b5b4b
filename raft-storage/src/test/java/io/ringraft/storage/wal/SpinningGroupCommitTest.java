package io.ringraft.storage.wal;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringraft.api.EntryKind;
import io.ringraft.api.Vote;
import io.ringraft.message.HeapLogEntries;
import io.ringraft.spi.LogStorage;
import io.ringraft.storage.internal.FaultyFileIo;
import io.ringraft.storage.internal.FileIo;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Two IO threads, each appending to its own groups then flushing them, round after round, on a disk
 * whose forces take about 100 us (fast enough for the group commit's spinning hand-over: a flush
 * arriving during the other thread's force spins for it, then returns or leads the next round). How
 * often the threads meet that way depends on the scheduling and is not asserted; what is: no flushed
 * entry is lost (a power loss that drops everything un-forced keeps every group's every entry) and
 * nothing hangs (each thread ends within its deadline).
 */
class SpinningGroupCommitTest {

    /** The simulated disk, with every force taking {@code FORCE_NANOS} (busy, as a device wait would not be). */
    private static final class SlowForceIo implements FileIo {
        private static final long FORCE_NANOS = 100_000;
        final FaultyFileIo disk = new FaultyFileIo(14);

        @Override
        public FileHandle open(Path file, boolean create) throws IOException {
            FileHandle handle = disk.open(file, create);
            return new FileHandle() {
                @Override
                public int read(ByteBuffer dst, long position) throws IOException {
                    return handle.read(dst, position);
                }

                @Override
                public void write(ByteBuffer src, long position) throws IOException {
                    handle.write(src, position);
                }

                @Override
                public long size() throws IOException {
                    return handle.size();
                }

                @Override
                public void truncate(long size) throws IOException {
                    handle.truncate(size);
                }

                @Override
                public void force(boolean metadata) throws IOException {
                    long end = System.nanoTime() + FORCE_NANOS;
                    while (System.nanoTime() - end < 0) {
                        Thread.onSpinWait();
                    }
                    handle.force(metadata);
                }

                @Override
                public void close() throws IOException {
                    handle.close();
                }
            };
        }

        @Override
        public boolean exists(Path path) throws IOException {
            return disk.exists(path);
        }

        @Override
        public List<String> list(Path directory) throws IOException {
            return disk.list(directory);
        }

        @Override
        public void createDirectories(Path directory) throws IOException {
            disk.createDirectories(directory);
        }

        @Override
        public void delete(Path file) throws IOException {
            disk.delete(file);
        }

        @Override
        public void rename(Path source, Path target) throws IOException {
            disk.rename(source, target);
        }

        @Override
        public void forceDirectory(Path directory) throws IOException {
            disk.forceDirectory(directory);
        }

        @Override
        public Closeable lockDirectory(Path directory) throws IOException {
            return disk.lockDirectory(directory);
        }
    }

    private static final int THREADS = 2;
    private static final int GROUPS_PER_THREAD = 4;
    private static final int ROUNDS = 300;

    private static HeapLogEntries entry(long index, int group) {
        return HeapLogEntries.builder(index).add(1, EntryKind.COMMAND, ("g" + group + "-" + index).getBytes()).build();
    }

    @Test
    void flushesHandedOverBySpinningAreDurable() throws Exception {
        SlowForceIo io = new SlowForceIo();
        Path dir = Path.of("/wal");
        int groups = THREADS * GROUPS_PER_THREAD;
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try (SharedLog log = SharedLog.builder(dir).nodeId(1).fileBytes(1 << 20).backgroundMaintenance(false)
                .fileIo(io).build()) {
            List<LogStorage> storages = new ArrayList<>();
            for (int g = 0; g < groups; g++) {
                LogStorage storage = log.storageFor(g);
                storage.open();
                storage.saveVote(new Vote(1, 1));
                storages.add(storage);
            }
            List<Future<?>> threads = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                int first = t * GROUPS_PER_THREAD;
                threads.add(pool.submit(() -> {
                    for (long index = 1; index <= ROUNDS; index++) {
                        for (int g = first; g < first + GROUPS_PER_THREAD; g++) {
                            storages.get(g).append(entry(index, g));
                        }
                        for (int g = first; g < first + GROUPS_PER_THREAD; g++) {
                            storages.get(g).flush();
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> thread : threads) {
                thread.get(60, TimeUnit.SECONDS);
            }
            assertThat(log.flushForces()).isPositive();
            io.disk.powerLoss(FaultyFileIo.CrashMode.DROP);
        } finally {
            pool.shutdownNow();
        }
        try (SharedLog log = SharedLog.builder(dir).nodeId(1).fileBytes(1 << 20).backgroundMaintenance(false)
                .fileIo(io).build()) {
            for (int g = 0; g < groups; g++) {
                LogStorage storage = log.storageFor(g);
                assertThat(storage.open().last().index()).as("group %d", g).isEqualTo(ROUNDS);
                assertThat(HeapLogEntries.copyOf(storage.read(ROUNDS, ROUNDS, 1000))).isEqualTo(entry(ROUNDS, g));
                assertThat(HeapLogEntries.copyOf(storage.read(1, 1, 1000))).isEqualTo(entry(1, g));
            }
        }
    }
}
