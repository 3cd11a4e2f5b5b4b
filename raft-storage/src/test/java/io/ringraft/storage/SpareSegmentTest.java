package io.ringraft.storage;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringraft.api.EntryKind;
import io.ringraft.message.HeapLogEntries;
import io.ringraft.spi.LogEntries;
import io.ringraft.storage.internal.FaultyFileIo;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import org.junit.jupiter.api.Test;

/**
 * {@link SpareSegment}: the next segment is zero-filled once the tail is half full, by the segment
 * preparer, and a rollover renames it into place instead of writing a segment of zeros on the appending
 * thread; a leftover spare is deleted at open and never read as a segment; without a preparer, segments
 * are created as before.
 */
class SpareSegmentTest {

    private static final Path DIR = Path.of("/log");
    private static final int SEGMENT_BYTES = 4096;

    private final FaultyFileIo disk = new FaultyFileIo(1);
    private final List<Runnable> queued = new ArrayList<>();
    /** Runs preparations only when the test says so. */
    private final Executor preparer = queued::add;

    private SegmentedLogStorage open(Executor segmentPreparer) throws IOException {
        SegmentedLogStorage storage = SegmentedLogStorage.builder(DIR).nodeId(1).segmentBytes(SEGMENT_BYTES)
                .fileIo(disk).segmentPreparer(segmentPreparer).build();
        storage.open();
        storage.saveVote(new io.ringraft.api.Vote(1, 0));
        return storage;
    }

    @Test
    void aRolloverRenamesTheSparePreparedOnceTheTailWasHalfFull() throws IOException {
        SegmentedLogStorage storage = open(preparer);
        long index = append(storage, 1, 10); // a little of the first segment
        assertThat(queued).as("nothing prepared while the tail is less than half full").isEmpty();
        for (int i = 0; i < SEGMENT_BYTES / 100 && queued.isEmpty(); i++) {
            index = append(storage, index, 1);
        }
        assertThat(queued).as("the spare's preparation, queued once the tail is half full").hasSize(1);
        assertThat(disk.list(DIR)).doesNotContain(SpareSegment.FILE_NAME);
        queued.remove(0).run(); // the preparer zero-fills the spare
        assertThat(disk.list(DIR)).contains(SpareSegment.FILE_NAME);
        assertThat(disk.content(DIR.resolve(SpareSegment.FILE_NAME))).hasSize(SEGMENT_BYTES).containsOnly(0);

        int segmentsBefore = segments();
        for (int i = 0; i < SEGMENT_BYTES / 100 && segments() == segmentsBefore; i++) {
            index = append(storage, index, 1);
        }
        assertThat(segments()).as("rolled over").isEqualTo(segmentsBefore + 1);
        assertThat(disk.list(DIR)).as("the spare became the new segment").doesNotContain(SpareSegment.FILE_NAME);
        storage.flush();
        storage.close();

        disk.powerLoss(FaultyFileIo.CrashMode.DROP);
        SegmentedLogStorage reopened = open(null);
        LogEntries all = reopened.read(1, (int) index, Integer.MAX_VALUE);
        assertThat(all.count()).as("every flushed entry reads back across the renamed spare").isEqualTo(index - 1);
        reopened.close();
    }

    @Test
    void aLeftoverSpareIsDeletedAtOpenAndNeverReadAsASegment() throws IOException {
        SegmentedLogStorage storage = open(Runnable::run);
        long index = 1;
        for (int i = 0; i < SEGMENT_BYTES / 100 && !disk.list(DIR).contains(SpareSegment.FILE_NAME); i++) {
            index = append(storage, index, 1);
        }
        assertThat(disk.list(DIR)).contains(SpareSegment.FILE_NAME);
        storage.flush();
        disk.powerLoss(FaultyFileIo.CrashMode.RANDOM);
        storage.close();

        SegmentedLogStorage reopened = open(null);
        assertThat(disk.list(DIR)).doesNotContain(SpareSegment.FILE_NAME);
        assertThat(reopened.read(1, (int) index, Integer.MAX_VALUE).count()).isEqualTo(index - 1);
        reopened.close();
    }

    /** Appends {@code count} entries of 100 bytes from {@code index}; returns the next index. */
    private static long append(SegmentedLogStorage storage, long index, int count) throws IOException {
        HeapLogEntries.Builder entries = HeapLogEntries.builder(index);
        for (int i = 0; i < count; i++) {
            entries.add(1, EntryKind.COMMAND, new byte[100]);
        }
        storage.append(entries.build());
        return index + count;
    }

    private int segments() throws IOException {
        return (int) disk.list(DIR).stream().filter(name -> name.startsWith("segment-") && name.endsWith(".log")).count();
    }
}
