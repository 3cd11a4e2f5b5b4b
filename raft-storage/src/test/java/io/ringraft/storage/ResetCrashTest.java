package io.ringraft.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringraft.api.LogId;
import io.ringraft.api.Vote;
import io.ringraft.spi.LogState;
import io.ringraft.storage.internal.FaultyFileIo;
import io.ringraft.storage.internal.StorageIdentity;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link SegmentedLogStorage#resetTo} under crashes: a crash at every file operation of a reset
 * (and then a power loss that drops, keeps or tears what was not forced) leaves exactly the old log
 * or exactly the reset one, never a mixture (old entries next to the new base, an old base with a
 * cut log); the storage is fail-stop after the crash; reopening always succeeds, also when it is
 * itself interrupted while completing a reset; and a reset that took effect stays in effect after
 * the reset segment that carried it is superseded and deleted.
 */
class ResetCrashTest {

    private static final Path LOG = Path.of("/node/log");
    private static final LogId OLD_BASE = new LogId(1, 5);
    private static final long OLD_LAST = 50;

    /** New bases: beyond the old log, inside it (with the old entry's term or another), at its last entry, at its base. */
    static List<LogId> targets() {
        return List.of(new LogId(3, 80), new LogId(2, 30), new LogId(1, 20), new LogId(2, 50), new LogId(3, 50),
                new LogId(1, 6), OLD_BASE);
    }

    @ParameterizedTest
    @MethodSource("targets")
    void aCrashAtAnyStepOfAResetLeavesTheOldLogOrTheResetOne(LogId target) throws IOException {
        for (FaultyFileIo.CrashMode mode : FaultyFileIo.CrashMode.values()) {
            for (int seed = 1; seed <= (mode == FaultyFileIo.CrashMode.RANDOM ? 5 : 1); seed++) {
                boolean sawOld = false;
                boolean sawNew = false;
                for (int step = 1; ; step++) {
                    FaultyFileIo disk = new FaultyFileIo(seed * 1000L + step);
                    SegmentedLogStorage storage = prepare(disk);
                    ModelLog old = ModelLog.readFrom(storage, OLD_BASE, new LogId(2, OLD_LAST));
                    ModelLog reset = new ModelLog(target, List.of());
                    Set<String> oldSegments = segments(disk);

                    disk.crashAtOperation(step);
                    boolean crashed = false;
                    try {
                        storage.resetTo(target);
                    } catch (FaultyFileIo.SimulatedCrash expected) {
                        crashed = true;
                        assertThatThrownBy(storage::flush).as("fail-stop").isInstanceOf(IOException.class);
                        assertThatThrownBy(() -> storage.termAt(target.index())).isInstanceOf(IOException.class);
                    }
                    disk.powerLoss(mode);
                    storage.close();

                    SegmentedLogStorage reopened = open(disk);
                    LogState state = reopened.open();
                    ModelLog recovered = ModelLog.readFrom(reopened, state.base(), state.last());
                    String where = "reset to " + target + ", crash at operation " + step + ", power loss " + mode;
                    assertThat(recovered).as(where).isIn(old, reset);
                    if (!crashed) {
                        assertThat(recovered).as("a reset is durable when it returns").isEqualTo(reset);
                    }
                    if (recovered.equals(reset)) {
                        sawNew = true;
                        assertThat(state).isEqualTo(new LogState(new Vote(3, 1), target, target));
                        if (!target.equals(OLD_BASE)) {
                            assertThat(segments(disk)).as(where + ": old segments deleted").doesNotContainAnyElementsOf(
                                    oldSegments);
                        }
                        theResetOutlivesItsSegment(disk, reopened, target, where);
                    } else {
                        sawOld = true;
                        assertThat(state.base()).isEqualTo(OLD_BASE);
                        reopened.close();
                    }
                    if (!crashed) {
                        break;
                    }
                }
                assertThat(sawNew).isTrue();
                assertThat(sawOld).isTrue();
            }
        }
    }

    /**
     * After a crash at any step of a reset, a reopen that is itself interrupted at any step (and a
     * power loss that drops what it did not force) is followed by a reopen that recovers exactly what
     * an uninterrupted reopen recovers.
     */
    @ParameterizedTest
    @MethodSource("targets")
    void aReopenInterruptedWhileCompletingAResetRecoversTheSameLog(LogId target) throws IOException {
        for (FaultyFileIo.CrashMode mode : List.of(FaultyFileIo.CrashMode.DROP, FaultyFileIo.CrashMode.KEEP)) {
            for (int step = 1; ; step++) {
                FaultyFileIo disk = crashedReset(target, step, mode);
                if (disk == null) {
                    break; // the reset completed without reaching the crash
                }
                ModelLog expected;
                try (SegmentedLogStorage clean = open(disk)) {
                    LogState state = clean.open();
                    expected = ModelLog.readFrom(clean, state.base(), state.last());
                }
                for (int openStep = 1; ; openStep++) {
                    FaultyFileIo again = crashedReset(target, step, mode);
                    SegmentedLogStorage interrupted = open(again);
                    again.crashAtOperation(openStep);
                    boolean openCrashed = false;
                    try {
                        interrupted.open();
                    } catch (FaultyFileIo.SimulatedCrash e) {
                        openCrashed = true;
                    }
                    again.powerLoss(FaultyFileIo.CrashMode.DROP);
                    interrupted.close();
                    try (SegmentedLogStorage reopened = open(again)) {
                        LogState state = reopened.open();
                        assertThat(ModelLog.readFrom(reopened, state.base(), state.last()))
                                .as("reset to %s crashed at %d (%s), reopen crashed at %d", target, step, mode, openStep)
                                .isEqualTo(expected);
                    }
                    if (!openCrashed) {
                        break;
                    }
                }
            }
        }
    }

