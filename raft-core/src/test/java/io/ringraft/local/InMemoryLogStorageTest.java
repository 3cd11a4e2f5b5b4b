package io.ringraft.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringraft.api.Bytes;
import io.ringraft.api.EntryKind;
import io.ringraft.api.Vote;
import io.ringraft.local.InMemoryLogStorage;
import io.ringraft.message.HeapLogEntries;
import io.ringraft.spi.LogEntries;
import io.ringraft.spi.LogStorage;
import io.ringraft.storage.conformance.LogStorageConformanceTest;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The conformance suite (restart tests are skipped), plus in-memory specifics and a concurrency test. */
class InMemoryLogStorageTest extends LogStorageConformanceTest {

    @Override
    protected LogStorage newStorage() {
        return new InMemoryLogStorage();
    }

    // ------------------------------------------------------------------ specifics

    @Test
    void purgeAtOrBelowTheBaseIsANoOp() throws IOException {
        storage.saveVote(new Vote(1, 1));
        storage.append(entries(1, 1, 1, 1));
        storage.purgePrefix(0);
        storage.purgePrefix(2);
        storage.purgePrefix(2);
        storage.purgePrefix(1);
        assertThat(storage.termAt(2)).isEqualTo(1);
        assertThat(readAll(3).count()).isEqualTo(2);
    }

    @Test
    void misuseIsReportedClearly() throws IOException {
        assertThatThrownBy(() -> storage.open()).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> storage.read(1, 0, 10)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> storage.read(1, 1, -1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> storage.read(0, 1, 1)).isInstanceOf(IOException.class)
                .hasMessageContaining("purged");

        LogStorage unopened = new InMemoryLogStorage();
        assertThatThrownBy(() -> unopened.append(entries(1))).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("open()");

        storage.close();
        storage.close();
        assertThatThrownBy(() -> storage.read(1, 1, 1)).isInstanceOf(IOException.class).hasMessageContaining("closed");
        assertThatThrownBy(() -> storage.saveVote(new Vote(1, 1))).isInstanceOf(IOException.class);
    }

    /** Long random histories that make the arrays grow and compact, checked against a list. */
    @Test
    void matchesASimpleModelOverLongRandomHistories() throws IOException {
        SplittableRandom rnd = new SplittableRandom(42);
        storage.saveVote(new Vote(1_000_000, 1));
        List<Long> modelTerms = new ArrayList<>(); // terms of entries base+1..last
        long base = 0;
        long baseTerm = 0;
        long term = 1;
        for (int step = 0; step < 20_000; step++) {
            long last = base + modelTerms.size();
            int choice = rnd.nextInt(10);
            if (choice < 6) {
                int count = rnd.nextInt(1, 40);
                long[] terms = new long[count];
                for (int i = 0; i < count; i++) {
                    terms[i] = term;
                    modelTerms.add(term);
                }
                storage.append(entriesFrom(last + 1, terms));
            } else if (choice < 8 && last > base) {
                long from = rnd.nextLong(base + 1, last + 2);
                storage.truncateSuffix(from);
                modelTerms.subList((int) (from - base - 1), modelTerms.size()).clear();
                term++;
            } else if (last > base) {
                long upTo = rnd.nextLong(base + 1, last + 1);
                storage.purgePrefix(upTo);
                baseTerm = modelTerms.get((int) (upTo - base - 1));
                modelTerms.subList(0, (int) (upTo - base)).clear();
                base = upTo;
            }
            assertThat(storage.termAt(base)).isEqualTo(baseTerm);
            assertThat(storage.termAt(base + modelTerms.size() + 1)).isEqualTo(-1);
            if (!modelTerms.isEmpty()) {
                int offset = rnd.nextInt(modelTerms.size());
                long index = base + 1 + offset;
                assertThat(storage.termAt(index)).isEqualTo(modelTerms.get(offset));
                LogEntries read = storage.read(index, 1, 0);
                assertThat(read.termAt(0)).isEqualTo(modelTerms.get(offset));
                assertThat(copy(read).payloadBytes(0)).isEqualTo(bytes("e" + index));
            }
        }
    }

    // ------------------------------------------------------------------ concurrency

    private static final int WRITER_STEPS = 30_000;
    private static final int MAX_READS_PER_READER = 2_000_000;
    private static final int READERS = 3;

    /**
     * One writer appends, truncates uncommitted suffixes, advances a commit point and purges below it,
     * while readers read and check that every entry they get is whole (its payload names its own index
     * and term, its kind and length follow from them), that committed entries never change and are
     * always readable, and that reads fail only for purged indexes.
     */
    @Test
    void readersSeeConsistentEntriesWhileOneWriterMutates() throws Exception {
        AtomicLongArray committedTerms = new AtomicLongArray(WRITER_STEPS * 8 + 16);
        VolatilePointers pointers = new VolatilePointers();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        CountDownLatch start = new CountDownLatch(1);

        Thread writer = new Thread(() -> {
            try {
                start.await();
                runWriter(new SplittableRandom(7), committedTerms, pointers);
            } catch (Throwable t) {
                failure.compareAndSet(null, t);
            } finally {
                pointers.writerDone = true;
            }
        }, "log-writer");
        List<Thread> readers = new ArrayList<>();
        long[] readsDone = new long[READERS];
        for (int r = 0; r < READERS; r++) {
            int id = r;
            readers.add(new Thread(() -> {
                try {
                    start.await();
                    readsDone[id] = runReader(new SplittableRandom(100 + id), committedTerms, pointers);
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                }
            }, "reader-" + r));
        }
        writer.start();
        readers.forEach(Thread::start);
        start.countDown();

        writer.join(TimeUnit.SECONDS.toMillis(60));
        for (Thread reader : readers) {
            reader.join(TimeUnit.SECONDS.toMillis(60));
        }
        assertThat(writer.isAlive()).as("writer finished").isFalse();
        assertThat(readers).noneMatch(Thread::isAlive);
        if (failure.get() != null) {
            throw new AssertionError("a thread failed", failure.get());
        }
        assertThat(readsDone).as("reads per reader").doesNotContain(0L);
    }

