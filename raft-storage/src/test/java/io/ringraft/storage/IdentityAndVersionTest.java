package io.ringraft.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringraft.api.LogId;
import io.ringraft.api.Vote;
import io.ringraft.storage.internal.FileHeader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Files of another cluster or group, or of a newer format version, are refused with a clear message
 * and left untouched; a directory is used by one storage at a time.
 */
class IdentityAndVersionTest {

    @TempDir
    Path dir;

    @BeforeEach
    void writeALogOfCluster42Group7() throws IOException {
        try (SegmentedLogStorage storage = builder(42, 7).build()) {
            storage.open();
            storage.saveVote(new Vote(3, 1));
            storage.append(Entries.of(1, 3, 3, 20, 0));
            storage.flush();
            storage.purgePrefix(1);
        }
    }

    @Test
    void theSameClusterAndGroupOpenIt() throws IOException {
        try (SegmentedLogStorage storage = builder(42, 7).build()) {
            assertThat(storage.open().last()).isEqualTo(new LogId(3, 3));
        }
    }

    @Test
    void anotherClusterIsRefused() {
        assertThatThrownBy(() -> builder(43, 7).build().open())
                .isInstanceOf(IncompatibleStorageException.class)
                .hasMessageContaining("belongs to cluster 42 group 7")
                .hasMessageContaining("configured for cluster 43 group 7");
    }

    @Test
    void anotherGroupIsRefused() {
        assertThatThrownBy(() -> builder(42, 8).build().open())
                .isInstanceOf(IncompatibleStorageException.class)
                .hasMessageContaining("configured for cluster 42 group 8");
    }

    @Test
    void aSegmentOfAnotherClusterAmongOurOwnIsRefused() throws IOException {
        Path other = Files.createTempDirectory(dir.getParent(), "other");
        try (SegmentedLogStorage storage = SegmentedLogStorage.builder(other).nodeId(1).clusterId(99).groupId(7).build()) {
            storage.open();
            storage.saveVote(new Vote(9, 1));
            storage.append(Entries.of(1, 1, 9, 20, 0));
            storage.flush();
        }
        Path stray = onlyFile(other, "segment-");
        Files.copy(stray, dir.resolve("segment-00000000000000000009-00000000000000000004.log"));

        assertThatThrownBy(() -> builder(42, 7).build().open())
                .isInstanceOf(IncompatibleStorageException.class)
                .hasMessageContaining("segment-00000000000000000009-00000000000000000004.log belongs to cluster 99");
    }

    @Test
    void aNewerFormatVersionIsRefusedAndLeftAlone() throws IOException {
        Path segment = onlyFile(dir, "segment-");
        writeShort(segment, 4, (short) (FileHeader.FORMAT_VERSION + 1));
        byte[] before = Files.readAllBytes(segment);

        assertThatThrownBy(() -> builder(42, 7).build().open())
                .isInstanceOf(IncompatibleStorageException.class)
                .hasMessageContaining("format version 2, newer than the versions this RingRaft reads (up to 1)");
        assertThat(Files.readAllBytes(segment)).isEqualTo(before);
    }

    @Test
    void aVoteFileOfANewerVersionIsRefused() throws IOException {
        writeShort(dir.resolve("vote"), 4, (short) 7);

        assertThatThrownBy(() -> builder(42, 7).build().open())
                .isInstanceOf(IncompatibleStorageException.class).hasMessageContaining("vote file has format version 7");
    }

    @Test
    void aFileThatIsNotOursIsReportedAsSuch() throws IOException {
        Files.write(dir.resolve("base"), new byte[48]);

        assertThatThrownBy(() -> builder(42, 7).build().open())
                .isInstanceOf(CorruptStorageException.class).hasMessageContaining("not a RingRaft log base file");
    }

    @Test
    void aDirectoryIsOpenedByOneStorageAtATime() throws IOException {
        try (SegmentedLogStorage first = builder(42, 7).build()) {
            first.open();
            SegmentedLogStorage second = builder(42, 7).build();
            assertThatThrownBy(second::open).isInstanceOf(IOException.class).hasMessageContaining("in use");
            second.close();
        }
        try (SegmentedLogStorage again = builder(42, 7).build()) {
            assertThat(again.open().last()).isEqualTo(new LogId(3, 3));
        }
    }

    private SegmentedLogStorage.Builder builder(long clusterId, long groupId) {
        return SegmentedLogStorage.builder(dir).nodeId(1).clusterId(clusterId).groupId(groupId).segmentBytes(1 << 16);
    }

    private static Path onlyFile(Path directory, String prefix) throws IOException {
        try (Stream<Path> files = Files.list(directory)) {
            return files.filter(p -> p.getFileName().toString().startsWith(prefix)).findFirst().orElseThrow();
        }
    }


    @Test
    void aStaleVoteIsRefusedAndTheDirectoryIsReleased() throws IOException {
        Path staleDir = dir.resolve("stale");
        try (SegmentedLogStorage storage = SegmentedLogStorage.builder(staleDir).nodeId(1).build()) {
            storage.open();
            storage.saveVote(new Vote(1, 1));
            storage.append(Entries.of(1, 3, 2, 20, 0)); // a term above the vote's
            storage.flush();
        }
        // The runtime does not close a storage whose open() failed: a failed open releases everything,
        // so that the same error (not "in use") is reported again, here or by another process.
        for (int attempt = 0; attempt < 2; attempt++) {
            assertThatThrownBy(() -> SegmentedLogStorage.builder(staleDir).nodeId(1).build().open())
                    .isInstanceOf(CorruptStorageException.class)
                    .hasMessageContaining("the durable vote is only for term 1");
        }
    }
    private static void writeShort(Path file, long offset, short value) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.write(ByteBuffer.allocate(2).putShort(0, value), offset);
        }
    }
}
