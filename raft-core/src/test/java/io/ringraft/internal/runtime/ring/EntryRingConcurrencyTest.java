package io.ringraft.internal.runtime.ring;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringraft.api.Bytes;
import io.ringraft.api.EntryKind;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;

/**
 * The seqlock under real threads: one writer thread plays the core (appends, reclaims up to a moving
 * applied bound, truncates and re-appends the newest entries with a higher term, clears origins,
 * sometimes resets), wrapping a small ring and arena many thousand times, while reader threads read
 * what they can. Every payload encodes its index, term, a per-write nonce (which also gives its
 * length, kind and origin) and a checksum of the rest, so any read that returns a torn or mixed entry
 * is caught.
 *
 * <p>Counts progress, never a rate: the writer makes a fixed number of writes, and every
 * {@link #STRIDE} of them it waits until each reader has validated a read it began after that
 * checkpoint (a handshake, not a sleep), so the readers read throughout the run however little CPU a
 * loaded machine gives them, and each validates at least one read per checkpoint. The only clock is a
 * generous deadline that turns a hang into a failure.
 */
class EntryRingConcurrencyTest {

    private static final int SLOTS = 32;
    private static final int ARENA = 4096;
    private static final int MIN_LENGTH = 32; // index, term, nonce, checksum
    private static final int MAX_LENGTH = 480;
    /** Appends the writer makes (its steps also truncate, reset and clear origins). */
    private static final int WRITES = 300_000;
    /** Appends between two checkpoints, where the writer waits for every reader to validate a read. */
    private static final int STRIDE = 1_000;
    private static final int CHECKPOINTS = WRITES / STRIDE;
    /** Turns a hang (a reader that stopped, a writer that never ends) into a failure; never reached otherwise. */
    private static final long HANG_MILLIS = 300_000;

    // ------------------------------------------------------------------ payload format

    /** Nonce = per-write counter << 16 | payload length. */
    static int lengthOf(long nonce) {
        return (int) (nonce & 0xFFFF);
    }

    static EntryKind kindOf(long nonce) {
        return ((nonce >>> 16) & 7) == 0 ? EntryKind.NOOP : EntryKind.COMMAND;
    }

    static byte originOf(long nonce) {
        return (byte) (((nonce >>> 16) & 0x7F) | 1); // never 0 (NONE)
    }

    static long checksum(Bytes buffer, int offset, int length) {
        long h = 0xCBF29CE484222325L;
        int i = 0;
        for (; i + Long.BYTES <= length; i += Long.BYTES) {
            h = (h ^ buffer.getLong(offset + i)) * 0x100000001B3L;
            h ^= h >>> 29;
        }
        for (; i < length; i++) {
            h = (h ^ buffer.getByte(offset + i)) * 0x100000001B3L;
        }
        return h ^ (h >>> 31);
    }

    static void fill(byte[] bytes, long index, long term, long nonce) {
        int length = lengthOf(nonce);
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        buffer.putLong(0, index);
        buffer.putLong(8, term);
        buffer.putLong(16, nonce);
        long x = nonce * 0x9E3779B97F4A7C15L + index;
        for (int i = 24; i < length - Long.BYTES; i++) {
            x ^= x << 13;
            x ^= x >>> 7;
            x ^= x << 17;
            buffer.put(i, (byte) x);
        }
        buffer.putLong(length - Long.BYTES, checksum(Bytes.wrap(bytes), 0, length - Long.BYTES));
    }

    /** Null if the entry is consistent, else what is wrong with it. */
    static String validate(long index, long term, EntryKind kind, byte origin, long correlation, Bytes payload,
                           int offset, int length) {
        if (length < MIN_LENGTH) {
            return "payload of " + length + " bytes";
        }
        long sum = checksum(payload, offset, length - Long.BYTES);
        if (sum != payload.getLong(offset + length - Long.BYTES)) {
            return "bad checksum (torn or mixed payload), length " + length;
        }
        long encodedIndex = payload.getLong(offset);
        long encodedTerm = payload.getLong(offset + 8);
        long nonce = payload.getLong(offset + 16);
        if (encodedIndex != index) {
            return "payload of entry " + encodedIndex + " under header index " + index;
        }
        if (encodedTerm != term) {
            return "payload of term " + encodedTerm + " under header term " + term;
        }
        if (lengthOf(nonce) != length) {
            return "length " + length + " but the payload was written with " + lengthOf(nonce);
        }
        if (kind != kindOf(nonce)) {
            return "kind " + kind + " with payload nonce " + nonce;
        }
        boolean cleared = origin == 0 && correlation == 0;
        boolean original = origin == originOf(nonce) && correlation == nonce;
        if (!cleared && !original) {
            return "origin " + origin + " / correlation " + correlation + " with payload nonce " + nonce;
        }
        return null;
    }

