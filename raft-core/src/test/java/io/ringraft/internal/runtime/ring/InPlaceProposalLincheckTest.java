package io.ringraft.internal.runtime.ring;

import io.ringraft.internal.runtime.requests.ProposalQueue;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.jetbrains.kotlinx.lincheck.LinChecker;
import org.jetbrains.kotlinx.lincheck.annotations.Operation;
import org.jetbrains.kotlinx.lincheck.annotations.Param;
import org.jetbrains.kotlinx.lincheck.paramgen.IntGen;
import org.jetbrains.kotlinx.lincheck.paramgen.ThreadIdGen;
import org.jetbrains.kotlinx.lincheck.strategy.managed.ManagedStrategyGuaranteeKt;
import org.jetbrains.kotlinx.lincheck.strategy.managed.modelchecking.ModelCheckingOptions;
import org.jetbrains.kotlinx.lincheck.strategy.stress.StressOptions;
import org.junit.jupiter.api.Test;

/**
 * Lincheck model checking of proposals held in place: producers {@link ProposalQueue#offer} on any
 * thread, the core {@link ProposalQueue#take}s records into an {@link EntryRing} without copying them
 * ({@link EntryRing#writeInPlace}), reclaims and truncates entries and frees the queue up to the oldest
 * pin the ring still holds ({@link EntryRing#oldestPin}, {@link ProposalQueue#freeUpTo}), while readers
 * copy entries out ({@link EntryRing#read}) or read them in place ({@link RingEntries}, checked with
 * {@code stillValid}). The claim under test: a producer reuses a record's bytes only after the ring
 * invalidated every entry pointing at them, so no reader accepts a payload that is not its entry's, and
 * the core never takes a record whose bytes were changed.
 *
 * <p><b>Scenario.</b> A ring of 4 slots and a 128-byte queue, records of 32 or 40 bytes (so the queue
 * wraps, with padding). Every invocation starts warm: six proposals taken, three applied and freed, so the
 * queue and the ring have wrapped and three held records pin the queue. Each payload is its proposal's id
 * and a function of it, and the correlation is the id; an operation returns {@code true} unless it saw a
 * payload that is not the one its header names (the sequential specification is "always true").
 *
 * <p><b>Found.</b> With {@code oldestPin} reporting no pin (the queue freed up to what it consumed), the
 * model checker finds a reader that accepts another proposal's bytes, or a taken record that changed.
 *
 * <p><b>Not explored.</b> As in {@link EntryRingLincheckTest}: copies are single steps, the model is
 * sequentially consistent (fences are not explored for reordering), and the {@link ByteBuffer} payload
 * checks are not instrumented. The real-thread counterpart is {@code ProposalQueuePinningTest} and the
 * node-level {@code ProposalsHeldInPlaceTest}.
 */
@Param(name = "back", gen = IntGen.class, conf = "0:2")
public class InPlaceProposalLincheckTest {

    private static final int THREADS = 2;
    private static final int WARM_UP = 6;

    private final EntryRing ring = new EntryRing(4, 64);
    private final ProposalQueue queue = new ProposalQueue(128);

    // Core-only state (the "core" group never runs on two threads at once).
    private long term = 1;
    private long applied;
    private boolean consistentTakes = true;
    private final ProposalQueue.PinningHandler taker = this::place;

    /** The newest index the core published, for readers to aim at. */
    private volatile long published;

    /** Per Lincheck thread (0 = initial part, 1..THREADS = parallel part, THREADS + 1 = final part). */
    private final Scratch[] scratch = new Scratch[THREADS + 2];

    private static final class Scratch {
        final byte[] source = new byte[24];
        final ByteBuffer sourceView = ByteBuffer.wrap(source).order(ByteOrder.nativeOrder());
        long nextId;
        final EntryHeader header = new EntryHeader();
        final byte[] bytes = new byte[32];
        final ByteBuffer view = ByteBuffer.wrap(bytes).order(ByteOrder.nativeOrder());
        final RingEntries entries;

        Scratch(EntryRing ring, int thread) {
            entries = new RingEntries(ring, 1);
            nextId = thread * 1_000L + 1;
        }
    }

    public InPlaceProposalLincheckTest() {
        for (int i = 0; i < scratch.length; i++) {
            scratch[i] = new Scratch(ring, i);
        }
        for (int i = 0; i < WARM_UP; i++) {
            propose(0);
            takeOne();
        }
        for (int i = 0; i < WARM_UP / 2; i++) {
            applyAndFree();
        }
    }

    static int lengthOf(long id) {
        return (id & 1) == 0 ? 16 : 24;
    }

    static long mix(long id) {
        return ~(id * 0x9E3779B97F4A7C15L);
    }

