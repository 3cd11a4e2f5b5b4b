package io.ringraft.storage.wal;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringraft.api.EntryKind;
import io.ringraft.api.LogId;
import io.ringraft.api.Vote;
import io.ringraft.message.HeapLogEntries;
import io.ringraft.spi.LogStorage;
import io.ringraft.storage.internal.FaultyFileIo;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The writer's staging buffer: a round of appends to many groups followed by their flushes costs one
 * write and one {@code fdatasync}; a staged entry is readable; a process crash loses what was staged
 * (never anything flushed) unless {@code writeThrough} is on, which loses nothing.
 */
class StagingTest {

    private static final Path DIR = Path.of("/wal");
    private static final int GROUPS = 64;

    private static HeapLogEntries entries(long first, int count, String tag) {
        HeapLogEntries.Builder builder = HeapLogEntries.builder(first);
        for (int i = 0; i < count; i++) {
            builder.add(1, EntryKind.COMMAND, (tag + (first + i)).getBytes());
        }
        return builder.build();
    }

    private static SharedLog.Builder onDisk(FaultyFileIo disk) {
        return SharedLog.builder(DIR).nodeId(1).backgroundMaintenance(false).fileIo(disk);
    }

    private static LogStorage[] openGroups(SharedLog log) throws IOException {
        LogStorage[] storages = new LogStorage[GROUPS];
        for (int g = 0; g < GROUPS; g++) {
            storages[g] = log.storageFor(g + 1);
            storages[g].open();
            storages[g].saveVote(new Vote(1, 1));
        }
        return storages;
    }

    @Test
    void aRoundOfAppendsToManyGroupsThenTheirFlushesCostsOneWriteAndOneForce() throws IOException {
        FaultyFileIo disk = new FaultyFileIo(1);
        try (SharedLog log = onDisk(disk).build()) {
            LogStorage[] storages = openGroups(log);
            for (int round = 0; round < 3; round++) {
                long operations = disk.operations();
                long forces = log.flushForces();
                for (int g = 0; g < GROUPS; g++) {
                    storages[g].append(entries(round * 2L + 1, 2, "g" + g + "-"));
                }
                assertThat(disk.operations()).as("appends only stage").isEqualTo(operations);
                for (LogStorage storage : storages) {
                    storage.flush();
                }
                assertThat(disk.operations() - operations).as("one write and one force").isEqualTo(2);
                assertThat(log.flushForces() - forces).isEqualTo(1);
            }
            disk.powerLoss(FaultyFileIo.CrashMode.DROP);
        }
        try (SharedLog log = onDisk(disk).build()) {
            for (int g = 0; g < GROUPS; g++) {
                LogStorage storage = log.storageFor(g + 1);
                assertThat(storage.open().last()).isEqualTo(new LogId(1, 6));
                assertThat(HeapLogEntries.copyOf(storage.read(1, 10, 10_000))).isEqualTo(entries(1, 6, "g" + g + "-"));
            }
        }
    }

    @Test
    void aStagedEntryIsReadableAtOnce() throws IOException {
        FaultyFileIo disk = new FaultyFileIo(2);
        try (SharedLog log = onDisk(disk).build()) {
            LogStorage[] storages = openGroups(log);
            storages[0].append(entries(1, 3, "a"));
            storages[1].append(entries(1, 2, "b"));
            long operations = disk.operations();
            assertThat(HeapLogEntries.copyOf(storages[0].read(1, 10, 10_000))).isEqualTo(entries(1, 3, "a"));
            assertThat(disk.operations() - operations).as("the staging buffer written out for the read").isEqualTo(1);
            storages[0].append(entries(4, 1, "a"));
            assertThat(HeapLogEntries.copyOf(storages[0].read(2, 10, 10_000))).isEqualTo(entries(2, 3, "a"));
            assertThat(HeapLogEntries.copyOf(storages[1].read(1, 10, 10_000))).isEqualTo(entries(1, 2, "b"));
        }
    }

    @Test
    void aProcessCrashLosesWhatWasStagedButNothingFlushed() throws IOException {
        FaultyFileIo disk = new FaultyFileIo(3);
        try (SharedLog log = onDisk(disk).build()) {
            LogStorage[] storages = openGroups(log);
            storages[0].append(entries(1, 2, "a"));
            storages[0].flush();
            storages[0].append(entries(3, 2, "a")); // staged only
            disk.processCrash();
        }
        try (SharedLog log = onDisk(disk).build()) {
            LogStorage a = log.storageFor(1);
            assertThat(a.open().last()).isEqualTo(new LogId(1, 2));
            assertThat(HeapLogEntries.copyOf(a.read(1, 10, 10_000))).isEqualTo(entries(1, 2, "a"));
        }
    }

    @Test
    void withWriteThroughAProcessCrashLosesNothing() throws IOException {
        FaultyFileIo disk = new FaultyFileIo(4);
        try (SharedLog log = onDisk(disk).writeThrough(true).build()) {
            LogStorage[] storages = openGroups(log);
            storages[0].append(entries(1, 2, "a"));
            storages[0].flush();
            long operations = disk.operations();
            storages[0].append(entries(3, 2, "a"));
            assertThat(disk.operations() - operations).as("written before append returned").isEqualTo(1);
            disk.processCrash();
        }
        try (SharedLog log = onDisk(disk).writeThrough(true).build()) {
            LogStorage a = log.storageFor(1);
            assertThat(a.open().last()).isEqualTo(new LogId(1, 4));
            assertThat(HeapLogEntries.copyOf(a.read(1, 10, 10_000))).isEqualTo(entries(1, 4, "a"));
        }
    }
}