    /** Pointers the writer publishes to readers. */
    private static final class VolatilePointers {
        volatile long committed;
        /** Set before a purge is issued, so a reader that saw the purge also sees this. */
        volatile long purgeTarget;
        volatile boolean writerDone;
    }

    private void runWriter(SplittableRandom rnd, AtomicLongArray committedTerms, VolatilePointers pointers)
            throws IOException {
        long committed = 0;
        long term = 1;
        long base = 0;
        long last = 0;
        long[] terms = new long[committedTerms.length()]; // writer's own copy of every entry's term
        storage.saveVote(new Vote(term, 1));
        for (int step = 0; step < WRITER_STEPS; step++) {
            int choice = rnd.nextInt(20);
            if (choice < 12) {
                int count = rnd.nextInt(1, 9);
                HeapLogEntries.Builder batch = HeapLogEntries.builder(last + 1);
                for (int i = 1; i <= count; i++) {
                    batch.add(term, kindFor(last + i, term), payloadFor(last + i, term));
                    terms[(int) (last + i)] = term;
                }
                storage.append(batch.build());
                last += count;
            } else if (choice < 14 && last > committed) {
                long from = rnd.nextLong(Math.max(committed, base) + 1, last + 1);
                storage.truncateSuffix(from);
                last = from - 1;
                term++;
                storage.saveVote(new Vote(term, 1 + rnd.nextInt(3)));
            } else if (choice < 18) {
                long newCommitted = rnd.nextLong(committed, last + 1);
                for (long i = committed + 1; i <= newCommitted; i++) {
                    committedTerms.set((int) i, terms[(int) i]);
                }
                committed = newCommitted;
                pointers.committed = newCommitted;
            } else if (committed > base) {
                long upTo = rnd.nextLong(base + 1, committed + 1);
                pointers.purgeTarget = upTo;
                storage.purgePrefix(upTo);
                base = upTo;
            }
        }
    }

    private long runReader(SplittableRandom rnd, AtomicLongArray committedTerms, VolatilePointers pointers)
            throws IOException {
        long reads = 0;
        while (!pointers.writerDone && reads < MAX_READS_PER_READER) {
            reads++;
            // Purge target first: it never exceeds the commit index of its time, and that index only grows, so
            // purged <= committed. Read the other way round, a reader descheduled between the two reads could
            // see a purge far past its (older) commit index: an empty range for nextLong.
            long purged = pointers.purgeTarget;
            long committed = pointers.committed;
            long from = rnd.nextLong(purged + 1, committed + 20);
            if (rnd.nextInt(4) == 0) {
                long term = storage.termAt(from);
                if (from <= committed && term != committedTerms.get((int) from)) {
                    assertThat(term).as("termAt(%d) of a committed entry", from).isEqualTo(-1);
                    assertThat(from).as("only purged entries have no term").isLessThanOrEqualTo(pointers.purgeTarget);
                }
                continue;
            }
            LogEntries read;
            try {
                read = storage.read(from, rnd.nextInt(1, 17), rnd.nextInt(0, 200));
            } catch (IOException e) {
                assertThat(from).as("read(%d) failed: %s", from, e.getMessage())
                        .isLessThanOrEqualTo(pointers.purgeTarget);
                continue;
            }
            assertThat(read.firstIndex()).isEqualTo(from);
            if (from <= committed) {
                assertThat(read.count()).as("committed entry %d is readable", from).isPositive();
            }
            for (int offset = 0; offset < read.count(); offset++) {
                long index = from + offset;
                long term = read.termAt(offset);
                Bytes payload = read.payloadAt(offset);
                assertThat(payload.length()).isEqualTo(payloadLength(index));
                assertThat(payload.getLong(0, ByteOrder.BIG_ENDIAN)).isEqualTo(index);
                assertThat(payload.getLong(8, ByteOrder.BIG_ENDIAN)).isEqualTo(term);
                for (int i = 16; i < payload.length(); i++) {
                    assertThat(payload.getByte(i)).isEqualTo((byte) (index ^ term));
                }
                assertThat(read.kindAt(offset)).isEqualTo(kindFor(index, term));
                if (index <= committed) {
                    assertThat(term).as("committed entry %d", index).isEqualTo(committedTerms.get((int) index));
                }
            }
        }
        return reads;
    }

    private static EntryKind kindFor(long index, long term) {
        return (index + term) % 4 == 0 ? EntryKind.NOOP : EntryKind.COMMAND;
    }

    private static int payloadLength(long index) {
        return 16 + (int) (index % 5);
    }

    private static byte[] payloadFor(long index, long term) {
        ByteBuffer buffer = ByteBuffer.allocate(payloadLength(index));
        buffer.putLong(index).putLong(term);
        while (buffer.hasRemaining()) {
            buffer.put((byte) (index ^ term));
        }
        return buffer.array();
    }
}