    // ------------------------------------------------------------------ the writer (the core)

    /** Shared state: the range the ring holds as last published by the writer, and results. */
    static final class Shared {
        volatile long first = 1;
        volatile long last;
        volatile boolean running = true;
        /** Checkpoints the writer has reached; a reader's read counts for a checkpoint it began after. */
        volatile long checkpoint;
        final LongAdder validated = new LongAdder();
        final LongAdder absent = new LongAdder();
        final ConcurrentLinkedQueue<String> errors = new ConcurrentLinkedQueue<>();
        /** Per reader, the last checkpoint it validated a read begun after (set by the reader). */
        final List<Progress> readers = new java.util.concurrent.CopyOnWriteArrayList<>();
        final long hangDeadline = System.nanoTime() + HANG_MILLIS * 1_000_000L;

        void error(String message) {
            if (errors.size() < 20) {
                errors.add(message);
            }
        }

        /** A reader's handle on the handshake; made before the threads start. */
        Progress register() {
            Progress progress = new Progress(this);
            readers.add(progress);
            return progress;
        }

        /**
         * Writer: starts a new checkpoint and waits until every reader validated a read begun after it
         * (yielding meanwhile). False on an error or a hang (past the deadline): the writer stops.
         */
        boolean checkpoint() {
            long reached = checkpoint + 1;
            checkpoint = reached;
            for (Progress reader : readers) {
                while (reader.validatedAt < reached) {
                    if (!errors.isEmpty() || System.nanoTime() - hangDeadline > 0) {
                        error("writer: a reader validated no read after checkpoint " + reached + " of "
                                + CHECKPOINTS + (errors.isEmpty() ? " before the deadline (hung)" : ""));
                        return false;
                    }
                    Thread.yield();
                }
            }
            return true;
        }
    }

    /** One reader's side of the handshake: which checkpoint its last validated read began after. */
    static final class Progress {
        private final Shared shared;
        /** The checkpoint current when the read under way began. */
        private long began;
        volatile long validatedAt;
        /** Reads validated by this reader. */
        long validated;

        Progress(Shared shared) {
            this.shared = shared;
        }

        /** Called before each read. */
        void begin() {
            began = shared.checkpoint;
        }

        /** Called when the read begun last validated {@code entries} entries. */
        void validated(long entries) {
            shared.validated.add(entries);
            validated += entries;
            if (began > validatedAt) {
                validatedAt = began;
            }
        }
    }

    static final class Writer implements Runnable {
        private final EntryRing ring;
        private final Shared shared;
        private final SplittableRandom random;
        private final byte[] source = new byte[MAX_LENGTH];
        private long applied;
        private long term = 1;
        private long counter;
        long writes;
        long bytes;
        long truncations;
        long resets;
        long clears;
        long refusals;
        /** Set when a checkpoint failed (an error or a hang): the writer stops. */
        private boolean stopped;

        Writer(EntryRing ring, Shared shared, long seed) {
            this.ring = ring;
            this.shared = shared;
            this.random = new SplittableRandom(seed);
        }

        @Override
        public void run() {
            try {
                while (writes < WRITES && !stopped) {
                    step();
                }
            } catch (Throwable t) {
                shared.error("writer: " + t);
            } finally {
                shared.running = false;
            }
        }

