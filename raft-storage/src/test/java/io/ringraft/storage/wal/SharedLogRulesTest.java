package io.ringraft.storage.wal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringraft.api.EntryKind;
import io.ringraft.api.LogId;
import io.ringraft.api.Vote;
import io.ringraft.message.HeapLogEntries;
import io.ringraft.spi.LogEntries;
import io.ringraft.spi.LogState;
import io.ringraft.spi.LogStorage;
import io.ringraft.storage.CorruptStorageException;
import io.ringraft.storage.IncompatibleStorageException;
import io.ringraft.storage.internal.FaultyFileIo;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The rules the shared log shares with the segmented log: fail-stop, identity, versions, corruption, torn tails. */
class SharedLogRulesTest {

    private static final Path DIR = Path.of("/wal");

    @TempDir
    Path tmp;

    private static HeapLogEntries entries(long first, int count, long term, String tag) {
        HeapLogEntries.Builder builder = HeapLogEntries.builder(first);
        for (int i = 0; i < count; i++) {
            builder.add(term, EntryKind.COMMAND, (tag + (first + i)).getBytes());
        }
        return builder.build();
    }

    private static SharedLog.Builder onDisk(FaultyFileIo disk) {
        return SharedLog.builder(DIR).nodeId(1).fileBytes(4096).backgroundMaintenance(false).fileIo(disk);
    }

    private static LogStorage opened(SharedLog log, long group) throws IOException {
        LogStorage storage = log.storageFor(group);
        storage.open();
        return storage;
    }

    @Test
    void aFailedFsyncStopsEveryGroup() throws IOException {
        FaultyFileIo disk = new FaultyFileIo(1);
        try (SharedLog log = onDisk(disk).build()) {
            LogStorage a = opened(log, 1);
            LogStorage b = opened(log, 2);
            a.saveVote(new Vote(1, 1));
            b.saveVote(new Vote(1, 1));
            b.append(entries(1, 2, 1, "b"));
            b.flush();
            disk.failForces(true);
            a.append(entries(1, 3, 1, "a"));
            assertThatThrownBy(a::flush).isInstanceOf(IOException.class);
            disk.failForces(false);
            assertThatThrownBy(() -> b.append(entries(3, 1, 1, "b"))).isInstanceOf(IOException.class)
                    .hasMessageContaining("failed earlier and stopped");
            assertThatThrownBy(b::flush).isInstanceOf(IOException.class).hasMessageContaining("failed earlier");
            assertThatThrownBy(() -> b.read(1, 10, 1000)).isInstanceOf(IOException.class);
            assertThatThrownBy(() -> b.saveVote(new Vote(2, 1))).isInstanceOf(IOException.class);
            assertThatThrownBy(() -> opened(log, 3)).isInstanceOf(IOException.class);
        }
        try (SharedLog log = onDisk(disk).build()) { // a restart recovers what the disk holds
            LogStorage b = log.storageFor(2);
            assertThat(b.open().last()).isEqualTo(new LogId(1, 2));
        }
    }

    @Test
    void anotherClusterOrNodeIsRefusedAndNothingChanges() throws IOException {
        FaultyFileIo disk = new FaultyFileIo(2);
        try (SharedLog log = onDisk(disk).clusterId(7).nodeId(3).build()) {
            opened(log, 1).saveVote(new Vote(1, 1));
        }
        assertThatThrownBy(() -> onDisk(disk).clusterId(8).nodeId(3).build().open())
                .isInstanceOf(IncompatibleStorageException.class).hasMessageContaining("cluster 7 node 3");
        assertThatThrownBy(() -> onDisk(disk).clusterId(7).nodeId(4).build().open())
                .isInstanceOf(IncompatibleStorageException.class).hasMessageContaining("wal-");
        try (SharedLog log = onDisk(disk).clusterId(7).nodeId(3).build()) {
            assertThat(log.storageFor(1).open().vote()).isEqualTo(new Vote(1, 1));
        }
    }

    @Test
    void aNewerFormatOrUnknownFlagsAreRefused() throws IOException {
        FaultyFileIo disk = new FaultyFileIo(3);
        try (SharedLog log = onDisk(disk).build()) {
            opened(log, 1).saveVote(new Vote(1, 1));
        }
        Path file = DIR.resolve(WalFile.name(1));
        disk.flipBits(file, 5, 0x01); // version 2 -> 3
        assertThatThrownBy(() -> onDisk(disk).build().open()).isInstanceOf(IncompatibleStorageException.class)
                .hasMessageContaining("format version 3");
        disk.flipBits(file, 5, 0x01);
        byte[] content = disk.content(file);
        ByteBuffer header = ByteBuffer.wrap(content);
        header.putShort(6, (short) 0x0004); // a flag nobody knows, with a valid CRC
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(content, 0, WalFile.HEADER_BYTES - 4);
        header.putInt(WalFile.HEADER_BYTES - 4, (int) crc.getValue());
        disk.setDurableContent(file, content);
        assertThatThrownBy(() -> onDisk(disk).build().open()).isInstanceOf(IncompatibleStorageException.class)
                .hasMessageContaining("flags 0x4");
    }

