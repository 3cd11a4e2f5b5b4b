package io.ringraft.storage.wal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringraft.api.EntryKind;
import io.ringraft.api.LogId;
import io.ringraft.api.Vote;
import io.ringraft.message.HeapLogEntries;
import io.ringraft.spi.LogState;
import io.ringraft.spi.LogStorage;
import io.ringraft.storage.IncompatibleStorageException;
import io.ringraft.storage.internal.FaultyFileIo;
import io.ringraft.storage.internal.FileHeader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Deleting one group's data from the shared log: one delete record, made durable, rewriting nothing;
 * the group is gone from {@code groups()} now and after a restart (also a power loss right after the
 * delete), reopens empty, and its files are reclaimed as usual; a crash during the delete leaves the
 * group whole or gone, the other groups untouched. The delete record needs format version 2: version 1
 * files are read and the stream goes on in a version 2 file; version 3 files are refused.
 */
class DeleteGroupTest {

    private static final Path DIR = Path.of("/wal");
    private static final LogState EMPTY = new LogState(Vote.INITIAL, LogId.ZERO, LogId.ZERO);

    private static HeapLogEntries entries(long first, int count, String tag) {
        HeapLogEntries.Builder builder = HeapLogEntries.builder(first);
        for (int i = 0; i < count; i++) {
            builder.add(1, EntryKind.COMMAND, (tag + "-" + (first + i) + "-0123456789012345678901234567890123456789")
                    .getBytes());
        }
        return builder.build();
    }

    private static SharedLog.Builder builder(FaultyFileIo disk) {
        return SharedLog.builder(DIR).nodeId(1).fileBytes(4096).checkpointEveryFiles(1).backgroundMaintenance(false)
                .fileIo(disk);
    }

    /** Group 1 with entries 1..5 (closed again), group 2 with entries 1..3 (left open), both flushed. */
    private static LogStorage twoGroups(SharedLog log) throws IOException {
        LogStorage a = log.storageFor(1);
        LogStorage b = log.storageFor(2);
        a.open();
        b.open();
        a.saveVote(new Vote(1, 1));
        b.saveVote(new Vote(1, 2));
        a.append(entries(1, 5, "a"));
        b.append(entries(1, 3, "b"));
        b.flush();
        a.close();
        return b;
    }

    private static void assertGroupTwoIntact(SharedLog log) throws IOException {
        LogStorage b = log.storageFor(2);
        assertThat(b.open()).isEqualTo(new LogState(new Vote(1, 2), LogId.ZERO, new LogId(1, 3)));
        assertThat(HeapLogEntries.copyOf(b.read(1, 10, 10_000))).isEqualTo(entries(1, 3, "b"));
        b.close();
    }

    @Test
    void aDeletedGroupIsGoneNowAndAfterAPowerLossRightAfterTheDelete() throws IOException {
        FaultyFileIo disk = new FaultyFileIo(21);
        try (SharedLog log = builder(disk).build()) {
            twoGroups(log).close();
            assertThat(log.groups()).containsExactly(1L, 2L);
            long operations = disk.operations();
            log.asFactory().delete(1);
            assertThat(disk.operations() - operations).as("one write and one force, nothing rewritten").isEqualTo(2);
            assertThat(log.groups()).containsExactly(2L);
            LogStorage again = log.storageFor(1);
            assertThat(again.open()).isEqualTo(EMPTY);
            again.close();
            assertGroupTwoIntact(log);
            disk.powerLoss(FaultyFileIo.CrashMode.DROP);
        }
        try (SharedLog log = builder(disk).build()) {
            assertThat(log.groups()).containsExactly(2L);
            assertThat(log.asFactory().groupsFound()).containsExactly(2L);
            LogStorage a = log.storageFor(1);
            assertThat(a.open()).isEqualTo(EMPTY);
            a.saveVote(new Vote(1, 3)); // created again: starts from nothing
            a.append(entries(1, 2, "new"));
            a.flush();
            a.close();
            assertGroupTwoIntact(log);
        }
        try (SharedLog log = builder(disk).build()) {
            assertThat(log.groups()).containsExactly(1L, 2L);
            LogStorage a = log.storageFor(1);
            assertThat(a.open()).isEqualTo(new LogState(new Vote(1, 3), LogId.ZERO, new LogId(1, 2)));
            assertThat(HeapLogEntries.copyOf(a.read(1, 10, 10_000))).isEqualTo(entries(1, 2, "new"));
        }
    }