        private void step() {
            int r = random.nextInt(1000);
            long last = ring.lastIndex();
            if (r < 20 && last > applied) {
                // a follower repairing a conflict: the newest few entries, re-appended in a new term
                int k = 1 + random.nextInt((int) Math.min(4, last - applied));
                long from = last - k + 1;
                ring.truncateFrom(from);
                publish();
                term++;
                truncations++;
                for (long index = from; index <= last; index++) {
                    append(index);
                }
            } else if (r == 20) {
                // a snapshot installed: the ring starts over, maybe after a gap
                long next = last + 1 + random.nextInt(3);
                ring.resetTo(next);
                applied = next - 1;
                resets++;
                publish();
            } else if (r < 40 && ring.firstIndex() <= last) {
                long index = ring.firstIndex() + random.nextLong(last - ring.firstIndex() + 1);
                ring.clearOrigin(index);
                clears++;
                publish();
            } else {
                append(last + 1);
            }
            applied = Math.min(ring.lastIndex(), applied + random.nextInt(3));
            if (random.nextInt(64) == 0) {
                ring.reclaimUpTo(applied - random.nextInt(4));
                publish();
            }
        }

        private void append(long index) {
            int length = MIN_LENGTH + random.nextInt(MAX_LENGTH - MIN_LENGTH + 1);
            long nonce = (++counter << 16) | length;
            fill(source, index, term, nonce);
            while (!ring.makeRoom(index, length, applied)) {
                refusals++;
                if (applied >= ring.lastIndex()) {
                    throw new AssertionError("no room for entry " + index + " in a ring with nothing unapplied");
                }
                applied = Math.min(ring.lastIndex(), applied + 1 + random.nextInt(4));
            }
            publish(); // what makeRoom reclaimed
            ring.write(index, term, kindOf(nonce), originOf(nonce), nonce, source, 0, length);
            publish();
            writes++;
            bytes += length;
            if (writes % STRIDE == 0 && !shared.checkpoint()) {
                stopped = true;
            }
        }

        private void publish() {
            shared.first = ring.firstIndex();
            shared.last = ring.lastIndex();
        }
    }

    // ------------------------------------------------------------------ readers

    /** Reads random indexes around the published range, straight from the ring. */
    static final class RandomReader implements Runnable {
        private final EntryRing ring;
        private final Shared shared;
        private final SplittableRandom random;
        private final EntryHeader header = new EntryHeader();
        private final byte[] dst = new byte[MAX_LENGTH + 16];
        private final Bytes dstView = Bytes.wrap(dst);
        private final Progress progress;

        RandomReader(EntryRing ring, Shared shared, long seed) {
            this.ring = ring;
            this.shared = shared;
            this.random = new SplittableRandom(seed);
            this.progress = shared.register();
        }

        @Override
        public void run() {
            try {
                int offset = 0;
                while (shared.running) {
                    progress.begin();
                    long first = shared.first;
                    long last = shared.last;
                    // mostly the oldest and newest entries: those being reclaimed, truncated, rewritten
                    long index = random.nextBoolean()
                            ? first - 2 + random.nextInt(6)
                            : last - 3 + random.nextInt(6);
                    if (random.nextInt(4) == 0 && last >= first) {
                        index = first + random.nextLong(last - first + 1);
                    }
                    offset = (offset + 1) & 15;
                    header.set(-1, -1, (byte) 0, (byte) 0, -1);
                    int length = ring.read(index, header, dst, offset);
                    if (length == EntryRing.ABSENT) {
                        shared.absent.increment();
                        continue;
                    }
                    if (header.index != index) {
                        shared.error("read(" + index + ") filled the header of entry " + header.index);
                        continue;
                    }
                    String problem = validate(index, header.term, header.kind(), header.origin, header.correlation,
                            dstView, offset, length);
                    if (problem != null) {
                        shared.error("read(" + index + "): " + problem);
                        continue;
                    }
                    progress.validated(1);
                }
            } catch (Throwable t) {
                shared.error("reader: " + t);
            }
        }
    }

    /** Copies consecutive entries into an {@link EntryBatch} from a moving cursor, like the log writer. */
    static final class BatchReader implements Runnable {
        private final EntryRing ring;
        private final Shared shared;
        private final EntryBatch batch;
        private final Progress progress;
        long batches;

