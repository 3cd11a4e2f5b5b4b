package io.ringraft.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringraft.api.Vote;
import io.ringraft.spi.LogState;
import io.ringraft.storage.internal.FaultyFileIo;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * {@code unsafeNoFsync}'s write-behind ({@link WriteBehind}): the tail is forced off the append path
 * every mebibyte appended, so a seal does not meet a whole segment of dirty pages; what it forced
 * survives a power loss (what came after it does not: flush still forces nothing), and a background
 * force that fails stops the storage at the next flush.
 */
class WriteBehindTest {

    private static final Path DIR = Path.of("/log");
    private static final int ENTRY_BYTES = 4000;

    private static SegmentedLogStorage storage(FaultyFileIo disk, boolean unsafe) {
        return SegmentedLogStorage.builder(DIR).nodeId(1).segmentBytes(64 << 20).unsafeNoFsync(unsafe).fileIo(disk)
                .segmentPreparer(Runnable::run).build();
    }

    @Test
    void theTailIsForcedEveryStepSoAPowerLossKeepsAllButTheLastStep() throws Exception {
        FaultyFileIo disk = new FaultyFileIo(3);
        SegmentedLogStorage storage = storage(disk, true);
        storage.open();
        storage.saveVote(new Vote(1, 1));
        int total = 0;
        for (int batch = 0; batch < 60; batch++) { // 60 x 10 x 4 KB: about 2.3 steps
            storage.append(Entries.of(total + 1, 10, 1, ENTRY_BYTES, batch));
            storage.flush();
            total += 10;
        }
        disk.powerLoss(FaultyFileIo.CrashMode.DROP);
        storage.close();
        SegmentedLogStorage reopened = storage(disk, false);
        try {
            LogState state = reopened.open();
            long kept = state.last().index();
            long perStep = WriteBehind.STEP_BYTES / ENTRY_BYTES;
            assertThat(kept).as("two steps were forced in the background").isGreaterThanOrEqualTo(2 * perStep - 20);
            assertThat(kept).as("flush itself still forces nothing: the last part is lost").isLessThan(total);
            assertThat(reopened.read(1, (int) kept, Integer.MAX_VALUE).count()).isEqualTo((int) kept);
        } finally {
            reopened.close();
        }
    }

    @Test
    void withoutUnsafeModeNothingChanges() throws Exception {
        FaultyFileIo disk = new FaultyFileIo(4);
        SegmentedLogStorage storage = storage(disk, false);
        storage.open();
        storage.saveVote(new Vote(1, 1));
        storage.append(Entries.of(1, 300, 1, ENTRY_BYTES, 1));
        storage.flush();
        disk.powerLoss(FaultyFileIo.CrashMode.DROP);
        storage.close();
        SegmentedLogStorage reopened = storage(disk, false);
        try {
            assertThat(reopened.open().last().index()).as("flush forces everything").isEqualTo(300);
        } finally {
            reopened.close();
        }
    }

    @Test
    void aFailedBackgroundForceStopsTheStorageAtTheNextFlush() throws Exception {
        FaultyFileIo disk = new FaultyFileIo(5);
        SegmentedLogStorage storage = storage(disk, true);
        storage.open();
        storage.saveVote(new Vote(1, 1));
        storage.append(Entries.of(1, 1, 1, ENTRY_BYTES, 1)); // creates the segment
        disk.failForces(true);
        storage.append(Entries.of(2, 300, 1, ENTRY_BYTES, 1)); // more than a step
        storage.flush(); // asks for the background force, which fails (synchronous preparer)
        disk.failForces(false);
        assertThatThrownBy(storage::flush).isInstanceOf(IOException.class).hasMessageContaining("background force")
                .hasMessageContaining("Input/output error");
        assertThatThrownBy(storage::flush).isInstanceOf(IOException.class).hasMessageContaining("failed earlier");
        assertThatThrownBy(() -> storage.append(Entries.of(302, 1, 1, 50, 1))).isInstanceOf(IOException.class)
                .hasMessageContaining("fail-stop");
        storage.close();
    }
}
