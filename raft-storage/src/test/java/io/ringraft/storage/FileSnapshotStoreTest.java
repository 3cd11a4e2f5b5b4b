package io.ringraft.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringraft.api.LogId;
import io.ringraft.spi.SnapshotInfo;
import io.ringraft.spi.SnapshotSink;
import io.ringraft.spi.SnapshotStore;
import io.ringraft.storage.internal.FaultyFileIo;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link FileSnapshotStore}: atomic visibility, metadata written last, retention, checks on read, use
 * through the {@link SnapshotStore} SPI.
 */
class FileSnapshotStoreTest {

    @TempDir
    Path dir;

    @Test
    void aCommittedSnapshotReadsBackAfterAReopen() throws IOException {
        byte[] data = random(300_000, 1);
        SnapshotInfo meta;
        try (FileSnapshotStore store = FileSnapshotStore.open(dir, 5, 1, 1, 2)) {
            assertThat(store.latest()).isEmpty();
            meta = commit(store, new LogId(3, 120), data, new byte[] {1, 2, 3});
            assertThat(store.latest()).contains(meta);
            assertThat(readAll(store, meta)).isEqualTo(data);
        }
        try (FileSnapshotStore store = FileSnapshotStore.open(dir, 5, 1, 1, 2)) {
            SnapshotInfo reopened = store.latest().orElseThrow();
            assertThat(reopened).isEqualTo(meta);
            assertThat(reopened.last()).isEqualTo(new LogId(3, 120));
            assertThat(reopened.membership()).containsExactly(1, 2, 3);
            assertThat(reopened.sizeBytes()).isEqualTo(data.length);
            assertThat(readAll(store, reopened)).isEqualTo(data);
        }
    }

    @Test
    void aSnapshotThatWasNotCommittedIsInvisibleAndLeavesNothingBehind() throws IOException {
        try (FileSnapshotStore store = FileSnapshotStore.open(dir, 5, 1, 1, 2)) {
            try (SnapshotWriter writer = store.begin(new LogId(1, 10), new byte[0])) {
                writer.data().write(random(1000, 2));
            }
            assertThat(store.latest()).isEmpty();
        }
        assertThat(files()).containsExactlyInAnyOrder("identity", "lock");
    }

    @Test
    void retentionKeepsTheNewestSnapshotsAndDeletesTheRest() throws IOException {
        try (FileSnapshotStore store = FileSnapshotStore.open(dir, 5, 1, 1, 2)) {
            for (long index = 10; index <= 40; index += 10) {
                commit(store, new LogId(1, index), random(100, (int) index), new byte[0]);
            }
            assertThat(store.list()).extracting(SnapshotInfo::last).containsExactly(new LogId(1, 30), new LogId(1, 40));
        }
        assertThat(files()).hasSize(6).contains("identity", "lock",
                SnapshotFiles.stem(new LogId(1, 30)) + ".data", SnapshotFiles.stem(new LogId(1, 30)) + ".meta");
    }

    @Test
    void committingTheSameLogIdAgainKeepsTheFirst() throws IOException {
        try (FileSnapshotStore store = FileSnapshotStore.open(dir, 5, 1, 1, 2)) {
            SnapshotInfo first = commit(store, new LogId(1, 10), random(100, 1), new byte[0]);
            SnapshotInfo second = commit(store, new LogId(1, 10), random(100, 1), new byte[0]);
            assertThat(second).isEqualTo(first);
            assertThat(store.list()).hasSize(1);
        }
    }

    @Test
    void damagedDataFailsItsCheckAtTheEndOfTheStream() throws IOException {
        try (FileSnapshotStore store = FileSnapshotStore.open(dir, 5, 1, 1, 2)) {
            SnapshotInfo meta = commit(store, new LogId(1, 10), random(5000, 1), new byte[0]);
            Path data = dir.resolve(SnapshotFiles.stem(meta.last()) + ".data");
            try (FileChannel file = FileChannel.open(data, StandardOpenOption.WRITE)) {
                file.write(ByteBuffer.wrap(new byte[] {42}), 1234);
            }
            assertThatThrownBy(() -> readAll(store, meta)).isInstanceOf(CorruptStorageException.class)
                    .hasMessageContaining("fails its check");
        }
    }