    @Test
    void theDirectoryIsLockedAndAGroupOpensOnce() throws IOException {
        try (SharedLog log = SharedLog.builder(tmp).nodeId(1).fileBytes(64 * 1024).build()) {
            LogStorage first = opened(log, 9);
            assertThatThrownBy(() -> opened(log, 9)).isInstanceOf(IllegalStateException.class);
            assertThatThrownBy(() -> SharedLog.builder(tmp).nodeId(1).build().open()).isInstanceOf(IOException.class)
                    .hasMessageContaining("in use");
            first.close();
            opened(log, 9); // released by close
        }
    }

    @Test
    void damageToDurableRecordsIsReportedWithFileAndOffset() throws IOException {
        FaultyFileIo disk = new FaultyFileIo(4);
        try (SharedLog log = onDisk(disk).build()) {
            LogStorage a = opened(log, 1);
            LogStorage b = opened(log, 2);
            a.saveVote(new Vote(1, 1));
            b.saveVote(new Vote(1, 1));
            a.append(entries(1, 3, 1, "a"));
            a.flush();
            b.append(entries(1, 3, 1, "b")); // written after a's records were forced: proof they were durable
            b.flush();
        }
        Path file = DIR.resolve(WalFile.name(1));
        long firstEntry = WalFile.HEADER_BYTES + 2L * WalRecord.HEADER_BYTES; // after the two votes
        disk.flipBits(file, firstEntry + WalRecord.HEADER_BYTES, 0x01); // a's first payload byte
        assertThatThrownBy(() -> onDisk(disk).build().open()).isInstanceOf(CorruptStorageException.class)
                .hasMessageContaining(file.toString()).hasMessageContaining("offset " + firstEntry)
                .satisfies(e -> assertThat(((CorruptStorageException) e).offset()).isEqualTo(firstEntry));
    }

    @Test
    void aTornTailIsCutAndTheStreamGoesOnInANewFile() throws IOException {
        long tailEnd;
        try (SharedLog log = SharedLog.builder(tmp).nodeId(1).fileBytes(64 * 1024).backgroundMaintenance(false).build()) {
            LogStorage a = opened(log, 1);
            a.saveVote(new Vote(1, 1));
            a.append(entries(1, 3, 1, "a"));
            a.flush();
            tailEnd = Lsn.offset(log.writer().writtenLsn());
        }
        try (FileChannel file = FileChannel.open(tmp.resolve(WalFile.name(1)), StandardOpenOption.WRITE)) {
            file.write(ByteBuffer.wrap(new byte[] {0, 0, 0, 9, 1, 2, 3, 4, 5, 6, 7, 8, 9}), tailEnd);
        }
        try (SharedLog log = SharedLog.builder(tmp).nodeId(1).fileBytes(64 * 1024).backgroundMaintenance(false).build()) {
            LogStorage a = opened(log, 1);
            assertThat(a.read(1, 10, 1000).count()).isEqualTo(3);
            assertThat(log.openFiles()).isEqualTo(2);
            a.append(entries(4, 1, 1, "a"));
            a.flush();
        }
        try (SharedLog log = SharedLog.builder(tmp).nodeId(1).fileBytes(64 * 1024).backgroundMaintenance(false).build()) {
            LogStorage a = opened(log, 1);
            LogEntries all = a.read(1, 10, 1000);
            assertThat(all.count()).isEqualTo(4);
        }
    }

    @Test
    void aLostUnflushedWriteOfOneGroupLeavesAnotherGroupsFlushedEntries() throws IOException {
        FaultyFileIo disk = new FaultyFileIo(5);
        try (SharedLog log = onDisk(disk).build()) {
            LogStorage a = opened(log, 1);
            LogStorage b = opened(log, 2);
            a.saveVote(new Vote(1, 1));
            b.saveVote(new Vote(1, 1));
            b.append(entries(1, 2, 1, "b"));
            b.flush();
            a.append(entries(1, 5, 1, "a")); // never flushed: torn by the power loss
            disk.powerLoss(FaultyFileIo.CrashMode.RANDOM);
        }
        try (SharedLog log = onDisk(disk).build()) {
            LogStorage b = log.storageFor(2);
            assertThat(b.open()).isEqualTo(new LogState(new Vote(1, 1), LogId.ZERO, new LogId(1, 2)));
            assertThat(HeapLogEntries.copyOf(b.read(1, 10, 1000))).isEqualTo(entries(1, 2, 1, "b"));
            LogState a = log.storageFor(1).open();
            assertThat(a.last().index()).isBetween(0L, 5L);
        }
    }
}
