package io.ringraft.internal.runtime.ring;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringraft.api.Bytes;
import io.ringraft.api.EntryKind;
import io.ringraft.internal.runtime.tasks.CoreTask;
import io.ringraft.internal.runtime.tasks.LogWriterTask;
import java.nio.ByteBuffer;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The log writer hands ring entries to storage in place while the core truncates and overwrites
 * them, under real threads. One thread plays a follower's core (appends, truncates a conflicting
 * suffix and appends a new term's entries over it, reclaims what the writer stored), another the
 * log writer (holds the guard, applies the core's truncations to its storage, captures views and
 * copies their payloads slowly, as a storage copying into its buffers would). Both follow the
 * protocol of {@link CoreTask} and {@link LogWriterTask}: announce the discard, defer it while the
 * writer holds; hold, then read the cut, then capture.
 *
 * <p>Every payload carries its index, its term, the term of the entry before it when it was written
 * and a checksum. The storage checks every record it copies: a payload overwritten while it was being
 * copied (a torn or foreign payload under the captured term) or a stored log that mixes an old
 * suffix with a new one (log matching broken) fails the test. Without the guard both happen within
 * a fraction of these iterations. Bounded by iteration counts; no sleeps.
 */
class RingDiscardGuardConcurrencyTest {

    private static final int SLOTS = 32;
    private static final int ARENA = 4096;
    private static final int MIN_LENGTH = 40; // index, term, previous term, length, checksum
    private static final int MAX_LENGTH = 400;
    private static final int MIN_WRITES = 100_000;
    private static final int MAX_WRITES = 2_000_000;
    private static final int MIN_TRUNCATIONS = 2_000;
    private static final int WINDOW = 1 << 12; // terms kept per side, far more than the ring can hold
    private static final long JOIN_MILLIS = 60_000;

    static long checksum(ByteBuffer buffer, int length) {
        long h = 0xCBF29CE484222325L;
        for (int i = 0; i < length; i++) {
            h = (h ^ buffer.get(i)) * 0x100000001B3L;
        }
        return h ^ (h >>> 29);
    }

    /** What the two threads share, as the core and the log writer share {@code accepted} and the {@code LogCut}. */
    static final class Shared {
        volatile long accepted;
        final AtomicLong cut = new AtomicLong(Long.MAX_VALUE);
        volatile long written;
        /** Truncations the core made, and how many of them the writer applied to storage (as IoIds do). */
        volatile long cuts;
        volatile long cutsApplied;
        volatile boolean running = true;
        final ConcurrentLinkedQueue<String> errors = new ConcurrentLinkedQueue<>();

        void error(String message) {
            if (errors.size() < 20) {
                errors.add(message);
            }
        }
    }

    static final class Core implements Runnable {
        private final EntryRing ring;
        private final Shared shared;
        private final SplittableRandom random = new SplittableRandom(5);
        private final byte[] sourceBytes = new byte[MAX_LENGTH];
        private final ByteBuffer source = ByteBuffer.wrap(sourceBytes);
        private final long[] terms = new long[WINDOW];
        private long term = 1;
        private long committed;
        private long pendingTruncation = -1;
        long writes;
        long truncations;
        long deferrals;

        Core(EntryRing ring, Shared shared) {
            this.ring = ring;
            this.shared = shared;
        }

        @Override
        public void run() {
            try {
                while (writes < MIN_WRITES || (truncations < MIN_TRUNCATIONS && writes < MAX_WRITES)) {
                    step();
                }
            } catch (Throwable t) {
                shared.error("core: " + t);
            } finally {
                shared.running = false;
            }
        }

        private void step() {
            // Commit only what the writer stored after applying every truncation (the engine's durable
            // index); what is about to be truncated is never committed.
            if (pendingTruncation < 0 && random.nextInt(4) == 0 && shared.cutsApplied == shared.cuts) {
                committed = Math.max(committed, Math.min(shared.written, committed + random.nextInt(4)));
            }
            if (pendingTruncation >= 0) {
                truncateAndReplace(pendingTruncation);
                return;
            }
            if (!append(ring.lastIndex() + 1)) {
                return;
            }
            shared.accepted = ring.lastIndex();
            long last = ring.lastIndex();
            if (random.nextInt(40) == 0 && last > committed) {
                // a new leader's AppendEntries conflicts with the newest entries (maybe stored already)
                pendingTruncation = last - random.nextInt((int) Math.min(6, last - committed));
            }
        }

        /** A conflicting AppendEntries: truncate from {@code from} and append a new term's entries. */
        private void truncateAndReplace(long from) {
            RingDiscardGuard guard = ring.discardGuard();
            if (!guard.announceDiscard(from)) {
                deferrals++; // the writer is storing entries at or above it: the message stays queued
                Thread.onSpinWait();
                return;
            }
            ring.truncateFrom(from);
            shared.cut.accumulateAndGet(from, Math::min);
            shared.cuts++; // only the core writes it
            term++;
            int count = 1 + random.nextInt(6);
            for (int i = 0; i < count && append(from + i); i++) {
                // the new leader's entries, over the old ones' slots and bytes
            }
            shared.accepted = ring.lastIndex();
            guard.discardDone();
            pendingTruncation = -1;
            truncations++;
        }

