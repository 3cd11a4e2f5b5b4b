package io.ringraft.storage;

import io.ringraft.spi.LogStorage;
import io.ringraft.storage.conformance.LogStorageConformanceTest;
import io.ringraft.storage.internal.FaultyFileIo;
import java.nio.file.Path;

/**
 * The conformance suite on the fault-injecting file layer, where every reopen follows a power loss
 * that drops every write that was not forced: what the suite expects to survive a reopen (the vote
 * and flushed changes) must really be on the simulated disk.
 */
class PowerLossConformanceTest extends LogStorageConformanceTest {

    private final FaultyFileIo disk = new FaultyFileIo(1);

    @Override
    protected LogStorage newStorage() {
        return SegmentedLogStorage.builder(Path.of("/log")).nodeId(1).segmentBytes(1024).fileIo(disk).build();
    }

    @Override
    protected LogStorage reopen(LogStorage old) throws Exception {
        disk.powerLoss(FaultyFileIo.CrashMode.DROP);
        old.close();
        return newStorage();
    }
}