        BatchReader(EntryRing ring, Shared shared, int maxEntries, int maxBytes) {
            this.ring = ring;
            this.shared = shared;
            this.batch = new EntryBatch(maxEntries, maxBytes);
            this.progress = shared.register();
        }

        @Override
        public void run() {
            try {
                long cursor = 1;
                while (shared.running) {
                    progress.begin();
                    long first = shared.first;
                    long last = shared.last;
                    if (cursor > last) {
                        // caught up (or truncated or reset under us): read the ring again from its start
                        cursor = first;
                    }
                    if (cursor < first) {
                        cursor = first; // reclaimed: the real tasks would read storage
                    }
                    batch.clear(cursor);
                    while (batch.addFromRing(ring)) {
                        // copied
                    }
                    int count = batch.count();
                    if (count == 0) {
                        shared.absent.increment();
                        continue;
                    }
                    for (int i = 0; i < count; i++) {
                        long index = batch.firstIndex() + i;
                        Bytes payload = batch.payloadAt(i);
                        String problem = validate(index, batch.termAt(i), batch.kindAt(i), batch.originAt(i),
                                batch.correlationAt(i), payload, 0, payload.length());
                        if (problem == null && i > 0 && batch.termAt(i) < batch.termAt(i - 1)) {
                            problem = "term " + batch.termAt(i) + " after term " + batch.termAt(i - 1)
                                    + " in one batch";
                        }
                        if (problem != null) {
                            shared.error("batch from " + batch.firstIndex() + ", entry " + index + ": " + problem);
                        }
                    }
                    progress.validated(count);
                    batches++;
                    cursor += count;
                }
            } catch (Throwable t) {
                shared.error("batch reader: " + t);
            }
        }
    }

    /**
     * Reads consecutive entries in place through a {@link RingEntries} view from a moving cursor and
     * copies their payloads out, like a transport encoding a replicator's view; it keeps the copy
     * only if {@link RingEntries#stillValid()} says afterwards that no slot changed meanwhile.
     */
    static final class ViewReader implements Runnable {
        private final Shared shared;
        private final RingEntries view;
        private final long[] terms = new long[16];
        private final int[] lengths = new int[16];
        private final byte[][] copies = new byte[16][];
        private final Bytes[] copyViews = new Bytes[16];
        private final Progress progress;
        long views;
        long stale;

        ViewReader(EntryRing ring, Shared shared) {
            this.shared = shared;
            this.view = new RingEntries(ring, 16);
            this.progress = shared.register();
            for (int i = 0; i < copies.length; i++) {
                copies[i] = new byte[MAX_LENGTH];
                copyViews[i] = Bytes.wrap(copies[i]);
            }
        }

        @Override
        public void run() {
            try {
                long cursor = 1;
                while (shared.running) {
                    progress.begin();
                    long first = shared.first;
                    long last = shared.last;
                    // caught up (or truncated or reset under us): read the ring again from its start
                    cursor = cursor > last ? first : Math.max(first, cursor);
                    int count = view.capture(cursor, last, 4 * MAX_LENGTH, Long.MAX_VALUE);
                    if (count == 0) {
                        shared.absent.increment();
                        continue;
                    }
                    for (int i = 0; i < count; i++) {
                        Bytes payload = view.payloadAt(i);
                        lengths[i] = payload.length();
                        terms[i] = view.termAt(i);
                        payload.getBytes(0, copies[i], 0, lengths[i]);
                    }
                    if (!view.stillValid()) {
                        stale++;
                        continue; // a transport refuses the send
                    }
                    for (int i = 0; i < count; i++) {
                        long index = view.firstIndex() + i;
                        String problem = validate(index, terms[i], view.kindAt(i), view.originAt(i),
                                view.correlationAt(i), copyViews[i], 0, lengths[i]);
                        if (problem != null) {
                            shared.error("view from " + view.firstIndex() + ", entry " + index + ": " + problem);
                        }
                    }
                    progress.validated(count);
                    views++;
                    cursor += count;
                }
            } catch (Throwable t) {
                shared.error("view reader: " + t);
            }
        }
    }

    // ------------------------------------------------------------------ tests

