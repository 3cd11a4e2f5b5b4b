package io.ringraft.storage;

import io.ringraft.spi.LogStorage;
import io.ringraft.storage.conformance.LogStorageConformanceTest;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/**
 * The conformance suite on real files with the smallest segments and no preallocation: nearly every
 * entry rolls to a new segment, so every truncation and purge crosses segment boundaries.
 */
class TinySegmentsConformanceTest extends LogStorageConformanceTest {

    @TempDir
    Path dir;

    @Override
    protected LogStorage newStorage() {
        return SegmentedLogStorage.builder(dir).nodeId(1).segmentBytes(SegmentedLogStorage.MIN_SEGMENT_BYTES)
                .preallocate(false).build();
    }

    @Override
    protected LogStorage reopen(LogStorage old) throws Exception {
        old.close();
        return newStorage();
    }
}
