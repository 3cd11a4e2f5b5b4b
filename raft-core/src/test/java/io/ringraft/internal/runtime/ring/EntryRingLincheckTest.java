package io.ringraft.internal.runtime.ring;

import io.ringraft.api.Bytes;
import io.ringraft.api.EntryKind;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.jetbrains.kotlinx.lincheck.Actor;
import org.jetbrains.kotlinx.lincheck.LinChecker;
import org.jetbrains.kotlinx.lincheck.annotations.Operation;
import org.jetbrains.kotlinx.lincheck.annotations.Param;
import org.jetbrains.kotlinx.lincheck.execution.ExecutionScenario;
import org.jetbrains.kotlinx.lincheck.paramgen.IntGen;
import org.jetbrains.kotlinx.lincheck.paramgen.ThreadIdGen;
import org.jetbrains.kotlinx.lincheck.strategy.managed.ManagedStrategyGuaranteeKt;
import org.jetbrains.kotlinx.lincheck.strategy.managed.modelchecking.ModelCheckingOptions;
import org.jetbrains.kotlinx.lincheck.strategy.stress.StressOptions;
import org.junit.jupiter.api.Test;

/**
 * Lincheck model checking of the {@link EntryRing} seqlock: systematic exploration of thread
 * interleavings, complementing the real-thread stress of {@link EntryRingConcurrencyTest}.
 *
 * <p><b>Scenario.</b> A tiny ring (4 slots, 96 arena bytes, payloads of 24 or 32 bytes, so two to four
 * entries fit). Every invocation starts warm: entries 1..6 written in term 1, 1..3 reclaimed, 4..6
 * held and unapplied, so slots and arena have already wrapped. The operations of the
 * {@code "core"} non-parallel group play the single writer and never run on two threads at once:
 * append the next entry (reclaiming up to {@code applied}, advancing {@code applied} when full),
 * apply-and-reclaim one entry, truncate the newest one or two unapplied entries and re-append them
 * in a higher term (a re-appended entry may change length and overwrite its successor's old bytes),
 * and clear an entry's origin. Reader operations, on any thread, call {@link EntryRing#read} or fill
 * an {@link EntryBatch} with {@link EntryBatch#addFromRing}, near the newest index the core
 * published. Each payload encodes its index and term plus a checksum, and the correlation encodes
 * them too. A reader returns {@code true} ("consistent") if the ring answered
 * {@link EntryRing#ABSENT} or if what it copied matches its header (checksum, index, term, length,
 * kind, origin/correlation either as written or cleared, terms non-decreasing in a batch). A racing
 * read may legitimately be absent, so the sequential specification is simply "always true": a
 * {@code false} is a torn or mixed read.
 *
 * <p><b>What is explored.</b> The model checker switches threads at the shared-memory accesses it
 * instruments: the {@code AtomicLongArray} version operations, the reads and writes of the ring's
 * fields and array elements (indexes, terms, kinds, origins, correlations, positions, lengths,
 * end positions, the core pointers), the {@link EntryHeader} and {@link EntryBatch} fields, and
 * each payload copy. So it places reclaim/truncate/re-append/clearOrigin steps between a
 * reader's first version check, its header-field reads, its payload copy and its second version
 * check. Bounded: 2 threads, 2 initial operations and 4 per thread, 10 random scenarios plus four
 * hand-picked races ({@link #targetedScenarios}), 120 interleavings each. Removing the read's second
 * version check, or the invalidation in {@code reclaimUpTo} or in {@code truncateFrom}, makes it
 * fail within seconds. A short {@link StressOptions} run adds real-thread executions of the same
 * operations.
 *
 * <p><b>What is not.</b> A payload copy ({@link System#arraycopy} into or out of the ring's heap
 * arena, a native call) is one indivisible step, and so is each call on a payload view
 * ({@code io.ringraft.internal.bytes}, treated as atomic to keep the switch points few), so a payload
 * torn <em>inside</em> a copy is never produced here (the stress test and its checksum cover that).
 * The model checker is also sequentially consistent: the fences
 * ({@code storeStoreFence}, {@code loadLoadFence}) and the release store are not explored for
 * reordering (that needs a weak-memory tool such as jcstress). {@code resetTo} to a new index (a
 * snapshot) and {@code countFitting} are not exercised; {@code resetTo} runs only when a truncation
 * removes every held entry. Payload checks run on {@link ByteBuffer} views, which
 * Lincheck does not instrument, to keep the number of switch points small.
 */
@Param(name = "back", gen = IntGen.class, conf = "-1:3")
@Param(name = "count", gen = IntGen.class, conf = "1:2")
public class EntryRingLincheckTest {

