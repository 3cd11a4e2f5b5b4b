package io.ringraft.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringraft.api.LogId;
import io.ringraft.api.Vote;
import io.ringraft.storage.internal.FaultyFileIo;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Reliability catalogue D36, fsync returns EIO ("fsyncgate"): the kernel may already have dropped the
 * dirty pages, so a retried fsync could succeed without the data. Storage must stop for good: every
 * later call throws, even once the disk works again, and a restart recovers only what was durable.
 */
class FsyncFailureTest {

    private static final Path DIR = Path.of("/log");

    @Test
    void aFailedFlushStopsStorageForGoodAndARestartRecoversOnlyWhatWasDurable() throws IOException {
        FaultyFileIo disk = new FaultyFileIo(5);
        SegmentedLogStorage storage = storage(disk);
        storage.open();
        storage.saveVote(new Vote(1, 1));
        storage.append(Entries.of(1, 4, 1, 50, 1));
        storage.flush();
        storage.append(Entries.of(5, 4, 1, 50, 1));

        disk.failForces(true);
        assertThatThrownBy(storage::flush).isInstanceOf(IOException.class).hasMessageContaining("Input/output error");
        disk.failForces(false); // the disk "recovers": a retry would now succeed, without the dropped data

        assertThatThrownBy(storage::flush).isInstanceOf(IOException.class).hasMessageContaining("failed earlier")
                .hasMessageContaining("Input/output error");
        assertThatThrownBy(() -> storage.append(Entries.of(9, 1, 1, 50, 1))).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> storage.saveVote(new Vote(2, 1))).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> storage.truncateSuffix(3)).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> storage.purgePrefix(2)).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> storage.read(1, 10, 1000)).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> storage.termAt(1)).isInstanceOf(IOException.class);

        disk.powerLoss(FaultyFileIo.CrashMode.DROP);
        storage.close();
        SegmentedLogStorage restarted = storage(disk);
        assertThat(restarted.open().last()).isEqualTo(new LogId(1, 4));
        restarted.close();
    }

    @Test
    void aFailedForceWhileSavingTheVoteStopsStorageAndKeepsTheOldVote() throws IOException {
        FaultyFileIo disk = new FaultyFileIo(5);
        SegmentedLogStorage storage = storage(disk);
        storage.open();
        storage.saveVote(new Vote(1, 1));
        disk.failForces(true);
        assertThatThrownBy(() -> storage.saveVote(new Vote(2, 3))).isInstanceOf(IOException.class);
        disk.failForces(false);
        assertThatThrownBy(() -> storage.saveVote(new Vote(2, 3))).isInstanceOf(IOException.class)
                .hasMessageContaining("failed earlier");

        disk.powerLoss(FaultyFileIo.CrashMode.RANDOM);
        storage.close();
        SegmentedLogStorage restarted = storage(disk);
        assertThat(restarted.open().vote()).isEqualTo(new Vote(1, 1));
        restarted.close();
    }

    private static SegmentedLogStorage storage(FaultyFileIo disk) {
        return SegmentedLogStorage.builder(DIR).nodeId(1).segmentBytes(4096).fileIo(disk).build();
    }
}
