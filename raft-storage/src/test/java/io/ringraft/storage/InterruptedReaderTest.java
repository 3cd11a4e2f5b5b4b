package io.ringraft.storage;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringraft.api.LogId;
import io.ringraft.api.Vote;
import io.ringraft.spi.LogEntries;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A reader thread (the applier runs user code, which may leave its interrupt flag set) must not be
 * able to close the segment files under the log writer: {@link java.nio.channels.FileChannel} closes
 * itself for every thread when a thread blocked in (or entering) one of its operations is interrupted.
 */
class InterruptedReaderTest {

    @TempDir
    Path dir;

    @Test
    void aReaderWithItsInterruptFlagSetNeitherFailsNorBreaksTheStorage() throws Exception {
        SegmentedLogStorage storage = SegmentedLogStorage.builder(dir).nodeId(1).segmentBytes(4096).build();
        storage.open();
        storage.saveVote(new Vote(1, 1));
        storage.append(Entries.of(1, 20, 1, 50, 1));
        storage.flush();

        AtomicReference<Object> outcome = new AtomicReference<>();
        Thread reader = new Thread(() -> {
            Thread.currentThread().interrupt(); // e.g. state machine code that restored the flag
            try {
                LogEntries entries = storage.read(1, 20, 1 << 20);
                outcome.set(new Object[] {entries.count(), Thread.currentThread().isInterrupted()});
            } catch (Throwable t) {
                outcome.set(t);
            }
        });
        reader.start();
        reader.join();
        assertThat(outcome.get()).isInstanceOf(Object[].class);
        assertThat((Object[]) outcome.get()).containsExactly(20, true); // all read; the flag is kept for the caller

        storage.append(Entries.of(21, 20, 1, 50, 1));
        storage.flush();
        assertThat(storage.read(1, 40, 1 << 20).count()).isEqualTo(40);
        storage.close();

        SegmentedLogStorage restarted = SegmentedLogStorage.builder(dir).nodeId(1).segmentBytes(4096).build();
        assertThat(restarted.open().last()).isEqualTo(new LogId(1, 40));
        restarted.close();
    }

    @Test
    void aLogWriterWithItsInterruptFlagSetStillWritesAndForces() throws Exception {
        SegmentedLogStorage storage = SegmentedLogStorage.builder(dir).nodeId(1).segmentBytes(4096).build();
        storage.open();
        Thread.currentThread().interrupt(); // shared threading: the writer may run on a thread user code interrupted
        try {
            storage.saveVote(new Vote(1, 1));
            storage.append(Entries.of(1, 100, 1, 50, 1)); // rolls segments
            storage.flush();
            storage.truncateSuffix(90);
            storage.purgePrefix(10);
            assertThat(Thread.currentThread().isInterrupted()).isTrue();
        } finally {
            Thread.interrupted();
        }
        assertThat(storage.read(11, 100, 1 << 20).count()).isEqualTo(79);
        storage.close();
        SegmentedLogStorage restarted = SegmentedLogStorage.builder(dir).nodeId(1).segmentBytes(4096).build();
        assertThat(restarted.open().last()).isEqualTo(new LogId(1, 89));
        restarted.close();
    }
}
