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
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reliability catalogue D35, a corrupted record in the middle of the log: the checksum detects it, and
 * the node must not silently cut the log and go on voting as if it were intact. Each test damages the
 * real files of a flushed log (100 entries of 100 bytes in batches of 5, 30 entries per segment: four
 * segments, the last holding entries 91..100) and checks that the damage is reported with a
 * {@link CorruptStorageException} naming the file, and that a failed open changes nothing on disk.
 */
class CorruptionTest {

    private static final int SIZE = 100;
    private static final int RECORD = RecordFormat.HEADER_BYTES + SIZE;
    private static final int SEGMENT_BYTES = 4096;

    @TempDir
    Path dir;

    @BeforeEach
    void writeAFlushedLog() throws IOException {
        try (SegmentedLogStorage storage = open(false)) {
            storage.saveVote(new Vote(1, 1));
            for (long first = 1; first <= 100; first += 5) {
                storage.append(Entries.of(first, 5, 1, SIZE, 0));
                storage.flush();
            }
        }
        assertThat(segments()).hasSize(4);
    }

    @Test
    void aDamagedRecordInTheNewestSegmentFollowedByLaterFlushesStopsOpen() throws IOException {
        flipByte(segments().get(3), offsetOf(93, 91) + 40); // a payload byte of entry 93
        byte[] before = Files.readAllBytes(segments().get(3));

        assertThatThrownBy(() -> open(false))
                .isInstanceOf(CorruptStorageException.class)
                .hasMessageContaining(segments().get(3).getFileName().toString())
                .hasMessageContaining("index 93")
                .hasMessageContaining("offset " + offsetOf(93, 91));
        assertThat(Files.readAllBytes(segments().get(3))).as("a failed open cuts nothing").isEqualTo(before);
    }

    @Test
    void aDamagedLengthFieldIsFoundEvenThoughTheRecordsAfterItCannotBeFoundByLength() throws IOException {
        flipByte(segments().get(3), offsetOf(92, 91) + RecordFormat.OFFSET_LENGTH + 1); // length 100 -> 65636

        assertThatThrownBy(() -> open(false)).isInstanceOf(CorruptStorageException.class)
                .hasMessageContaining("index 92");
    }

    @Test
    void damageInAnOlderSegmentFailsTheReadThatReachesItAndStopsTheStorage() throws IOException {
        flipByte(segments().get(0), offsetOf(5, 1) + 50);

        try (SegmentedLogStorage storage = open(false)) { // older segments are not read at open
            assertThat(storage.read(40, 10, Integer.MAX_VALUE).count()).isEqualTo(10);
            assertThatThrownBy(() -> storage.read(1, 10, Integer.MAX_VALUE))
                    .isInstanceOf(CorruptStorageException.class)
                    .hasMessageContaining(segments().get(0).getFileName().toString())
                    .hasMessageContaining("index 5");
            assertThatThrownBy(() -> storage.append(Entries.of(101, 1, 1, SIZE, 0)))
                    .isInstanceOf(IOException.class).hasMessageContaining("failed earlier");
            assertThatThrownBy(() -> storage.read(40, 10, Integer.MAX_VALUE)).isInstanceOf(IOException.class);
        }
    }

    @Test
    void verifyOnOpenFindsDamageInOlderSegmentsAtStartUp() throws IOException {
        flipByte(segments().get(1), offsetOf(45, 31) + RecordFormat.OFFSET_TERM + 7); // the term of entry 45

        assertThatThrownBy(() -> open(true)).isInstanceOf(CorruptStorageException.class)
                .hasMessageContaining("index 45");
    }

    @Test
    void aDamagedSealIsReported() throws IOException {
        Path first = segments().get(0);
        flipByte(first, Files.size(first) - Seal.TRAILER_BYTES - 3);

        assertThatThrownBy(() -> open(false)).isInstanceOf(CorruptStorageException.class)
                .hasMessageContaining(first.getFileName().toString()).hasMessageContaining("seal");
    }

    @Test
    void aMissingSegmentIsAGapNotAShorterLog() throws IOException {
        Files.delete(segments().get(1));

        assertThatThrownBy(() -> open(false)).isInstanceOf(CorruptStorageException.class)
                .hasMessageContaining("entries 31..60 are missing");
    }

    @Test
    void aDamagedVoteFileStopsOpenInsteadOfForgettingTheVote() throws IOException {
        flipByte(dir.resolve("vote"), FileHeader.PREFIX_BYTES + 7);

        assertThatThrownBy(() -> open(false)).isInstanceOf(CorruptStorageException.class)
                .hasMessageContaining("vote file fails its checksum");
    }

    /**
     * The documented limit: the last flushed batch has nothing written after it, so nothing on disk
     * proves it was ever forced. Damage there looks exactly like a torn write and is cut; Raft's
     * replication restores the entries from the leader. (Damage anywhere earlier is reported.)
     */
    @Test
    void damageInTheLastFlushedBatchCannotBeToldFromATornWrite() throws IOException {
        flipByte(segments().get(3), offsetOf(97, 91) + 40);

        try (SegmentedLogStorage storage = open(false)) {
            assertThat(storage.termAt(96)).isEqualTo(1);
            assertThat(storage.read(90, 100, Integer.MAX_VALUE).count()).isEqualTo(7);
        }
    }

    @Test
    void theLogIsIntactWithoutDamage() throws IOException {
        try (SegmentedLogStorage storage = open(true)) {
            assertThat(storage.read(1, 1000, Integer.MAX_VALUE).count()).isEqualTo(100);
            assertThat(storage.termAt(100)).isEqualTo(1);
        }
        try (SegmentedLogStorage storage = SegmentedLogStorage.builder(dir).nodeId(1).segmentBytes(SEGMENT_BYTES).build()) {
            assertThat(storage.open().last()).isEqualTo(new LogId(1, 100));
        }
    }

    private SegmentedLogStorage open(boolean verifyAll) throws IOException {
        SegmentedLogStorage storage = SegmentedLogStorage.builder(dir).nodeId(1).segmentBytes(SEGMENT_BYTES)
                .verifyOnOpen(verifyAll).build();
        try {
            storage.open();
        } catch (IOException e) {
            storage.close();
            throw e;
        }
        return storage;
    }

    /** Offset of the record of {@code index} in the segment starting at {@code firstIndex}. */
    private static long offsetOf(long index, long firstIndex) {
        return Segment.HEADER_BYTES + (index - firstIndex) * RECORD;
    }

    private List<Path> segments() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().startsWith("segment-")).sorted().toList();
        }
    }

    private static void flipByte(Path file, long offset) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.allocate(1);
            channel.read(b, offset);
            b.put(0, (byte) (b.get(0) ^ 0x01));
            b.clear();
            channel.write(b, offset);
        }
    }
}