    private static final int SLOTS = 4;
    private static final int ARENA = 96;
    /** Entries written before the scenario starts. */
    private static final int WARM_UP = 6;
    private static final int MAX_LENGTH = 32;
    private static final int BATCH_ENTRIES = 3;
    /** Parallel threads: the core's operations run on one of them, readers on any. */
    private static final int THREADS = 2;

    private final EntryRing ring = new EntryRing(SLOTS, ARENA);

    // Core-only state (the "core" group never runs on two threads at once).
    private final byte[] sourceBytes = new byte[MAX_LENGTH];
    private final ByteBuffer sourceView = ByteBuffer.wrap(sourceBytes).order(ByteOrder.nativeOrder());
    private long term = 1;
    private long applied;

    /** The newest index the core published, for readers to aim at. */
    private volatile long published;

    /**
     * Reader scratch space per Lincheck thread (0 = initial part, 1..THREADS = parallel part,
     * THREADS + 1 = final part), allocated up front so that operations allocate no buffers.
     */
    private final Scratch[] scratch = new Scratch[THREADS + 2];

    private static final class Scratch {
        final EntryHeader header = new EntryHeader();
        final byte[] bytes = new byte[MAX_LENGTH + 8];
        final ByteBuffer view = ByteBuffer.wrap(bytes).order(ByteOrder.nativeOrder());
        final EntryBatch batch = new EntryBatch(BATCH_ENTRIES, BATCH_ENTRIES * MAX_LENGTH);
    }

    public EntryRingLincheckTest() {
        for (int i = 0; i < scratch.length; i++) {
            scratch[i] = new Scratch();
        }
        for (int i = 0; i < WARM_UP; i++) {
            append();
        }
    }

    // ------------------------------------------------------------------ payload format

    /** 24 or 32 bytes: index, term, (filler,) checksum. */
    static int lengthOf(long index, long term) {
        return ((index + term) & 1) == 0 ? 24 : 32;
    }

    static long correlationOf(long index, long term) {
        return index * 1_000_003L + term;
    }

    static long checksum(ByteBuffer buffer, int offset, int length) {
        long h = 0xCBF29CE484222325L;
        for (int i = 0; i + Long.BYTES <= length; i += Long.BYTES) {
            h = (h ^ buffer.getLong(offset + i)) * 0x100000001B3L;
            h ^= h >>> 29;
        }
        return h;
    }

    static void fill(ByteBuffer buffer, long index, long term) {
        int length = lengthOf(index, term);
        buffer.putLong(0, index);
        buffer.putLong(8, term);
        if (length > 24) {
            buffer.putLong(16, ~(index * 31 + term));
        }
        buffer.putLong(length - Long.BYTES, checksum(buffer, 0, length - Long.BYTES));
    }

    /** True if the payload at {@code offset} is entry {@code index} of {@code term} and fits the header. */
    static boolean consistent(long index, long term, byte kind, byte origin, long correlation, ByteBuffer payload,
                              int offset, int length) {
        if (length != 24 && length != 32) {
            return false;
        }
        if (checksum(payload, offset, length - Long.BYTES) != payload.getLong(offset + length - Long.BYTES)) {
            return false;
        }
        if (payload.getLong(offset) != index || payload.getLong(offset + 8) != term
                || length != lengthOf(index, term) || kind != EntryKind.COMMAND.code()) {
            return false;
        }
        boolean cleared = origin == 0 && correlation == 0;
        boolean original = origin == 1 && correlation == correlationOf(index, term);
        return cleared || original;
    }

    // ------------------------------------------------------------------ the core (single writer)

    private void appendAt(long index) {
        int length = lengthOf(index, term);
        fill(sourceView, index, term);
        while (!ring.makeRoom(index, length, applied)) {
            if (applied >= ring.lastIndex()) {
                throw new AssertionError("no room for entry " + index + " with everything applied");
            }
            applied++; // the applier caught up a little
        }
        ring.write(index, term, EntryKind.COMMAND, (byte) 1, correlationOf(index, term), sourceBytes, 0, length);
        published = ring.lastIndex();
    }

    @Operation(nonParallelGroup = "core")
    public void append() {
        appendAt(ring.lastIndex() + 1);
    }

    /** Applies one more entry and reclaims everything applied. */
    @Operation(nonParallelGroup = "core")
    public void applyAndReclaim() {
        applied = Math.min(ring.lastIndex(), applied + 1);
        ring.reclaimUpTo(applied);
    }

    /** A conflict repaired: the newest {@code count} unapplied entries are replaced in a higher term. */
    @Operation(nonParallelGroup = "core")
    public void truncateAndReappend(@Param(name = "count") int count) {
        long last = ring.lastIndex();
        long from = Math.max(last - count + 1, applied + 1);
        if (from > last) {
            return; // nothing unapplied: committed entries are never truncated
        }
        ring.truncateFrom(from);
        published = ring.lastIndex();
        term++;
        for (long index = from; index <= last; index++) {
            appendAt(index);
        }
    }

