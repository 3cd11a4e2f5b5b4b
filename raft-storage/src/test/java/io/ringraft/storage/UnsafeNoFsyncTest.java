package io.ringraft.storage;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringraft.api.LogId;
import io.ringraft.api.Vote;
import io.ringraft.spi.LogState;
import io.ringraft.storage.internal.FaultyFileIo;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * {@code unsafeNoFsync}: {@code flush()} forces nothing, so a power loss loses flushed (acknowledged)
 * appends, while recovery still opens the files cleanly (a torn tail, never corruption); the default
 * keeps them. Opening such a storage says so at WARN.
 */
class UnsafeNoFsyncTest {

    private static final Path DIR = Path.of("/log");

    private static SegmentedLogStorage storage(FaultyFileIo disk, boolean unsafe) {
        return SegmentedLogStorage.builder(DIR).nodeId(1).segmentBytes(4096).unsafeNoFsync(unsafe).fileIo(disk).build();
    }

    @Test
    void flushedAppendsAreLostOnPowerLossWithoutFsyncAndKeptWithIt() throws Exception {
        assertThat(afterPowerLoss(true)).as("unsafe: the flushed appends are gone, the vote stays")
                .isEqualTo(new LogState(new Vote(2, 1), LogId.ZERO, LogId.ZERO));
        assertThat(afterPowerLoss(false)).as("default: flushed means durable")
                .isEqualTo(new LogState(new Vote(2, 1), LogId.ZERO, new LogId(2, 10)));
    }

    /** Saves a vote, appends ten entries, flushes, loses power, and reopens. */
    private static LogState afterPowerLoss(boolean unsafe) throws Exception {
        FaultyFileIo disk = new FaultyFileIo(7);
        SegmentedLogStorage storage = storage(disk, unsafe);
        storage.open();
        storage.saveVote(new Vote(2, 1));
        storage.append(Entries.of(1, 10, 2, 100, 0));
        storage.flush();
        assertThat(storage.read(1, 100, Integer.MAX_VALUE).count()).as("readable before the crash").isEqualTo(10);
        disk.powerLoss(FaultyFileIo.CrashMode.DROP);
        storage.close();
        SegmentedLogStorage reopened = storage(disk, false);
        try {
            return reopened.open();
        } finally {
            reopened.close();
        }
    }

    @Test
    void openingAnUnsafeStorageWarns() throws Exception {
        PrintStream original = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            SegmentedLogStorage safe = storage(new FaultyFileIo(1), false);
            safe.open();
            safe.close();
            assertThat(captured.toString(StandardCharsets.UTF_8)).doesNotContain("UNSAFE");
            SegmentedLogStorage unsafe = storage(new FaultyFileIo(1), true);
            unsafe.open();
            unsafe.close();
        } finally {
            System.setErr(original);
        }
        assertThat(captured.toString(StandardCharsets.UTF_8)).contains("WARN").contains("UNSAFE")
                .contains("node 1").contains("unsafeNoFsync").contains("power loss");
    }
}