        /** Appends entry {@code index} if it fits now. */
        private boolean append(long index) {
            int length = MIN_LENGTH + random.nextInt(MAX_LENGTH - MIN_LENGTH + 1);
            long previousTerm = index == 1 ? 0 : terms[(int) ((index - 1) & (WINDOW - 1))];
            source.putLong(0, index);
            source.putLong(8, term);
            source.putLong(16, previousTerm);
            source.putLong(24, length);
            for (int i = 32; i < length - Long.BYTES; i++) {
                source.put(i, (byte) (index * 31 + term * 17 + i));
            }
            source.putLong(length - Long.BYTES, checksum(source, length - Long.BYTES));
            if (!ring.makeRoom(index, length, Math.min(committed, shared.written))) {
                Thread.onSpinWait(); // full: wait for the writer to store (and the core to commit) more
                return false;
            }
            ring.write(index, term, EntryKind.COMMAND, (byte) 0, 0, sourceBytes, 0, length);
            terms[(int) (index & (WINDOW - 1))] = term;
            writes++;
            return true;
        }
    }

    static final class Writer implements Runnable {
        private final EntryRing ring;
        private final Shared shared;
        private final RingEntries view;
        private final ByteBuffer record = ByteBuffer.wrap(new byte[MAX_LENGTH]);
        private final long[] storedTerms = new long[WINDOW];
        private long written;
        long stored;
        long backoffs;

        Writer(EntryRing ring, Shared shared) {
            this.ring = ring;
            this.shared = shared;
            this.view = new RingEntries(ring, 8);
        }

        @Override
        public void run() {
            try {
                while (shared.running) {
                    cycle();
                }
            } catch (Throwable t) {
                shared.error("writer: " + t);
            }
        }

        private void cycle() {
            long target = shared.accepted;
            RingDiscardGuard guard = ring.discardGuard();
            if (!guard.hold(target)) {
                backoffs++;
                return;
            }
            try {
                long cuts = shared.cuts;
                long cut = shared.cut.getAndSet(Long.MAX_VALUE);
                if (cut <= written) {
                    written = cut - 1; // storage truncates its suffix
                    shared.written = written;
                }
                shared.cutsApplied = cuts;
                while (written < target && view.capture(written + 1, target, 4 * MAX_LENGTH, Long.MAX_VALUE) > 0) {
                    for (int i = 0; i < view.count(); i++) {
                        store(view.firstIndex() + i, view.termAt(i), view.payloadAt(i));
                    }
                    written += view.count();
                    shared.written = written;
                }
            } finally {
                guard.release();
            }
        }

        /** Copies the record slowly (a storage filling its buffer), then checks what it copied. */
        private void store(long index, long term, Bytes payload) {
            int length = payload.length();
            for (int i = 0; i < length; i++) {
                record.put(i, payload.getByte(i));
                if ((i & 15) == 0) {
                    Thread.onSpinWait();
                }
            }
            String problem = null;
            if (length < MIN_LENGTH || record.getLong(24) != length) {
                problem = "length " + length + " but the payload says " + record.getLong(24);
            } else if (record.getLong(length - Long.BYTES) != checksum(record, length - Long.BYTES)) {
                problem = "bad checksum: the payload changed while it was copied";
            } else if (record.getLong(0) != index || record.getLong(8) != term) {
                problem = "payload of entry " + record.getLong(0) + " term " + record.getLong(8) + " stored as entry "
                        + index + " term " + term;
            } else {
                long previousStored = index == 1 ? 0 : storedTerms[(int) ((index - 1) & (WINDOW - 1))];
                if (record.getLong(16) != previousStored) {
                    problem = "follows an entry of term " + record.getLong(16) + " but storage holds term "
                            + previousStored + " before it: an old suffix mixed with a new one";
                }
            }
            if (problem != null) {
                shared.error("entry " + index + ": " + problem);
            }
            storedTerms[(int) (index & (WINDOW - 1))] = term;
            stored++;
        }
    }

    @Test
    void theCoreNeverOverwritesEntriesTheWriterIsStoring() throws InterruptedException {
        EntryRing ring = new EntryRing(SLOTS, ARENA);
        Shared shared = new Shared();
        Core core = new Core(ring, shared);
        Writer writer = new Writer(ring, shared);
        Thread coreThread = new Thread(core, "guard-core");
        Thread writerThread = new Thread(writer, "guard-writer");
        writerThread.start();
        coreThread.start();
        coreThread.join(JOIN_MILLIS);
        shared.running = false; // in case the core hangs
        writerThread.join(JOIN_MILLIS);
        assertThat(coreThread.isAlive()).as("core finished").isFalse();
        assertThat(writerThread.isAlive()).as("writer finished").isFalse();
        System.out.printf("guard stress: %d writes, %d truncations, %d deferred, %d writer back-offs, %d stored%n",
                core.writes, core.truncations, core.deferrals, writer.backoffs, writer.stored);
        assertThat(shared.errors).as("records torn or logs mixed under the writer").isEmpty();
        assertThat(core.writes).isGreaterThanOrEqualTo(MIN_WRITES);
        assertThat(core.writes / SLOTS).as("slot wrap-arounds").isGreaterThan(1_000);
        assertThat(core.truncations).isGreaterThanOrEqualTo(MIN_TRUNCATIONS);
        assertThat(core.deferrals).as("truncations deferred while the writer held them").isPositive();
        assertThat(writer.stored).as("records stored").isGreaterThan(MIN_WRITES / 2);
    }
}
