package io.ringraft.storage;

import io.ringraft.spi.LogStorage;
import io.ringraft.storage.conformance.LogStorageConformanceTest;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** {@link SegmentedLogStorage} on real files (preallocated 1 MiB segments) against the shared conformance suite. */
class SegmentedLogStorageConformanceTest extends LogStorageConformanceTest {

    @TempDir
    Path dir;

    @Override
    protected LogStorage newStorage() {
        return SegmentedLogStorage.builder(dir).nodeId(1).segmentBytes(1 << 20).build();
    }

    @Override
    protected LogStorage reopen(LogStorage old) throws Exception {
        old.close();
        return newStorage();
    }
}
