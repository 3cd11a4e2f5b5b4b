package io.ringraft.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringraft.api.EntryKind;
import io.ringraft.api.LogId;
import io.ringraft.api.Vote;
import io.ringraft.message.HeapLogEntries;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pins the on-disk format described in docs/storage.md, byte by byte, with checksums computed here
 * independently: a change to the format must be a deliberate one (a new format version).
 */
class FileFormatTest {

    @TempDir
    Path dir;

    @Test
    void segmentHeaderRecordsStableOffsetsAndSealAreAsDocumented() throws IOException {
        try (SegmentedLogStorage storage = SegmentedLogStorage.builder(dir).nodeId(1).clusterId(0x0102030405060708L).groupId(9)
                .segmentBytes(1024).preallocate(false).build()) {
            storage.open();
            storage.saveVote(new Vote(2, 3));
            storage.append(HeapLogEntries.builder(1).add(1, EntryKind.NOOP, new byte[0])
                    .add(2, EntryKind.COMMAND, "hello".getBytes(StandardCharsets.UTF_8)).build());
            storage.flush();
            storage.append(HeapLogEntries.builder(3).add(2, EntryKind.COMMAND, new byte[] {7}).build());
            storage.truncateSuffix(3); // seals the segment after entry 2
        }
        ByteBuffer file = ByteBuffer.wrap(Files.readAllBytes(dir.resolve(
                "segment-00000000000000000001-00000000000000000001.log")));

        // Header block.
        assertThat(file.getInt(0)).isEqualTo(0x52524C47); // "RRLG"
        assertThat(file.getShort(4)).isEqualTo((short) 1);
        assertThat(file.getShort(6)).isZero();
        assertThat(file.getInt(8)).isEqualTo(64);
        assertThat(file.getLong(12)).isEqualTo(0x0102030405060708L);
        assertThat(file.getLong(20)).isEqualTo(9);
        assertThat(file.getLong(28)).isEqualTo(1); // seq
        assertThat(file.getLong(36)).isEqualTo(1); // first index
        assertThat(file.getInt(60)).isEqualTo(crc(file, 0, 60));

        // Entry 1: a no-op of term 1 with no payload, written when only the header was durable.
        assertRecord(file, 64, 0, 1, 1, 64, (byte) 2);
        // Entry 2: "hello" of term 2.
        assertRecord(file, 96, 5, 2, 2, 64, (byte) 1);
        assertThat(new String(file.array(), 128, 5, StandardCharsets.UTF_8)).isEqualTo("hello");
        // Entry 3, written after the flush made 133 bytes durable, then cut by the truncation.
        assertRecord(file, 133, 1, 3, 2, 133, (byte) 1);
        // The seal: last live index 2, runs (1, 1) (2, 2), then its length and "SEAL"; the file ends there.
        int seal = 166;
        int sealBytes = 32 + 4 + 2 * 16 + 8;
        assertRecord(file, seal, sealBytes - 32, 2, 2, 133, (byte) 0x53); // entry 3 was never forced
        assertThat(file.getInt(seal + 32)).isEqualTo(2);
        assertThat(file.getLong(seal + 36)).isEqualTo(1);
        assertThat(file.getLong(seal + 44)).isEqualTo(1);
        assertThat(file.getLong(seal + 52)).isEqualTo(2);
        assertThat(file.getLong(seal + 60)).isEqualTo(2);
        assertThat(file.getInt(seal + 68)).isEqualTo(sealBytes);
        assertThat(file.getInt(seal + 72)).isEqualTo(0x5345414C); // "SEAL"
        assertThat(file.capacity()).isEqualTo(seal + sealBytes);

        // The vote file.
        ByteBuffer vote = ByteBuffer.wrap(Files.readAllBytes(dir.resolve("vote")));
        assertThat(vote.capacity()).isEqualTo(48);
        assertThat(vote.getInt(0)).isEqualTo(0x52525654); // "RRVT"
        assertThat(vote.getLong(28)).isEqualTo(2);
        assertThat(vote.getLong(36)).isEqualTo(3);
        assertThat(vote.getInt(44)).isEqualTo(crc(vote, 0, 44));
    }

