package io.ringraft.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringraft.api.LogId;
import io.ringraft.spi.PartialSnapshot;
import io.ringraft.spi.SnapshotInfo;
import io.ringraft.storage.internal.FaultyFileIo;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link FileSnapshotStore} keeps a snapshot being received from a leader across a crash: what a
 * checkpoint made durable is reported by {@link FileSnapshotStore#partial()} and continued by
 * {@link FileSnapshotStore#resume}, whatever a crash at any step and a power loss left behind; a
 * continued transfer commits exactly the leader's data; damaged kept data is dropped, never continued.
 */
class ReceivedSnapshotResumeTest {

    private static final Path DIR = Path.of("/snapshots");
    private static final LogId SNAPSHOT = new LogId(3, 500);
    private static final byte[] MEMBERSHIP = {7, 7};
    private static final int CHUNK = 10_000;

    private final byte[] data = random(95_000, 1);

    @Test
    void aCheckpointedTransferResumesAfterAPowerLossAndCommitsTheLeadersData() throws IOException {
        FaultyFileIo disk = new FaultyFileIo(1);
        FileSnapshotStore store = FileSnapshotStore.open(disk, DIR, 5, 1, 1, 2);
        SnapshotWriter writer = store.beginReceiving(SNAPSHOT, MEMBERSHIP, 2, 9);
        writer.data().write(data, 0, 4 * CHUNK);
        writer.checkpoint();
        writer.data().write(data, 4 * CHUNK, CHUNK); // after the checkpoint: may be lost
        disk.powerLoss(FaultyFileIo.CrashMode.RANDOM);

        FileSnapshotStore reopened = FileSnapshotStore.open(disk, DIR, 5, 1, 1, 2);
        PartialSnapshot kept = reopened.partial().orElseThrow();
        assertThat(kept.durableBytes()).isEqualTo(4 * CHUNK);
        assertThat(kept.continuedBy(SNAPSHOT, 2, 9)).isTrue();
        assertThat(kept.continuedBy(SNAPSHOT, 3, 9)).as("another leader").isFalse();
        assertThat(kept.continuedBy(SNAPSHOT, 2, 10)).as("another term").isFalse();
        assertThat(kept.membership()).containsExactly(MEMBERSHIP);

        SnapshotInfo committed = finish(reopened, kept);
        assertThat(readAll(reopened, committed)).isEqualTo(data);
        assertThat(reopened.partial()).as("the transfer is done").isEmpty();
        assertThat(disk.list(DIR)).noneMatch(name -> name.startsWith("received"));
    }

    @Test
    void aCrashAtAnyStepLeavesNothingOrADurablePrefixThatResumesToTheLeadersData() throws IOException {
        int resumed = 0;
        for (int step = 1; ; step++) {
            FaultyFileIo disk = new FaultyFileIo(step);
            FileSnapshotStore store = FileSnapshotStore.open(disk, DIR, 5, 1, 1, 2);
            disk.crashAtOperation(step);
            boolean crashed = false;
            try {
                SnapshotWriter writer = store.beginReceiving(SNAPSHOT, MEMBERSHIP, 2, 9);
                for (int offset = 0; offset < data.length; offset += CHUNK) {
                    writer.data().write(data, offset, Math.min(CHUNK, data.length - offset));
                    writer.checkpoint();
                }
                writer.commit();
            } catch (FaultyFileIo.SimulatedCrash expected) {
                crashed = true;
            }
            disk.powerLoss(FaultyFileIo.CrashMode.RANDOM);

            FileSnapshotStore reopened = FileSnapshotStore.open(disk, DIR, 5, 1, 1, 2);
            Optional<SnapshotInfo> latest = reopened.latest();
            if (latest.isPresent()) {
                assertThat(readAll(reopened, latest.get())).as("crash at operation %d", step).isEqualTo(data);
                assertThat(reopened.partial()).as("committed: nothing kept, step %d", step).isEmpty();
            } else {
                Optional<PartialSnapshot> kept = reopened.partial();
                if (kept.isPresent()) {
                    resumed++;
                    SnapshotInfo committed = finish(reopened, kept.get());
                    assertThat(readAll(reopened, committed)).as("resumed after a crash at operation %d", step)
                            .isEqualTo(data);
                }
            }
            if (!crashed) {
                assertThat(resumed).as("crashes that left a transfer to resume").isGreaterThan(step / 3);
                return;
            }
        }
    }

    @Test
    void damagedKeptDataIsDroppedNotContinued() throws IOException {
        FaultyFileIo disk = new FaultyFileIo(1);
        FileSnapshotStore store = FileSnapshotStore.open(disk, DIR, 5, 1, 1, 2);
        SnapshotWriter writer = store.beginReceiving(SNAPSHOT, MEMBERSHIP, 2, 9);
        writer.data().write(data, 0, 3 * CHUNK);
        writer.checkpoint();
        disk.powerLoss(FaultyFileIo.CrashMode.DROP);
        disk.flipBits(DIR.resolve(SnapshotFiles.RECEIVED_DATA), 12_345, 0x10);

        FileSnapshotStore reopened = FileSnapshotStore.open(disk, DIR, 5, 1, 1, 2);
        PartialSnapshot kept = reopened.partial().orElseThrow();
        assertThatThrownBy(() -> reopened.resume(kept)).isInstanceOf(CorruptStorageException.class)
                .hasMessageContaining("fail their check");
        assertThat(reopened.partial()).as("dropped").isEmpty();
    }

    @Test
    void startingAnotherTransferDropsTheKeptOneButALocalSnapshotDoesNot() throws IOException {
        FaultyFileIo disk = new FaultyFileIo(1);
        FileSnapshotStore store = FileSnapshotStore.open(disk, DIR, 5, 1, 1, 2);
        SnapshotWriter writer = store.beginReceiving(SNAPSHOT, MEMBERSHIP, 2, 9);
        writer.data().write(data, 0, CHUNK);
        writer.checkpoint();
        try (SnapshotWriter local = store.begin(new LogId(3, 400), MEMBERSHIP)) {
            local.data().write(new byte[] {1, 2, 3});
            local.commit();
        }
        assertThat(store.partial()).as("a local snapshot leaves the transfer alone").isPresent();

        SnapshotWriter other = store.beginReceiving(new LogId(4, 600), MEMBERSHIP, 3, 10);
        assertThat(store.partial()).as("a new transfer replaces the kept one").isEmpty();
        other.close();
        assertThat(disk.list(DIR)).noneMatch(name -> name.startsWith("received"));
    }

    @Test
    void anAbandonedTransferLeavesNothingBehind() throws IOException {
        FaultyFileIo disk = new FaultyFileIo(1);
        FileSnapshotStore store = FileSnapshotStore.open(disk, DIR, 5, 1, 1, 2);
        SnapshotWriter writer = store.beginReceiving(SNAPSHOT, MEMBERSHIP, 2, 9);
        writer.data().write(data, 0, CHUNK);
        writer.checkpoint();
        writer.close();
        assertThat(store.partial()).isEmpty();
        assertThat(disk.list(DIR)).noneMatch(name -> name.startsWith("received"));
        assertThatThrownBy(() -> store.resume(new PartialSnapshot(SNAPSHOT, MEMBERSHIP, 2, 9, CHUNK)))
                .isInstanceOf(IOException.class).hasMessageContaining("no received snapshot");
    }

    /** Continues {@code kept} with the rest of {@link #data} and commits it. */
    private SnapshotInfo finish(FileSnapshotStore store, PartialSnapshot kept) throws IOException {
        SnapshotWriter resumed = store.resume(kept);
        int from = (int) kept.durableBytes();
        resumed.data().write(data, from, data.length - from);
        return resumed.commit();
    }

    private static byte[] readAll(FileSnapshotStore store, SnapshotInfo info) throws IOException {
        try (InputStream in = store.open(info)) {
            return in.readAllBytes();
        }
    }

    private static byte[] random(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return Arrays.copyOf(bytes, size);
    }
}
