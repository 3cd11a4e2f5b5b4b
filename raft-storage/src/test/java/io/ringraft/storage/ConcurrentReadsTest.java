package io.ringraft.storage;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringraft.api.Vote;
import io.ringraft.spi.LogEntries;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Readers on other threads while the log writer appends, flushes, rolls segments, truncates and
 * purges, on real files: every entry a reader gets is the one stored at its index (its payload names
 * its index, its term matches {@code termAt}), and the only error a reader may see is asking for
 * entries that were just purged.
 */
class ConcurrentReadsTest {

    @TempDir
    Path dir;

    @Test
    void readersSeeConsistentEntriesWhileTheWriterChangesTheLog() throws Exception {
        SegmentedLogStorage storage = SegmentedLogStorage.builder(dir).nodeId(1).segmentBytes(16 * 1024).preallocate(false).build();
        storage.open();
        AtomicBoolean done = new AtomicBoolean();
        AtomicLong reads = new AtomicLong();
        ConcurrentLinkedQueue<Throwable> problems = new ConcurrentLinkedQueue<>();
        List<Thread> readers = List.of(reader(storage, done, reads, problems, 1), reader(storage, done, reads, problems, 2));
        readers.forEach(Thread::start);
        try {
            SplittableRandom random = new SplittableRandom(11);
            long term = 1;
            storage.saveVote(new Vote(term, 1));
            long last = 0;
            long base = 0;
            for (int op = 0; op < 2000; op++) { // few fsyncs: they dominate the time
                int dice = random.nextInt(100);
                if (dice < 1 && last > base + 1) {
                    term++;
                    storage.saveVote(new Vote(term, 1));
                    last = Math.max(base + 1, last - random.nextInt(10));
                    storage.truncateSuffix(last);
                    last--;
                } else if (dice < 2 && last > base + 20) {
                    base = last - 20;
                    storage.purgePrefix(base);
                } else if (dice < 4) {
                    storage.flush();
                } else {
                    int count = 1 + random.nextInt(8);
                    storage.append(Entries.of(last + 1, count, term, 20 + random.nextInt(80), (int) term));
                    last += count;
                }
            }
        } finally {
            done.set(true);
            for (Thread reader : readers) {
                reader.join();
            }
        }
        assertThat(problems).isEmpty();
        assertThat(reads.get()).isPositive();
        storage.flush();
        storage.close();
    }

    private static Thread reader(SegmentedLogStorage storage, AtomicBoolean done, AtomicLong reads,
            ConcurrentLinkedQueue<Throwable> problems, long seed) {
        return new Thread(() -> {
            SplittableRandom random = new SplittableRandom(seed);
            while (!done.get() && problems.isEmpty()) {
                long index = 1 + random.nextInt(8000);
                try {
                    LogEntries entries = storage.read(index, 1 + random.nextInt(16), random.nextInt(2000));
                    for (int i = 0; i < entries.count(); i++) {
                        // The payload names its index; the tag is the term the writer wrote it with.
                        assertThat((long) Entries.tagAt(entries, i)).isEqualTo(entries.termAt(i));
                    }
                    reads.incrementAndGet();
                } catch (IOException e) {
                    if (!e.getMessage().contains("purged")) {
                        problems.add(e);
                    }
                } catch (Throwable t) {
                    problems.add(t);
                }
            }
        }, "reader-" + seed);
    }
}