    /** True if {@code length} bytes at {@code offset} of {@code view} are proposal {@code id}'s payload. */
    static boolean consistent(long id, ByteBuffer view, int offset, int length) {
        return length == lengthOf(id) && view.getLong(offset) == id && view.getLong(offset + 8) == mix(id)
                && (length == 16 || view.getLong(offset + 16) == id + 7);
    }

    // ------------------------------------------------------------------ producers (any thread)

    /** Offers the thread's next proposal (it may not fit: then it is not offered). */
    @Operation
    public void propose(@Param(gen = ThreadIdGen.class) int thread) {
        Scratch s = scratch[thread];
        long id = s.nextId;
        int length = lengthOf(id);
        s.sourceView.putLong(0, id);
        s.sourceView.putLong(8, mix(id));
        s.sourceView.putLong(16, id + 7);
        if (queue.offer((byte) 1, id, s.source, 0, length)) {
            s.nextId++;
        }
    }

    // ------------------------------------------------------------------ the core (single consumer, single writer)

    private boolean place(byte origin, long id, byte[] buffer, int offset, int length, long position) {
        if (!consistent(id, ByteBuffer.wrap(buffer).order(ByteOrder.nativeOrder()), offset, length)) {
            consistentTakes = false;
        }
        long index = ring.lastIndex() + 1;
        while (!ring.makeRoom(index, 0, applied)) {
            if (applied >= ring.lastIndex()) {
                return false; // every held entry unapplied: the record waits
            }
            applied++;
        }
        ring.writeInPlace(index, term, origin, id, buffer, offset, length, position);
        published = index;
        return true;
    }

    /** Takes the oldest queued proposal into the ring, in place; false if its bytes were not the proposer's. */
    @Operation(nonParallelGroup = "core")
    public boolean takeOne() {
        queue.take(taker, 1);
        freeQueue();
        return consistentTakes;
    }

    /** The applier moved on by one: reclaim what is applied and free the queue behind it. */
    @Operation(nonParallelGroup = "core")
    public void applyAndFree() {
        applied = Math.min(ring.lastIndex(), applied + 1);
        ring.reclaimEarly(applied);
        freeQueue();
    }

    /** The newest unapplied entry is truncated (a new leader's log wins): its record becomes a hole. */
    @Operation(nonParallelGroup = "core")
    public void truncateNewest() {
        long last = ring.lastIndex();
        if (last > applied && last >= ring.firstIndex()) {
            ring.truncateFrom(last);
            published = ring.lastIndex();
            term++;
            freeQueue();
        }
    }

    private void freeQueue() {
        long consumed = queue.consumed();
        if (consumed >= 0) {
            queue.freeUpTo(ring.oldestPin(consumed));
        }
    }

    // ------------------------------------------------------------------ readers (any thread)

    /** Copies entry {@code published - back} out: true unless it got another proposal's bytes. */
    @Operation
    public boolean read(@Param(gen = ThreadIdGen.class) int thread, @Param(name = "back") int back) {
        Scratch s = scratch[thread];
        long index = Math.max(1, published - back);
        int length = ring.read(index, s.header, s.bytes, 0);
        return length == EntryRing.ABSENT || s.header.index == index
                && consistent(s.header.correlation, s.view, 0, length);
    }

    /** Reads entry {@code published - back} in place: if still valid afterwards, it must be its own bytes. */
    @Operation
    public boolean readInPlace(@Param(gen = ThreadIdGen.class) int thread, @Param(name = "back") int back) {
        Scratch s = scratch[thread];
        long index = Math.max(1, published - back);
        RingEntries entries = s.entries;
        if (entries.capture(index, index, Integer.MAX_VALUE, Long.MAX_VALUE) == 0) {
            return true;
        }
        int length = entries.payloadAt(0).length();
        if (length > s.bytes.length) {
            return !entries.stillValid();
        }
        entries.payloadAt(0).getBytes(0, s.bytes, 0, length);
        boolean valid = entries.stillValid();
        entries.forgetPayload();
        return !valid || consistent(entries.correlationAt(0), s.view, 0, length);
    }

    // ------------------------------------------------------------------ tests

    @Test
    void modelChecking() {
        ModelCheckingOptions options = new ModelCheckingOptions()
                .threads(THREADS)
                .actorsBefore(2)
                .actorsPerThread(4)
                .actorsAfter(1)
                .iterations(12)
                .invocationsPerIteration(150)
                .addGuarantee(ManagedStrategyGuaranteeKt.forClasses(name -> name.startsWith("io.ringraft.internal.bytes."))
                        .allMethods().treatAsAtomic());
        LinChecker.check(InPlaceProposalLincheckTest.class, options);
    }

    @Test
    void stress() {
        StressOptions options = new StressOptions()
                .threads(THREADS)
                .actorsBefore(2)
                .actorsPerThread(4)
                .actorsAfter(1)
                .iterations(3)
                .invocationsPerIteration(300);
        LinChecker.check(InPlaceProposalLincheckTest.class, options);
    }
}
