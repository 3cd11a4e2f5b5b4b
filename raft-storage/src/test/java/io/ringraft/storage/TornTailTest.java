package io.ringraft.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringraft.api.LogId;
import io.ringraft.api.Vote;
import io.ringraft.spi.LogEntries;
import io.ringraft.spi.LogState;
import io.ringraft.storage.internal.FaultyFileIo;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reliability catalogue D34, torn tail write: a crash during an append leaves the last record cut
 * short or partly written. Recovery must detect it (CRC, length), discard only bytes that were never
 * forced (so never acknowledged), raise no error, and never let leftovers of the lost tail pass for
 * entries written later.
 */
class TornTailTest {

    private static final int SIZE = 100;
    private static final int RECORD = RecordFormat.HEADER_BYTES + SIZE;

    @TempDir
    Path dir;

    @Test
    void aTornLastRecordOnRealFilesIsCutAndItsIndexReused() throws IOException {
        try (SegmentedLogStorage storage = SegmentedLogStorage.builder(dir).nodeId(1).segmentBytes(1 << 20).build()) {
            storage.open();
            storage.saveVote(new Vote(1, 1));
            storage.append(Entries.of(1, 5, 1, SIZE, 1));
            storage.flush();
            storage.append(Entries.of(6, 1, 1, SIZE, 1));
        }
        // The power failed while record 6 was being written: its second half never reached the disk.
        long record6 = Segment.HEADER_BYTES + 5L * RECORD;
        try (FileChannel file = FileChannel.open(onlySegment(), StandardOpenOption.WRITE)) {
            file.write(ByteBuffer.allocate(RECORD / 2), record6 + RECORD / 2);
        }

        try (SegmentedLogStorage storage = SegmentedLogStorage.builder(dir).nodeId(1).segmentBytes(1 << 20).build()) {
            LogState state = storage.open();
            assertThat(state.last()).isEqualTo(new LogId(1, 5));
            assertThat(storage.termAt(6)).isEqualTo(-1);
            LogEntries all = storage.read(1, 100, Integer.MAX_VALUE);
            assertThat(all.count()).isEqualTo(5);
            storage.append(Entries.of(6, 2, 1, SIZE, 2));
            storage.flush();
        }
        try (SegmentedLogStorage storage = SegmentedLogStorage.builder(dir).nodeId(1).segmentBytes(1 << 20).build()) {
            assertThat(storage.open().last()).isEqualTo(new LogId(1, 7));
            LogEntries tail = storage.read(5, 100, Integer.MAX_VALUE);
            assertThat(Entries.tagAt(tail, 0)).isEqualTo(1);
            assertThat(Entries.tagAt(tail, 1)).isEqualTo(2);
            assertThat(Entries.tagAt(tail, 2)).isEqualTo(2);
        }
    }

    @Test
    void aTailWhoseWritesReachedTheDiskOutOfOrderIsCutNotReportedAsCorruption() throws IOException {
        FaultyFileIo disk = new FaultyFileIo(7);
        SegmentedLogStorage storage = faulty(disk);
        storage.open();
        storage.saveVote(new Vote(1, 1));
        storage.append(Entries.of(1, 3, 1, SIZE, 1));
        storage.flush();
        storage.append(Entries.of(4, 1, 1, SIZE, 1));
        storage.append(Entries.of(5, 1, 1, SIZE, 1));
        disk.powerLossKeeping(i -> i == 1); // the write of entry 5 reached the disk, that of entry 4 did not
        storage.close();

        storage = faulty(disk);
        assertThat(storage.open().last()).isEqualTo(new LogId(1, 3));
        storage.close();
    }

    @Test
    void leftoversOfALostTailNeverPassForEntriesWrittenLater() throws IOException {
        FaultyFileIo disk = new FaultyFileIo(7);
        SegmentedLogStorage storage = faulty(disk);
        storage.open();
        storage.saveVote(new Vote(1, 1));
        storage.append(Entries.of(1, 3, 1, SIZE, 1));
        storage.flush();
        storage.append(Entries.of(4, 1, 1, SIZE, 1));
        storage.append(Entries.of(5, 1, 1, SIZE, 1));
        disk.powerLossKeeping(i -> i == 1); // entry 5 (tag 1) is on disk, after a hole where 4 was
        storage.close();

        storage = faulty(disk);
        storage.open();
        storage.append(Entries.of(4, 1, 1, SIZE, 2)); // the same sizes: 4 and 5 go exactly where they were
        storage.append(Entries.of(5, 1, 1, SIZE, 2));
        disk.powerLossKeeping(i -> i == 0); // the new entry 4 reached the disk, the new entry 5 did not
        storage.close();

        storage = faulty(disk);
        LogState state = storage.open();
        assertThat(state.last()).as("the old entry 5 must not follow the new entry 4").isEqualTo(new LogId(1, 4));
        assertThat(Entries.tagAt(storage.read(4, 10, Integer.MAX_VALUE), 0)).isEqualTo(2);
        storage.close();
    }

    @Test
    void aCrashAtAnyStepOfASegmentRollLosesNothingFlushed() throws IOException {
        for (int step = 1; ; step++) {
            FaultyFileIo disk = new FaultyFileIo(step);
            SegmentedLogStorage storage = faulty(disk, 400); // two records per segment
            storage.open();
            storage.saveVote(new Vote(1, 1));
            storage.append(Entries.of(1, 2, 1, SIZE, 1));
            storage.flush();
            disk.crashAtOperation(step);
            boolean crashed;
            try {
                storage.append(Entries.of(3, 3, 1, SIZE, 1)); // rolls to a new segment, then fills it
                storage.flush();
                crashed = false;
            } catch (FaultyFileIo.SimulatedCrash expected) {
                crashed = true;
                assertThatThrownBy(storage::flush).isInstanceOf(IOException.class);
            }
            disk.powerLoss(FaultyFileIo.CrashMode.RANDOM);
            storage.close();

            storage = faulty(disk, 400);
            LogState state = storage.open();
            assertThat(state.last().index()).as("crash at operation %d", step).isBetween(2L, 5L);
            assertThat(storage.read(1, 10, Integer.MAX_VALUE).count()).isEqualTo((int) state.last().index());
            assertThat(disk.list(Path.of("/log"))).as("leftover temporary files").noneMatch(n -> n.endsWith(".tmp"));
            storage.close();
            if (!crashed) {
                assertThat(state.last().index()).isEqualTo(5);
                assertThat(step).as("a roll takes several file operations").isGreaterThan(5);
                return;
            }
        }
    }

    private static SegmentedLogStorage faulty(FaultyFileIo disk) {
        return faulty(disk, 1 << 16);
    }

    private static SegmentedLogStorage faulty(FaultyFileIo disk, int segmentBytes) {
        return SegmentedLogStorage.builder(Path.of("/log")).nodeId(1).segmentBytes(segmentBytes).fileIo(disk).build();
    }

    private Path onlySegment() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            List<Path> segments = files.filter(p -> p.getFileName().toString().startsWith("segment-")).toList();
            assertThat(segments).hasSize(1);
            return segments.get(0);
        }
    }
}