    @Operation(nonParallelGroup = "core")
    public void clearOrigin(@Param(name = "back") int back) {
        long index = ring.lastIndex() - Math.max(0, back);
        if (index >= ring.firstIndex()) {
            ring.clearOrigin(index);
        }
    }

    // ------------------------------------------------------------------ readers (any thread)

    /** Reads entry {@code published - back}: true unless it got a torn or mixed entry. */
    @Operation
    public boolean read(@Param(gen = ThreadIdGen.class) int thread, @Param(name = "back") int back) {
        Scratch s = scratch[thread];
        long index = Math.max(1, published - back);
        int length = ring.read(index, s.header, s.bytes, 3);
        if (length == EntryRing.ABSENT) {
            return true;
        }
        EntryHeader h = s.header;
        return h.index == index && consistent(index, h.term, h.kind, h.origin, h.correlation, s.view, 3, length);
    }

    /** Copies consecutive entries from {@code published - back} into a batch, like the log writer. */
    @Operation
    public boolean readBatch(@Param(gen = ThreadIdGen.class) int thread, @Param(name = "back") int back) {
        Scratch s = scratch[thread];
        EntryBatch batch = s.batch;
        batch.clear(Math.max(1, published - back));
        while (batch.addFromRing(ring)) {
            // copied
        }
        for (int i = 0; i < batch.count(); i++) {
            Bytes payload = batch.payloadAt(i);
            int length = payload.length();
            if (length > MAX_LENGTH) {
                return false;
            }
            payload.getBytes(0, s.bytes, 0, length);
            if (!consistent(batch.firstIndex() + i, batch.termAt(i), batch.kindAt(i).code(), batch.originAt(i),
                    batch.correlationAt(i), s.view, 0, length)) {
                return false;
            }
            if (i > 0 && batch.termAt(i) < batch.termAt(i - 1)) {
                return false;
            }
        }
        return true;
    }

    // ------------------------------------------------------------------ tests

    /** Reader thread id of the second parallel thread (see {@link ThreadIdGen}). */
    private static final int READER = 2;

    private static Actor actor(String name, Object... args) {
        for (java.lang.reflect.Method method : EntryRingLincheckTest.class.getMethods()) {
            if (method.getName().equals(name) && method.getParameterCount() == args.length) {
                return new Actor(method, Arrays.asList(args));
            }
        }
        throw new IllegalArgumentException(name);
    }

    /** The core's operations on the first thread, a reader's on the second. */
    private static ExecutionScenario scenario(List<Actor> core, List<Actor> reader) {
        List<List<Actor>> parallel = new ArrayList<>(List.of(new ArrayList<>(core), new ArrayList<>(reader)));
        return new ExecutionScenario(new ArrayList<>(), parallel, new ArrayList<>(), null);
    }

    /** Hand-picked races, explored in addition to the random scenarios. */
    private static List<ExecutionScenario> targetedScenarios() {
        return List.of(
                // entries 5 and 6 replaced: the longer new 5 overwrites the start of the old 6's bytes
                scenario(List.of(actor("truncateAndReappend", 2)),
                        List.of(actor("read", READER, 0), actor("read", READER, -1), actor("readBatch", READER, 1))),
                // entry 4 reclaimed, its bytes reused by 7 and 8
                scenario(List.of(actor("applyAndReclaim"), actor("append"), actor("append")),
                        List.of(actor("read", READER, 2), actor("readBatch", READER, 2))),
                // origins cleared under a reader
                scenario(List.of(actor("clearOrigin", 0), actor("clearOrigin", 1)),
                        List.of(actor("read", READER, 0), actor("readBatch", READER, 1))),
                // the newest entry replaced, then appended to
                scenario(List.of(actor("truncateAndReappend", 1), actor("append")),
                        List.of(actor("readBatch", READER, 0), actor("read", READER, -1))));
    }

    @Test
    void modelChecking() {
        ModelCheckingOptions options = new ModelCheckingOptions()
                .threads(THREADS)
                .actorsBefore(2)
                .actorsPerThread(4)
                .actorsAfter(0)
                .iterations(10)
                .invocationsPerIteration(120)
                .addGuarantee(ManagedStrategyGuaranteeKt.forClasses(name -> name.startsWith("io.ringraft.internal.bytes."))
                        .allMethods().treatAsAtomic());
        targetedScenarios().forEach(options::addCustomScenario);
        LinChecker.check(EntryRingLincheckTest.class, options);
    }

    @Test
    void stress() {
        StressOptions options = new StressOptions()
                .threads(THREADS)
                .actorsBefore(2)
                .actorsPerThread(4)
                .actorsAfter(0)
                .iterations(3)
                .invocationsPerIteration(300);
        LinChecker.check(EntryRingLincheckTest.class, options);
    }
}
