package io.ringraft.storage;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringraft.api.LogId;
import io.ringraft.api.Vote;
import io.ringraft.spi.LogEntries;
import io.ringraft.spi.LogState;
import io.ringraft.spi.SnapshotInfo;
import io.ringraft.storage.internal.FaultyFileIo;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/**
 * Reliability catalogue D38 at the storage level: a crash after the state machine applied entries,
 * at every point of "write a snapshot of the applied state, then purge the log up to it" (during the
 * snapshot write, after it and before the purge, during the purge). On restart the node restores the
 * newest snapshot and replays the log after it; every entry must then be applied exactly once: no
 * entry may be both in the snapshot and replayed, and none may be missing from both. (The applied
 * index itself is persisted only as a snapshot's last LogId; replaying from it is the runtime's part.)
 */
class SnapshotAndPurgeCrashTest {

    private static final Path LOG = Path.of("/node/log");
    private static final Path SNAPSHOTS = Path.of("/node/snapshots");

    @Test
    void everyEntryIsAppliedExactlyOnceAfterACrashAtAnyStepOfSnapshotAndPurge() throws IOException {
        for (int step = 1; ; step++) {
            FaultyFileIo disk = new FaultyFileIo(step);
            SegmentedLogStorage log = log(disk);
            log.open();
            log.saveVote(new Vote(1, 1));
            log.append(Entries.of(1, 50, 1, 40, 1));
            log.flush();
            FileSnapshotStore snapshots = FileSnapshotStore.open(disk, SNAPSHOTS, 9, 1, 1, 1);
            List<Long> applied = LongStream.rangeClosed(1, 30).boxed().toList(); // the state machine applied 1..30

            disk.crashAtOperation(step);
            boolean crashed = false;
            try {
                try (SnapshotWriter writer = snapshots.begin(new LogId(1, 30), new byte[0])) {
                    DataOutputStream out = new DataOutputStream(writer.data());
                    out.writeInt(applied.size());
                    for (long index : applied) {
                        out.writeLong(index);
                    }
                    out.flush();
                    writer.commit();
                }
                log.purgePrefix(30);
            } catch (FaultyFileIo.SimulatedCrash expected) {
                crashed = true;
            }
            disk.powerLoss(FaultyFileIo.CrashMode.RANDOM);
            log.close();

            List<Long> replayed = restart(disk);
            assertThat(replayed).as("crash at operation %d", step)
                    .containsExactlyElementsOf(LongStream.rangeClosed(1, 50).boxed().toList());
            if (!crashed) {
                return;
            }
        }
    }

    /** Restores the newest snapshot, then applies the log after it; returns the indexes applied. */
    private static List<Long> restart(FaultyFileIo disk) throws IOException {
        List<Long> state = new ArrayList<>();
        long snapshotIndex = 0;
        FileSnapshotStore snapshots = FileSnapshotStore.open(disk, SNAPSHOTS, 9, 1, 1, 1);
        Optional<SnapshotInfo> latest = snapshots.latest();
        if (latest.isPresent()) {
            try (InputStream in = snapshots.open(latest.get())) {
                DataInputStream data = new DataInputStream(in);
                int count = data.readInt();
                for (int i = 0; i < count; i++) {
                    state.add(data.readLong());
                }
                assertThat(in.read()).isEqualTo(-1); // the end of the stream checks size and CRC
            }
            snapshotIndex = latest.get().last().index();
        }
        snapshots.close();
        try (SegmentedLogStorage log = log(disk)) {
            LogState recovered = log.open();
            assertThat(recovered.base().index()).as("the log is purged only up to a committed snapshot")
                    .isLessThanOrEqualTo(snapshotIndex);
            assertThat(recovered.last().index()).isEqualTo(50);
            LogEntries rest = log.read(snapshotIndex + 1, 1000, Integer.MAX_VALUE);
            for (int i = 0; i < rest.count(); i++) {
                Entries.tagAt(rest, i);
                state.add(rest.firstIndex() + i);
            }
        }
        return state;
    }

    private static SegmentedLogStorage log(FaultyFileIo disk) {
        return SegmentedLogStorage.builder(LOG).nodeId(1).clusterId(9).segmentBytes(1024).fileIo(disk).build();
    }
}