    @Test
    void theBaseFileIsWrittenBeforeTheResetSegmentCanBeDeleted() throws IOException {
        // Crash right after the reset segment got its name, before the base file was replaced: the
        // reopen must adopt the new base and make the base file say so, because the reset segment is
        // later superseded (truncation at base + 1) and deleted like any other.
        LogId target = new LogId(2, 30);
        for (int step = 1; ; step++) {
            FaultyFileIo disk = new FaultyFileIo(step);
            SegmentedLogStorage storage = prepare(disk);
            disk.crashAtOperation(step);
            try {
                storage.resetTo(target);
            } catch (FaultyFileIo.SimulatedCrash expected) {
                // go on below
            }
            disk.powerLoss(FaultyFileIo.CrashMode.DROP);
            storage.close();
            LogId baseFile = BaseFile.read(disk, LOG, new StorageIdentity(9, 1));
            SegmentedLogStorage reopened = open(disk);
            LogState state = reopened.open();
            if (state.base().equals(target) && !baseFile.equals(target)) {
                assertThat(BaseFile.read(disk, LOG, new StorageIdentity(9, 1))).isEqualTo(target);
                theResetOutlivesItsSegment(disk, reopened, target, "crash at operation " + step);
                return; // the window exists and is covered
            }
            reopened.close();
            assertThat(step).as("no step crashed between the reset segment and the base file").isLessThan(100);
        }
    }

    @Test
    void aResetThatReturnedSurvivesAPowerLossWithoutFlush() throws IOException {
        FaultyFileIo disk = new FaultyFileIo(3);
        SegmentedLogStorage storage = prepare(disk);
        storage.append(Entries.of(51, 5, 2, 40, 3)); // never flushed: dropped by the reset anyway
        storage.resetTo(new LogId(3, 70));
        disk.powerLoss(FaultyFileIo.CrashMode.DROP);
        storage.close();
        try (SegmentedLogStorage reopened = open(disk)) {
            assertThat(reopened.open()).isEqualTo(new LogState(new Vote(3, 1), new LogId(3, 70), new LogId(3, 70)));
        }
    }

    /**
     * Appends past the reset segment (it is sealed, a newer one created), truncates everything after
     * the base (a new segment at base + 1 supersedes the reset segment, which is deleted), appends
     * one entry and flushes: after a power loss the log is the new base and that entry.
     */
    private static void theResetOutlivesItsSegment(FaultyFileIo disk, SegmentedLogStorage storage, LogId base,
            String where) throws IOException {
        storage.append(Entries.of(base.index() + 1, 30, 3, 40, 7));
        storage.flush();
        storage.truncateSuffix(base.index() + 1);
        storage.append(Entries.of(base.index() + 1, 1, 3, 40, 8));
        storage.flush();
        disk.powerLoss(FaultyFileIo.CrashMode.DROP);
        storage.close();
        try (SegmentedLogStorage reopened = open(disk)) {
            LogState state = reopened.open();
            assertThat(state).as(where).isEqualTo(new LogState(new Vote(3, 1), base, new LogId(3, base.index() + 1)));
            assertThat(Entries.tagAt(reopened.read(base.index() + 1, 10, Integer.MAX_VALUE), 0)).isEqualTo(8);
        }
    }

    /** A disk on which a reset to {@code target} crashed at {@code step}, then lost power; null if it did not crash. */
    private static FaultyFileIo crashedReset(LogId target, int step, FaultyFileIo.CrashMode mode) throws IOException {
        FaultyFileIo disk = new FaultyFileIo(step);
        SegmentedLogStorage storage = prepare(disk);
        disk.crashAtOperation(step);
        try {
            storage.resetTo(target);
        } catch (FaultyFileIo.SimulatedCrash expected) {
            disk.powerLoss(mode);
            storage.close();
            return disk;
        }
        storage.close();
        return null;
    }

    /** An open storage holding base (1, 5) and entries 6..50 (term 1 up to 40, then term 2) over several segments, all durable. */
    private static SegmentedLogStorage prepare(FaultyFileIo disk) throws IOException {
        SegmentedLogStorage storage = open(disk);
        storage.open();
        storage.saveVote(new Vote(3, 1));
        storage.append(Entries.of(1, 40, 1, 40, 1));
        storage.flush();
        storage.append(Entries.of(41, 10, 2, 40, 2));
        storage.flush();
        storage.purgePrefix(OLD_BASE.index());
        assertThat(segments(disk)).hasSizeGreaterThan(2);
        return storage;
    }

    private static SegmentedLogStorage open(FaultyFileIo disk) {
        return SegmentedLogStorage.builder(LOG).nodeId(1).clusterId(9).segmentBytes(1024).fileIo(disk).build();
    }

    private static Set<String> segments(FaultyFileIo disk) throws IOException {
        return disk.list(LOG).stream().filter(name -> SegmentName.parse(name) != null).collect(Collectors.toSet());
    }
}