    @Test
    void usableThroughTheSpiAndOpenRefusesASnapshotItDoesNotHold() throws IOException {
        byte[] data = random(70_000, 7);
        try (SnapshotStore store = FileSnapshotStore.open(dir, 5, 1, 1, 1)) {
            SnapshotInfo first;
            try (SnapshotSink sink = store.begin(new LogId(2, 50), new byte[] {9})) {
                sink.data().write(data);
                sink.data().close(); // does nothing
                first = sink.commit();
            } // closing a committed sink abandons nothing
            assertThat(first).isEqualTo(new SnapshotInfo(new LogId(2, 50), new byte[] {9}, data.length));
            assertThat(store.latest()).contains(first);
            try (InputStream in = store.open(first)) {
                assertThat(in.readAllBytes()).isEqualTo(data);
            }
            // Not what the store holds: another size, or another membership, at the same LogId.
            assertThatThrownBy(() -> store.open(new SnapshotInfo(new LogId(2, 50), new byte[] {9}, 1)))
                    .isInstanceOf(IOException.class).hasMessageContaining("is not in the store");
            assertThatThrownBy(() -> store.open(new SnapshotInfo(new LogId(2, 50), new byte[0], data.length)))
                    .isInstanceOf(IOException.class).hasMessageContaining("is not in the store");

            try (SnapshotSink sink = store.begin(new LogId(3, 60), new byte[0])) {
                sink.data().write(1);
                sink.commit();
            }
            // retain 1: the first snapshot is gone
            assertThatThrownBy(() -> store.open(first)).isInstanceOf(IOException.class)
                    .hasMessageContaining("is not in the store");
            assertThat(store.latest().orElseThrow().last()).isEqualTo(new LogId(3, 60));
        }
    }

    @Test
    void aStreamThatEndsEarlyFailsInsteadOfLookingComplete() throws IOException {
        try (FileSnapshotStore store = FileSnapshotStore.open(dir, 5, 1, 1, 2)) {
            SnapshotInfo snapshot = commit(store, new LogId(1, 10), random(5000, 1), new byte[0]);
            try (InputStream in = store.open(snapshot)) {
                try (FileChannel file = FileChannel.open(dir.resolve(SnapshotFiles.stem(snapshot.last()) + ".data"),
                        StandardOpenOption.WRITE)) {
                    file.truncate(4000); // cut while a reader streams it
                }
                assertThatThrownBy(in::readAllBytes).isInstanceOf(CorruptStorageException.class)
                        .hasMessageContaining("snapshot data of 4000 bytes fails its check");
            }
        }
    }

    @Test
    void truncatedDataIsFoundAtOpen() throws IOException {
        SnapshotInfo meta;
        try (FileSnapshotStore store = FileSnapshotStore.open(dir, 5, 1, 1, 2)) {
            meta = commit(store, new LogId(1, 10), random(5000, 1), new byte[0]);
        }
        try (FileChannel file = FileChannel.open(dir.resolve(SnapshotFiles.stem(meta.last()) + ".data"),
                StandardOpenOption.WRITE)) {
            file.truncate(100);
        }
        assertThatThrownBy(() -> FileSnapshotStore.open(dir, 5, 1, 1, 2)).isInstanceOf(CorruptStorageException.class)
                .hasMessageContaining("holds 100 bytes, but its metadata says 5000");
    }

    @Test
    void snapshotsOfAnotherClusterAreRefused() throws IOException {
        try (FileSnapshotStore store = FileSnapshotStore.open(dir, 5, 1, 1, 2)) {
            commit(store, new LogId(1, 10), random(10, 1), new byte[0]);
        }
        assertThatThrownBy(() -> FileSnapshotStore.open(dir, 6, 1, 1, 2)).isInstanceOf(IncompatibleStorageException.class)
                .hasMessageContaining("belongs to cluster 5 group 1");
    }

