package io.ringraft.storage;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringraft.api.LogId;
import io.ringraft.api.Vote;
import io.ringraft.storage.internal.FaultyFileIo;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Opening a large log costs time proportional to its tail: older segments contribute their header
 * and seal (a few hundred bytes each), only the newest segment is read in full, {@code termAt} needs
 * no IO at all, and a read touches only the segments it reads from.
 */
class OpenCostTest {

    private static final Path DIR = Path.of("/log");

    @Test
    void openReadsHeadersAndSealsOfOlderSegmentsAndTheNewestInFull() throws IOException {
        FaultyFileIo disk = new FaultyFileIo(1);
        try (SegmentedLogStorage storage = storage(disk)) {
            storage.open();
            storage.saveVote(new Vote(4, 1));
            long index = 1;
            for (long term = 1; term <= 4; term++) { // a few term changes, so seals carry several runs
                storage.append(Entries.of(index, 100, term, 100, (int) term));
                index += 100;
            }
            storage.flush();
        }
        List<String> segments = disk.list(DIR).stream().filter(n -> n.startsWith("segment-")).sorted().toList();
        assertThat(segments).hasSizeGreaterThan(40);

        disk.resetReadCounts();
        try (SegmentedLogStorage storage = storage(disk)) {
            assertThat(storage.open().last()).isEqualTo(new LogId(4, 400));
            for (String name : segments.subList(0, segments.size() - 1)) {
                assertThat(disk.bytesRead(DIR.resolve(name))).as(name).isLessThanOrEqualTo(
                        Segment.HEADER_BYTES + Seal.TRAILER_BYTES + Seal.recordBytes(2));
            }
            Path newest = DIR.resolve(segments.get(segments.size() - 1));
            assertThat(disk.bytesRead(newest)).isGreaterThan(Segment.HEADER_BYTES);

            disk.resetReadCounts();
            for (long i = 1; i <= 400; i++) {
                assertThat(storage.termAt(i)).isEqualTo((i - 1) / 100 + 1);
            }
            assertThat(segments).allMatch(name -> disk.bytesRead(DIR.resolve(name)) == 0);

            assertThat(Entries.tagAt(storage.read(150, 1, Integer.MAX_VALUE), 0)).isEqualTo(2);
            long touched = segments.stream().filter(name -> disk.bytesRead(DIR.resolve(name)) > 0).count();
            assertThat(touched).as("segments read to serve one entry").isEqualTo(1);
        }
    }

    private static SegmentedLogStorage storage(FaultyFileIo disk) {
        return SegmentedLogStorage.builder(DIR).nodeId(1).segmentBytes(1024).preallocate(false).fileIo(disk).build();
    }
}
