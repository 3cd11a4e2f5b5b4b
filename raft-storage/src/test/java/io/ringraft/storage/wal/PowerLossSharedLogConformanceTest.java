package io.ringraft.storage.wal;

import io.ringraft.spi.LogStorage;
import io.ringraft.storage.conformance.LogStorageConformanceTest;
import io.ringraft.storage.internal.FaultyFileIo;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;

/**
 * The conformance suite for one group of a {@link SharedLog} on the fault-injecting file layer,
 * where every reopen follows a power loss that drops every write that was not forced; tiny files
 * (1 KiB) so that the stream rolls every few records, and a checkpoint and a reclamation round after
 * every flush, so that recovery starts from checkpoints and entries get moved forward. A neighbour
 * group appends before each change ({@link Interleaved}).
 */
class PowerLossSharedLogConformanceTest extends LogStorageConformanceTest {

    private final FaultyFileIo disk = new FaultyFileIo(1);
    private SharedLog log;

    @Override
    protected LogStorage newStorage() {
        log = SharedLog.builder(Path.of("/wal")).nodeId(1).fileBytes(2048).checkpointEveryFiles(1)
                .backgroundMaintenance(false).fileIo(disk).build();
        return new Interleaved(log, 3, 4, true);
    }

    @Override
    protected LogStorage reopen(LogStorage old) throws Exception {
        disk.powerLoss(FaultyFileIo.CrashMode.DROP);
        old.close();
        log.close();
        return newStorage();
    }

    @AfterEach
    void closeLog() throws Exception {
        log.close();
    }
}
