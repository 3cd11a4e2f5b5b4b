package io.ringraft.storage.wal;

import io.ringraft.spi.LogStorage;
import io.ringraft.storage.conformance.LogStorageConformanceTest;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * One group of a {@link SharedLog} on real files (1 MiB files) against the shared conformance suite,
 * with a neighbour group appending before each of its changes ({@link Interleaved}).
 */
class SharedLogConformanceTest extends LogStorageConformanceTest {

    @TempDir
    Path dir;

    private SharedLog log;

    @Override
    protected LogStorage newStorage() {
        log = SharedLog.builder(dir).nodeId(1).fileBytes(1 << 20).build();
        return new Interleaved(log, 7, 8, false);
    }

    @Override
    protected LogStorage reopen(LogStorage old) throws Exception {
        old.close();
        log.close();
        return newStorage();
    }

    @AfterEach
    void closeLog() throws Exception {
        log.close();
    }
}