    @Test
    void aCrashAtAnyStepOfACommitLeavesTheOldSnapshotOrTheNewOneWhole() throws IOException {
        Path snapshots = Path.of("/snapshots");
        byte[] oldData = random(3000, 1);
        byte[] newData = random(200_000, 2);
        for (int step = 1; ; step++) {
            FaultyFileIo disk = new FaultyFileIo(step);
            FileSnapshotStore store = FileSnapshotStore.open(disk, snapshots, 5, 1, 1, 1);
            commit(store, new LogId(1, 10), oldData, new byte[] {1});
            disk.crashAtOperation(step);
            boolean crashed = false;
            try {
                commit(store, new LogId(2, 20), newData, new byte[] {2});
            } catch (FaultyFileIo.SimulatedCrash expected) {
                crashed = true;
            }
            disk.powerLoss(FaultyFileIo.CrashMode.RANDOM);

            FileSnapshotStore reopened = FileSnapshotStore.open(disk, snapshots, 5, 1, 1, 1);
            SnapshotInfo latest = reopened.latest().orElseThrow();
            byte[] expected = latest.last().index() == 20 ? newData : oldData;
            assertThat(readAll(reopened, latest)).as("crash at operation %d", step).isEqualTo(expected);
            assertThat(disk.list(snapshots)).noneMatch(name -> name.endsWith(".tmp"));
            if (!crashed) {
                assertThat(latest.last()).isEqualTo(new LogId(2, 20));
                return;
            }
        }
    }

    @Test
    void aCommitWhoseForceFailedCannotBeRetriedIntoAHollowSnapshot() throws IOException {
        // D36 for snapshots: after a failed fsync the data may be gone from the page cache; retrying
        // the force "succeeds" without it, and a caller would then purge the log up to a snapshot whose
        // data is not on disk.
        Path snapshots = Path.of("/snapshots");
        FaultyFileIo disk = new FaultyFileIo(3);
        FileSnapshotStore store = FileSnapshotStore.open(disk, snapshots, 5, 1, 1, 2);
        byte[] data = random(5000, 3);
        try (SnapshotWriter writer = store.begin(new LogId(1, 10), new byte[0])) {
            writer.data().write(data);
            disk.failForces(true);
            assertThatThrownBy(writer::commit).isInstanceOf(IOException.class);
            disk.failForces(false);
            assertThatThrownBy(writer::commit).isInstanceOf(IllegalStateException.class);
        }
        assertThat(store.latest()).isEmpty();
        disk.powerLoss(FaultyFileIo.CrashMode.DROP);
        FileSnapshotStore reopened = FileSnapshotStore.open(disk, snapshots, 5, 1, 1, 2);
        assertThat(reopened.latest()).isEmpty();
        assertThat(disk.list(snapshots)).noneMatch(name -> name.startsWith("snapshot-"));
    }

    @Test
    void aSnapshotWhoseDataWriteFailedCannotBeCommitted() throws IOException {
        // A full disk while the data is written: going on writing (once space is freed) and
        // committing would make a snapshot whose data does not match what was written to the stream.
        Path snapshots = Path.of("/snapshots");
        FaultyFileIo disk = new FaultyFileIo(4);
        FileSnapshotStore store = FileSnapshotStore.open(disk, snapshots, 5, 1, 1, 2);
        byte[] data = random(300_000, 4);
        try (SnapshotWriter writer = store.begin(new LogId(1, 10), new byte[0])) {
            disk.setCapacity(disk.usedBytes() + 100_000);
            assertThatThrownBy(() -> writer.data().write(data)).isInstanceOf(IOException.class)
                    .hasMessageContaining("No space left");
            disk.setCapacity(Long.MAX_VALUE);
            assertThatThrownBy(() -> writer.data().write(data)).isInstanceOf(IOException.class);
            assertThatThrownBy(writer::commit).isInstanceOf(IOException.class);
        }
        assertThat(store.latest()).isEmpty();
        assertThat(disk.list(snapshots)).noneMatch(name -> name.startsWith("snapshot-"));
    }

    private static SnapshotInfo commit(FileSnapshotStore store, LogId last, byte[] data, byte[] membership)
            throws IOException {
        try (SnapshotWriter writer = store.begin(last, membership)) {
            writer.data().write(data, 0, data.length / 2);
            for (int i = data.length / 2; i < data.length; i++) {
                writer.data().write(data[i]);
            }
            return writer.commit();
        }
    }

    private static byte[] readAll(FileSnapshotStore store, SnapshotInfo meta) throws IOException {
        try (InputStream in = store.open(meta)) {
            return in.readAllBytes();
        }
    }

    private static byte[] random(int size, int seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    private Object[] files() throws IOException {
        try (Stream<Path> list = Files.list(dir)) {
            return list.map(p -> p.getFileName().toString()).toArray();
        }
    }
}
