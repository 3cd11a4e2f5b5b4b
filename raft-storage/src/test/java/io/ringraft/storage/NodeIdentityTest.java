package io.ringraft.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringraft.api.LogId;
import io.ringraft.api.Vote;
import io.ringraft.storage.internal.FileHeader;
import io.ringraft.storage.wal.SharedLog;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A storage directory belongs to one node: opening it as another node (swapped volumes, a wrong path)
 * is refused, naming both ids, and changes nothing; a directory written before node ids were recorded
 * is adopted by its first opener (docs/storage.md, "Node identity").
 */
class NodeIdentityTest {

    @TempDir
    Path dir;

    @Test
    void anotherNodesLogDirectoryIsRefusedNamingBothIdsAndLeftAlone() throws IOException {
        writeLogOfNode(1);
        Map<String, byte[]> before = contents(dir);

        assertThatThrownBy(() -> log(5).open())
                .isInstanceOf(IncompatibleStorageException.class)
                .hasMessageContaining("belongs to node 1 (cluster 42 group 7)")
                .hasMessageContaining("configured for node 5");
        assertThat(contents(dir)).containsExactlyInAnyOrderEntriesOf(before);

        try (SegmentedLogStorage storage = log(1)) {
            assertThat(storage.open().vote()).isEqualTo(new Vote(3, 1)); // the owner still opens it
        }
    }

    @Test
    void aNewDirectoryRecordsItsNodeAtTheFirstOpen() throws IOException {
        try (SegmentedLogStorage storage = log(2)) {
            storage.open();
        }
        assertThat(dir.resolve("identity")).exists();
        assertThatThrownBy(() -> log(3).open()).isInstanceOf(IncompatibleStorageException.class)
                .hasMessageContaining("belongs to node 2").hasMessageContaining("configured for node 3");
    }

    @Test
    void anOldDirectoryWithoutANodeIdIsAdoptedByItsFirstOpenerAndThenRefusedToOthers() throws IOException {
        writeLogOfNode(1);
        Files.delete(dir.resolve("identity")); // what an older RingRaft left: the same files, no identity

        try (SegmentedLogStorage storage = log(1)) {
            assertThat(storage.open().last()).isEqualTo(new LogId(3, 3)); // the data is kept
        }
        assertThat(dir.resolve("identity")).exists();
        assertThatThrownBy(() -> log(5).open()).isInstanceOf(IncompatibleStorageException.class)
                .hasMessageContaining("belongs to node 1").hasMessageContaining("configured for node 5");
    }

    @Test
    void anOldDirectoryThatFailsItsChecksIsNotAdopted() throws IOException {
        writeLogOfNode(1);
        Files.delete(dir.resolve("identity"));

        assertThatThrownBy(() -> SegmentedLogStorage.builder(dir).clusterId(43).groupId(7).nodeId(1).build().open())
                .isInstanceOf(IncompatibleStorageException.class).hasMessageContaining("belongs to cluster 42");
        assertThat(dir.resolve("identity")).doesNotExist();
    }

    @Test
    void anIdentityFileOfANewerFormatVersionIsRefused() throws IOException {
        writeLogOfNode(1);
        try (FileChannel channel = FileChannel.open(dir.resolve("identity"), StandardOpenOption.WRITE)) {
            channel.write(ByteBuffer.allocate(2).putShort(0, (short) (FileHeader.FORMAT_VERSION + 1)), 4);
        }

        assertThatThrownBy(() -> log(1).open()).isInstanceOf(IncompatibleStorageException.class)
                .hasMessageContaining("identity file has format version 2, newer than");
    }

    @Test
    void anotherNodesSnapshotDirectoryIsRefusedAndAnOldOneAdopted() throws IOException {
        Path snapshots = dir.resolve("snapshots");
        try (FileSnapshotStore store = FileSnapshotStore.open(snapshots, 42, 7, 1, 2);
             SnapshotWriter writer = store.begin(new LogId(2, 10), new byte[0])) {
            writer.data().write(new byte[] {1, 2, 3});
            writer.commit();
        }
        Map<String, byte[]> before = contents(snapshots);

        assertThatThrownBy(() -> FileSnapshotStore.open(snapshots, 42, 7, 5, 2))
                .isInstanceOf(IncompatibleStorageException.class)
                .hasMessageContaining("belongs to node 1 (cluster 42 group 7)")
                .hasMessageContaining("configured for node 5");
        assertThat(contents(snapshots)).containsExactlyInAnyOrderEntriesOf(before);

        Files.delete(snapshots.resolve("identity")); // as an older RingRaft left it
        try (FileSnapshotStore store = FileSnapshotStore.open(snapshots, 42, 7, 5, 2)) {
            assertThat(store.latest().orElseThrow().last()).isEqualTo(new LogId(2, 10));
        }
        assertThatThrownBy(() -> FileSnapshotStore.open(snapshots, 42, 7, 1, 2))
                .isInstanceOf(IncompatibleStorageException.class).hasMessageContaining("belongs to node 5");
    }

    @Test
    void theNodeIdIsRequired() {
        assertThatThrownBy(() -> SegmentedLogStorage.builder(dir).build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("nodeId(...) is required");
        assertThatThrownBy(() -> SharedLog.builder(dir).build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("nodeId(...) is required");
        assertThatThrownBy(() -> SegmentedLogStorage.builder(dir).nodeId(0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> FileSnapshotStore.open(dir, 42, 7, 0, 2))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private SegmentedLogStorage log(long nodeId) {
        return SegmentedLogStorage.builder(dir).clusterId(42).groupId(7).nodeId(nodeId).segmentBytes(1 << 16).build();
    }

    private void writeLogOfNode(long nodeId) throws IOException {
        try (SegmentedLogStorage storage = log(nodeId)) {
            storage.open();
            storage.saveVote(new Vote(3, 1));
            storage.append(Entries.of(1, 3, 3, 20, 0));
            storage.flush();
        }
    }

    private static Map<String, byte[]> contents(Path directory) throws IOException {
        Map<String, byte[]> contents = new TreeMap<>();
        try (Stream<Path> files = Files.list(directory)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                if (Files.isRegularFile(file)) {
                    contents.put(file.getFileName().toString(), Files.readAllBytes(file));
                }
            }
        }
        return contents;
    }
}
