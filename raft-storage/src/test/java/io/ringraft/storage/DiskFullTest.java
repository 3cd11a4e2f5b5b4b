package io.ringraft.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringraft.api.LogId;
import io.ringraft.api.Vote;
import io.ringraft.spi.LogEntries;
import io.ringraft.spi.LogState;
import io.ringraft.storage.internal.FaultyFileIo;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Reliability catalogue D37, disk full (ENOSPC) during an append: the write fails, storage stops
 * (nothing more is acknowledged), and after space is freed and the node restarts, no partial entry is
 * visible: the log is the flushed one, possibly with whole entries written before the disk filled.
 */
class DiskFullTest {

    private static final Path DIR = Path.of("/log");
    private static final int SIZE = 100;

    @ParameterizedTest
    @EnumSource(FaultyFileIo.CrashMode.class)
    void aFullDiskDuringAnAppendStopsStorageAndLeavesNoPartialEntry(FaultyFileIo.CrashMode crash) throws IOException {
        FaultyFileIo disk = new FaultyFileIo(3);
        SegmentedLogStorage storage = storage(disk, false);
        storage.open();
        storage.saveVote(new Vote(1, 1));
        storage.append(Entries.of(1, 10, 1, SIZE, 1));
        storage.flush();
        disk.setCapacity(disk.usedBytes() + 1000); // room for 7.5 more records

        assertThatThrownBy(() -> storage.append(Entries.of(11, 20, 1, SIZE, 1)))
                .isInstanceOf(IOException.class).hasMessageContaining("No space left");
        assertThatThrownBy(storage::flush).isInstanceOf(IOException.class).hasMessageContaining("failed earlier")
                .hasMessageContaining("No space left");
        assertThatThrownBy(() -> storage.read(1, 1, 100)).isInstanceOf(IOException.class);

        disk.powerLoss(crash); // KEEP: the half-written record is on disk
        storage.close();
        disk.setCapacity(Long.MAX_VALUE); // the operator freed space

        SegmentedLogStorage restarted = storage(disk, false);
        LogState state = restarted.open();
        assertThat(state.last().index()).isBetween(10L, 17L);
        LogEntries all = restarted.read(1, 100, Integer.MAX_VALUE);
        assertThat(all.count()).isEqualTo((int) state.last().index());
        for (int i = 0; i < all.count(); i++) {
            assertThat(Entries.tagAt(all, i)).isEqualTo(1);
            assertThat(all.payloadAt(i).length()).isEqualTo(SIZE);
        }
        restarted.append(Entries.of(state.last().index() + 1, 1, 1, SIZE, 2));
        restarted.flush();
        restarted.close();
    }

    @Test
    void aFullDiskWhenAPreallocatedSegmentIsCreatedLeavesNoHalfSegment() throws IOException {
        FaultyFileIo disk = new FaultyFileIo(3);
        SegmentedLogStorage storage = storage(disk, true);
        storage.open();
        storage.saveVote(new Vote(1, 1));
        storage.append(Entries.of(1, 10, 1, SIZE, 1));
        storage.flush();
        disk.setCapacity(disk.usedBytes() + 1000); // the current segment is preallocated; the next one does not fit

        assertThatThrownBy(() -> {
            for (long index = 11; ; index++) {
                storage.append(Entries.of(index, 1, 1, SIZE, 1)); // never fails until the roll
            }
        }).isInstanceOf(IOException.class).hasMessageContaining("No space left");
        disk.powerLoss(FaultyFileIo.CrashMode.KEEP);
        storage.close();
        disk.setCapacity(Long.MAX_VALUE);

        SegmentedLogStorage restarted = storage(disk, true);
        LogState state = restarted.open();
        long perSegment = (4096 - Segment.HEADER_BYTES) / (RecordFormat.HEADER_BYTES + SIZE);
        assertThat(state.last()).as("the full segment was sealed (and forced) before the roll failed")
                .isEqualTo(new LogId(1, perSegment));
        assertThat(disk.list(DIR)).noneMatch(name -> name.endsWith(".tmp"));
        assertThat(restarted.read(1, 100, Integer.MAX_VALUE).count()).isEqualTo((int) perSegment);
        restarted.close();
    }

    @Test
    void aFullDiskWhenSavingTheVoteKeepsTheOldVote() throws IOException {
        FaultyFileIo disk = new FaultyFileIo(3);
        SegmentedLogStorage storage = storage(disk, false);
        storage.open();
        storage.saveVote(new Vote(1, 1));
        disk.setCapacity(disk.usedBytes());

        assertThatThrownBy(() -> storage.saveVote(new Vote(2, 2))).isInstanceOf(IOException.class);
        disk.powerLoss(FaultyFileIo.CrashMode.KEEP);
        storage.close();
        disk.setCapacity(Long.MAX_VALUE);

        SegmentedLogStorage restarted = storage(disk, false);
        assertThat(restarted.open().vote()).isEqualTo(new Vote(1, 1));
        restarted.close();
    }

    private static SegmentedLogStorage storage(FaultyFileIo disk, boolean preallocate) {
        return SegmentedLogStorage.builder(DIR).nodeId(1).segmentBytes(4096).preallocate(preallocate).fileIo(disk).build();
    }
}