    @Test
    void aCrashDuringTheDeleteLeavesTheGroupWholeOrGone() throws IOException {
        boolean[] seen = new boolean[2];
        for (int crashAt = 1; crashAt <= 3; crashAt++) {
            for (FaultyFileIo.CrashMode mode : FaultyFileIo.CrashMode.values()) {
                FaultyFileIo disk = new FaultyFileIo(22 + crashAt);
                try (SharedLog log = builder(disk).build()) {
                    LogStorage b = twoGroups(log);
                    disk.crashAtOperation(crashAt);
                    try {
                        log.deleteGroup(1);
                    } catch (IOException e) {
                        assertThatThrownBy(b::flush).as("fail-stop").isInstanceOf(IOException.class);
                    }
                    disk.powerLoss(mode);
                }
                try (SharedLog log = builder(disk).build()) {
                    LogStorage a = log.storageFor(1);
                    LogState state = a.open();
                    if (state.equals(EMPTY)) {
                        assertThat(log.groups()).containsExactly(2L);
                        seen[0] = true;
                    } else {
                        assertThat(state).isEqualTo(new LogState(new Vote(1, 1), LogId.ZERO, new LogId(1, 5)));
                        assertThat(HeapLogEntries.copyOf(a.read(1, 10, 10_000))).isEqualTo(entries(1, 5, "a"));
                        assertThat(log.groups()).containsExactly(1L, 2L);
                        seen[1] = true;
                    }
                    a.close();
                    assertGroupTwoIntact(log);
                }
            }
        }
        assertThat(seen).as("both outcomes happen: gone (crash after the force), whole (crash at the write)")
                .containsExactly(true, true);
    }

    @Test
    void theDeletedGroupsFilesAreReclaimed() throws IOException {
        FaultyFileIo disk = new FaultyFileIo(31);
        try (SharedLog log = builder(disk).build()) {
            LogStorage a = log.storageFor(1);
            LogStorage b = log.storageFor(2);
            a.open();
            b.open();
            a.saveVote(new Vote(1, 1));
            b.saveVote(new Vote(1, 1));
            a.append(entries(1, 800, "a")); // about 20 files of only group 1's entries, all live
            a.flush();
            a.close();
            log.maintainNow();
            assertThat(log.openFiles()).as("group 1's live entries pin its files").isGreaterThan(10);
            log.deleteGroup(1);
            long next = 1;
            for (int round = 0; round < 10; round++) {
                b.append(entries(next, 10, "b"));
                next += 10;
                b.flush();
                b.purgePrefix(next - 3);
                log.maintainNow();
            }
            assertThat(log.openFiles()).as("files left once group 1 is deleted").isLessThanOrEqualTo(4);
            b.flush();
        }
        try (SharedLog log = builder(disk).build()) {
            assertThat(log.groups()).containsExactly(2L);
            assertThat(log.storageFor(1).open()).isEqualTo(EMPTY);
        }
    }

    @Test
    void anOpenGroupIsNotDeletedAndAnUnknownOneIsNothingToDo() throws IOException {
        FaultyFileIo disk = new FaultyFileIo(41);
        try (SharedLog log = builder(disk).build()) {
            LogStorage b = twoGroups(log);
            assertThatThrownBy(() -> log.deleteGroup(2)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("close its storage");
            long operations = disk.operations();
            log.deleteGroup(77);
            assertThat(disk.operations()).isEqualTo(operations);
            assertThat(log.groups()).containsExactly(1L, 2L);
            b.close();
        }
    }

    @Test
    void aVersionOneFileIsReadAndTheStreamGoesOnInAVersionTwoFile() throws IOException {
        FaultyFileIo disk = new FaultyFileIo(51);
        try (SharedLog log = builder(disk).build()) {
            twoGroups(log).close();
        }
        Path first = DIR.resolve(WalFile.name(1));
        setVersion(disk, first, (short) 1);
        try (SharedLog log = builder(disk).build()) {
            log.open();
            assertThat(log.openFiles()).as("the version 1 file is sealed, a version 2 file follows").isEqualTo(2);
            assertGroupTwoIntact(log);
            log.deleteGroup(1);
        }
        try (SharedLog log = builder(disk).build()) {
            assertThat(log.groups()).containsExactly(2L);
            assertGroupTwoIntact(log);
        }
        setVersion(disk, first, (short) 3);
        assertThatThrownBy(() -> builder(disk).build().open()).isInstanceOf(IncompatibleStorageException.class)
                .hasMessageContaining("format version 3");
    }

    /** Rewrites the format version in a WAL file's header, with a valid header CRC. */
    private static void setVersion(FaultyFileIo disk, Path file, short version) {
        byte[] content = disk.content(file);
        ByteBuffer header = ByteBuffer.wrap(content);
        header.putShort(4, version);
        FileHeader.writeCrc(header, WalFile.HEADER_BYTES);
        disk.setDurableContent(file, content);
    }
}
