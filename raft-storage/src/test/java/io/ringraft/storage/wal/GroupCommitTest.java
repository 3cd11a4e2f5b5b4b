package io.ringraft.storage.wal;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringraft.api.EntryKind;
import io.ringraft.api.Vote;
import io.ringraft.message.HeapLogEntries;
import io.ringraft.spi.LogStorage;
import io.ringraft.storage.internal.FaultyFileIo;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Concurrent flushes of many groups coalesce into one {@code fsync}: while one group's force is in
 * progress (held by a gate), fifteen other groups append and flush; when the gate opens, one more force
 * covers all fifteen. Then a power loss that drops everything un-forced keeps every group's entries.
 */
class GroupCommitTest {

    private static final int GROUPS = 16;

    /** The simulated disk, with a gate that holds forces while it is closed. */
    private static final class GatedIo extends ForceHookFileIo {
        final FaultyFileIo disk;
        volatile CountDownLatch gate = new CountDownLatch(0);
        final CountDownLatch forceEntered = new CountDownLatch(1);

        GatedIo() {
            this(new FaultyFileIo(9));
        }

        private GatedIo(FaultyFileIo disk) {
            super(disk);
            this.disk = disk;
        }

        @Override
        protected void force(FileHandle file, boolean metadata) throws IOException {
            forceEntered.countDown();
            try {
                gate.await();
            } catch (InterruptedException e) {
                throw new IOException(e);
            }
            file.force(metadata);
        }
    }

    private static HeapLogEntries entry(long index, int group) {
        return HeapLogEntries.builder(index).add(1, EntryKind.COMMAND, ("g" + group + "-" + index).getBytes()).build();
    }

    @Test
    void flushesOfManyGroupsShareOneFsync() throws Exception {
        GatedIo io = new GatedIo();
        Path dir = Path.of("/wal");
        ExecutorService pool = Executors.newFixedThreadPool(GROUPS);
        try (SharedLog log = SharedLog.builder(dir).nodeId(1).fileBytes(1 << 20).backgroundMaintenance(false).fileIo(io).build()) {
            List<LogStorage> storages = new ArrayList<>();
            for (int g = 0; g < GROUPS; g++) {
                LogStorage storage = log.storageFor(g);
                storage.open();
                storage.saveVote(new Vote(1, 1));
                storages.add(storage);
            }
            long before = log.flushForces();
            io.gate = new CountDownLatch(1);
            storages.get(0).append(entry(1, 0));
            Future<?> leader = pool.submit(() -> {
                storages.get(0).flush();
                return null;
            });
            assertThat(io.forceEntered.await(10, TimeUnit.SECONDS)).isTrue();
            List<Thread> waiting = new ArrayList<>();
            List<Future<?>> followers = new ArrayList<>();
            CountDownLatch appended = new CountDownLatch(GROUPS - 1);
            for (int g = 1; g < GROUPS; g++) {
                int group = g;
                followers.add(pool.submit(() -> {
                    synchronized (waiting) {
                        waiting.add(Thread.currentThread());
                    }
                    storages.get(group).append(entry(1, group));
                    appended.countDown();
                    storages.get(group).flush();
                    return null;
                }));
            }
            assertThat(appended.await(10, TimeUnit.SECONDS)).isTrue();
            awaitAllBlocked(waiting); // every follower waits for the forcing leader
            io.gate.countDown();
            leader.get(10, TimeUnit.SECONDS);
            for (Future<?> follower : followers) {
                follower.get(10, TimeUnit.SECONDS);
            }
            assertThat(log.flushForces() - before).as("forces for %d concurrent flushes", GROUPS).isEqualTo(2);
            io.disk.powerLoss(FaultyFileIo.CrashMode.DROP);
        } finally {
            pool.shutdownNow();
        }
        try (SharedLog log = SharedLog.builder(dir).nodeId(1).fileBytes(1 << 20).backgroundMaintenance(false).fileIo(io).build()) {
            for (int g = 0; g < GROUPS; g++) {
                LogStorage storage = log.storageFor(g);
                assertThat(storage.open().last().index()).as("group %d", g).isEqualTo(1);
                assertThat(HeapLogEntries.copyOf(storage.read(1, 1, 100))).isEqualTo(entry(1, g));
            }
        }
    }

    /** Waits (without a deadline guess: until the condition holds) for every thread to block. */
    private static void awaitAllBlocked(List<Thread> threads) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            boolean all;
            synchronized (threads) {
                all = threads.size() == GROUPS - 1 && threads.stream().allMatch(t -> t.getState() == Thread.State.WAITING
                        || t.getState() == Thread.State.BLOCKED);
            }
            if (all) {
                return;
            }
            Thread.onSpinWait();
        }
        throw new AssertionError("the followers did not block on the group commit");
    }
}
