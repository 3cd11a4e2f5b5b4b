package io.ringraft.storage.wal;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringraft.api.EntryKind;
import io.ringraft.api.Vote;
import io.ringraft.message.HeapLogEntries;
import io.ringraft.spi.LogStorage;
import io.ringraft.storage.internal.FaultyFileIo;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Space reclamation and checkpoints: a lagging group's few live entries are moved forward so that the
 * files behind it are deleted; the number of open files does not depend on the number of groups; and
 * recovery after a checkpoint reads only the headers of the files before it.
 */
class ReclamationTest {

    private static final Path DIR = Path.of("/wal");

    private static HeapLogEntries entries(long first, int count, String tag) {
        HeapLogEntries.Builder builder = HeapLogEntries.builder(first);
        for (int i = 0; i < count; i++) {
            builder.add(1, EntryKind.COMMAND, (tag + "-" + (first + i) + "-0123456789012345678901234567890123456789")
                    .getBytes());
        }
        return builder.build();
    }

    private static SharedLog.Builder builder(FaultyFileIo disk) {
        return SharedLog.builder(DIR).nodeId(1).fileBytes(4096).checkpointEveryFiles(1).backgroundMaintenance(false).fileIo(disk);
    }

    @Test
    void aLaggingGroupDoesNotPinTheLog() throws IOException {
        FaultyFileIo disk = new FaultyFileIo(11);
        try (SharedLog log = builder(disk).build()) {
            LogStorage lagging = log.storageFor(1);
            LogStorage busy = log.storageFor(2);
            lagging.open();
            busy.open();
            lagging.saveVote(new Vote(1, 1));
            busy.saveVote(new Vote(1, 1));
            lagging.append(entries(1, 3, "lag"));
            lagging.flush();
            long next = 1;
            int mostFiles = 0;
            for (int round = 0; round < 60; round++) {
                busy.append(entries(next, 10, "busy"));
                next += 10;
                busy.flush();
                busy.purgePrefix(next - 3); // the busy group keeps only its last 2 entries
                log.maintainNow();
                mostFiles = Math.max(mostFiles, log.openFiles());
            }
            assertThat(Lsn.seq(log.writer().writtenLsn())).as("files the stream went through").isGreaterThan(10);
            assertThat(mostFiles).as("files open at most").isLessThanOrEqualTo(4);
            assertThat(HeapLogEntries.copyOf(lagging.read(1, 10, 10_000))).isEqualTo(entries(1, 3, "lag"));
            busy.flush();
            disk.powerLoss(FaultyFileIo.CrashMode.DROP);
        }
        try (SharedLog log = builder(disk).build()) {
            LogStorage lagging = log.storageFor(1);
            assertThat(lagging.open().last().index()).isEqualTo(3);
            assertThat(HeapLogEntries.copyOf(lagging.read(1, 10, 10_000))).isEqualTo(entries(1, 3, "lag"));
            LogStorage busy = log.storageFor(2);
            assertThat(busy.open().last().index()).isEqualTo(600);
            assertThat(HeapLogEntries.copyOf(busy.read(599, 10, 10_000))).isEqualTo(entries(599, 2, "busy"));
        }
    }

    @Test
    void openFilesDoNotDependOnTheNumberOfGroups() throws IOException {
        int[] files = new int[2];
        int[] groupCounts = {1, 500};
        for (int run = 0; run < 2; run++) {
            FaultyFileIo disk = new FaultyFileIo(12);
            try (SharedLog log = SharedLog.builder(DIR).nodeId(1).fileBytes(1 << 20).backgroundMaintenance(false).fileIo(disk)
                    .build()) {
                int groups = groupCounts[run];
                LogStorage[] storages = new LogStorage[groups];
                for (int g = 0; g < groups; g++) {
                    storages[g] = log.storageFor(g);
                    storages[g].open();
                    storages[g].saveVote(new Vote(1, 1));
                }
                for (int i = 0; i < 1000; i++) {
                    LogStorage storage = storages[i % groups];
                    storage.append(entries(i / groups + 1, 1, "e"));
                }
                files[run] = log.openFiles();
            }
        }
        assertThat(files[1]).isEqualTo(files[0]);
    }

    @Test
    void recoveryAfterACheckpointReadsOnlyTheHeadersOfOlderFiles() throws IOException {
        FaultyFileIo disk = new FaultyFileIo(13);
        long checkpointSeq;
        try (SharedLog log = builder(disk).checkpointEveryFiles(1000).build()) {
            LogStorage a = log.storageFor(1);
            LogStorage b = log.storageFor(2);
            a.open();
            b.open();
            a.saveVote(new Vote(1, 1));
            b.saveVote(new Vote(1, 1));
            for (int i = 0; i < 40; i++) {
                a.append(entries(i * 5L + 1, 5, "a"));
                b.append(entries(i * 5L + 1, 5, "b"));
            }
            log.checkpointNow();
            checkpointSeq = Lsn.seq(log.writer().writtenLsn());
            a.append(entries(201, 5, "a"));
            a.flush();
        }
        assertThat(checkpointSeq).isGreaterThan(5);
        disk.resetReadCounts();
        try (SharedLog log = builder(disk).build()) {
            LogStorage a = log.storageFor(1);
            assertThat(a.open().last().index()).isEqualTo(205);
            for (long seq = 1; seq < checkpointSeq; seq++) {
                assertThat(disk.bytesRead(DIR.resolve(WalFile.name(seq)))).as("bytes read of file %d", seq)
                        .isLessThanOrEqualTo(2L * WalFile.HEADER_BYTES);
            }
            assertThat(HeapLogEntries.copyOf(a.read(1, 1000, 1 << 20))).isEqualTo(concat(a));
        }
    }

    private static HeapLogEntries concat(LogStorage unused) {
        return entries(1, 205, "a");
    }
}