    private static void runAll(Writer writer, Shared shared, List<Runnable> readers) throws InterruptedException {
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < readers.size(); i++) {
            threads.add(new Thread(readers.get(i), "ring-reader-" + i));
        }
        Thread writerThread = new Thread(writer, "ring-writer");
        threads.forEach(Thread::start);
        writerThread.start();
        long deadline = System.currentTimeMillis() + HANG_MILLIS;
        writerThread.join(HANG_MILLIS);
        shared.running = false; // in case the writer hangs
        for (Thread t : threads) {
            t.join(Math.max(1, deadline - System.currentTimeMillis()));
        }
        assertThat(writerThread.isAlive()).as("writer finished").isFalse();
        for (Thread t : threads) {
            assertThat(t.isAlive()).as("%s finished", t.getName()).isFalse();
        }
    }

    private static void assertHealthy(Writer writer, Shared shared) {
        System.out.printf("ring stress: %d writes, %d truncations, %d resets, %d clears, %d refusals;"
                        + " %d validated reads, %d absent%n", writer.writes, writer.truncations, writer.resets,
                writer.clears, writer.refusals, shared.validated.sum(), shared.absent.sum());
        assertThat(shared.errors).as("torn, mixed or failed reads").isEmpty();
        assertThat(writer.writes).isEqualTo(WRITES);
        assertThat(writer.writes / SLOTS).as("slot wrap-arounds").isGreaterThan(5_000);
        assertThat(writer.bytes / ARENA).as("arena wrap-arounds").isGreaterThan(5_000);
        assertThat(writer.truncations).isGreaterThan(1_000);
        assertThat(writer.resets).isGreaterThan(50);
        assertThat(writer.clears).isGreaterThan(1_000);
        assertThat(writer.refusals).as("the ring was full (makeRoom false) many times").isGreaterThan(1_000);
        for (Progress reader : shared.readers) {
            assertThat(reader.validatedAt).as("checkpoints after which a reader validated a read").isEqualTo(CHECKPOINTS);
            assertThat(reader.validated).as("reads a reader validated").isGreaterThanOrEqualTo(CHECKPOINTS);
        }
    }

    @Test
    void randomReadersNeverSeeATornOrMixedEntry() throws InterruptedException {
        EntryRing ring = new EntryRing(SLOTS, ARENA);
        Shared shared = new Shared();
        Writer writer = new Writer(ring, shared, 42);
        List<Runnable> readers = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            readers.add(new RandomReader(ring, shared, 1000 + i));
        }
        runAll(writer, shared, readers);
        assertHealthy(writer, shared);
    }

    @Test
    void batchReadersFromAMovingCursorNeverSeeATornOrMixedEntry() throws InterruptedException {
        EntryRing ring = new EntryRing(SLOTS, ARENA);
        Shared shared = new Shared();
        Writer writer = new Writer(ring, shared, 7);
        // one bounded by entries, one by bytes (a few entries of up to 480 bytes), plus a random reader
        BatchReader byEntries = new BatchReader(ring, shared, 8, 8 * MAX_LENGTH);
        BatchReader byBytes = new BatchReader(ring, shared, 64, 2 * MAX_LENGTH);
        runAll(writer, shared, List.of(byEntries, byBytes, new RandomReader(ring, shared, 99)));
        assertHealthy(writer, shared);
        assertThat(byEntries.batches).isPositive();
        assertThat(byBytes.batches).isPositive();
    }

    @Test
    void viewReadersKeepOnlyCopiesThatStillValidConfirms() throws InterruptedException {
        EntryRing ring = new EntryRing(SLOTS, ARENA);
        Shared shared = new Shared();
        Writer writer = new Writer(ring, shared, 11);
        ViewReader first = new ViewReader(ring, shared);
        ViewReader second = new ViewReader(ring, shared);
        runAll(writer, shared, List.of(first, second));
        assertHealthy(writer, shared);
        // Views the writer changes while they are copied (stale) depend on scheduling; RingEntriesTest
        // checks deterministically that stillValid() turns false once a captured slot is written.
        assertThat(first.views).as("views copied and confirmed").isGreaterThanOrEqualTo(CHECKPOINTS);
        assertThat(second.views).as("views copied and confirmed").isGreaterThanOrEqualTo(CHECKPOINTS);
    }
}