    @Test
    void aResetSegmentCarriesItsFlagAndBaseTermAndTheBaseFileFollows() throws IOException {
        try (SegmentedLogStorage storage = SegmentedLogStorage.builder(dir).nodeId(1).clusterId(0x0102030405060708L).groupId(9)
                .segmentBytes(1024).preallocate(false).build()) {
            storage.open();
            storage.saveVote(new Vote(7, 3));
            storage.append(HeapLogEntries.builder(1).add(1, EntryKind.NOOP, new byte[0]).build());
            storage.flush();
            storage.resetTo(new LogId(6, 41));
        }
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).as("the old segment is deleted")
                    .containsExactlyInAnyOrder("identity", "lock", "vote", "base",
                            "segment-00000000000000000002-00000000000000000042.log");
        }
        ByteBuffer file = ByteBuffer.wrap(Files.readAllBytes(dir.resolve(
                "segment-00000000000000000002-00000000000000000042.log")));
        assertThat(file.capacity()).isEqualTo(64); // the header only: no preallocation, no records
        assertThat(file.getInt(0)).isEqualTo(0x52524C47); // "RRLG"
        assertThat(file.getShort(4)).isEqualTo((short) 1);
        assertThat(file.getShort(6)).as("flags: reset").isEqualTo((short) 1);
        assertThat(file.getInt(8)).isEqualTo(64);
        assertThat(file.getLong(12)).isEqualTo(0x0102030405060708L);
        assertThat(file.getLong(20)).isEqualTo(9);
        assertThat(file.getLong(28)).isEqualTo(2); // seq
        assertThat(file.getLong(36)).isEqualTo(42); // first index: the base's index + 1
        assertThat(file.getLong(44)).isEqualTo(6); // the base's term
        assertThat(file.getLong(52)).isZero();
        assertThat(file.getInt(60)).isEqualTo(crc(file, 0, 60));

        ByteBuffer base = ByteBuffer.wrap(Files.readAllBytes(dir.resolve("base")));
        assertThat(base.capacity()).isEqualTo(48);
        assertThat(base.getInt(0)).isEqualTo(0x52524253); // "RRBS"
        assertThat(base.getLong(28)).isEqualTo(41);
        assertThat(base.getLong(36)).isEqualTo(6);
        assertThat(base.getInt(44)).isEqualTo(crc(base, 0, 44));
    }

    @Test
    void aSegmentWithAFlagThisVersionDoesNotKnowIsRefusedAndLeftAlone() throws IOException {
        try (SegmentedLogStorage storage = SegmentedLogStorage.builder(dir).nodeId(1).segmentBytes(1024).build()) {
            storage.open();
            storage.saveVote(new Vote(1, 1));
            storage.append(HeapLogEntries.builder(1).add(1, EntryKind.NOOP, new byte[0]).build());
            storage.flush();
        }
        Path segment = dir.resolve("segment-00000000000000000001-00000000000000000001.log");
        byte[] bytes = Files.readAllBytes(segment);
        ByteBuffer header = ByteBuffer.wrap(bytes);
        header.putShort(6, (short) 0x0003);
        header.putInt(60, crc(header, 0, 60));
        Files.write(segment, bytes);

        assertThatThrownBy(() -> SegmentedLogStorage.builder(dir).nodeId(1).segmentBytes(1024).build().open())
                .isInstanceOf(IncompatibleStorageException.class)
                .hasMessageContaining("segment header has flags 0x3")
                .hasMessageContaining("written by a newer RingRaft");
        assertThat(Files.readAllBytes(segment)).isEqualTo(bytes);
    }

    private static void assertRecord(ByteBuffer file, int at, int payloadLength, long index, long term, int stable,
            byte kind) {
        assertThat(file.getInt(at)).as("length at %d", at).isEqualTo(payloadLength);
        assertThat(file.getLong(at + 8)).as("index at %d", at).isEqualTo(index);
        assertThat(file.getLong(at + 16)).as("term at %d", at).isEqualTo(term);
        assertThat(file.getInt(at + 24)).as("stable offset at %d", at).isEqualTo(stable);
        assertThat(file.get(at + 28)).as("kind at %d", at).isEqualTo(kind);
        assertThat(new byte[] {file.get(at + 29), file.get(at + 30), file.get(at + 31)}).containsOnly(0);
        CRC32C crc = new CRC32C();
        crc.update(file.array(), at, 4);
        crc.update(file.array(), at + 8, 24 + payloadLength);
        assertThat(file.getInt(at + 4)).as("crc at %d", at).isEqualTo((int) crc.getValue());
    }

    private static int crc(ByteBuffer block, int from, int length) {
        CRC32C crc = new CRC32C();
        crc.update(block.array(), from, length);
        return (int) crc.getValue();
    }
}
