package io.ringraft.internal.runtime.ring;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringraft.api.EntryKind;
import io.ringraft.message.HeapLogEntries;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;

/**
 * {@link EntryRing} against a model: a map index -> entry of the entries the ring must hold, with
 * each payload's place in the arena following the documented rules (payloads are contiguous, one that
 * does not fit before the arena's end starts at offset 0, live bytes never exceed the arena, an empty
 * ring has the whole arena free, makeRoom reclaims the oldest entries up to the reclaimable bound and
 * only as far as needed). After every operation every index around the ring is read: an entry the
 * model holds must be read back exactly, any other index must be ABSENT.
 */
class EntryRingProperties {

    // ------------------------------------------------------------------ operations

    sealed interface Op permits Write, Apply, Reclaim, Truncate, Reset, ClearOrigin, CountFitting {
    }

    /** Writes the next entry if makeRoom(…, applied) says it fits; {@code size} is a fraction (‰) of the limit. */
    record Write(int size, boolean big, boolean newTerm, boolean noop, byte origin, long correlation, long seed)
            implements Op {
    }

    /** The applier moves {@code applied} forward by {@code count} (at most to the last index). */
    record Apply(int count) implements Op {
    }

    /** Explicitly reclaims up to {@code count} entries, never beyond {@code applied}. */
    record Reclaim(int count) implements Op {
    }

    /** A follower truncates from an index above {@code applied} ({@code position} picks it). */
    record Truncate(int position) implements Op {
    }

    /** The ring is reset to {@code next + delta} (e.g. after a snapshot install); applied follows. */
    record Reset(int delta) implements Op {
    }

    /** Forgets the origin of the entry {@code position} back from the last one. */
    record ClearOrigin(int position) implements Op {
    }

    /**
     * countFitting for entries starting {@code keep} entries before a first new index picked by
     * {@code position} above applied; then the ring is really truncated and the counted entries written.
     */
    record CountFitting(int position, int keep, List<Integer> sizes, boolean big, long seed) implements Op {
    }

    private static Arbitrary<Op> write() {
        return Combinators.combine(Arbitraries.integers().between(0, 1000), Arbitraries.of(false, false, false, true),
                        Arbitraries.of(false, false, false, true), Arbitraries.of(false, false, false, true),
                        Arbitraries.bytes(), Arbitraries.longs(), Arbitraries.longs())
                .as((size, big, newTerm, noop, origin, correlation, seed) ->
                        (Op) new Write(size, big, newTerm, noop, origin, correlation, seed));
    }

    private static Arbitrary<Op> countFitting(int bigOneIn) {
        return Combinators.combine(Arbitraries.integers().between(0, 1000), Arbitraries.integers().between(0, 3),
                        Arbitraries.integers().between(0, 1000).list().ofMinSize(1).ofMaxSize(12),
                        Arbitraries.integers().between(1, bigOneIn), Arbitraries.longs())
                .as((position, keep, sizes, big, seed) -> (Op) new CountFitting(position, keep, sizes, big == 1, seed));
    }

    private static Arbitrary<Op> others() {
        return Arbitraries.oneOf(
                Arbitraries.integers().between(0, 6).map(Apply::new),
                Arbitraries.integers().between(0, 4).map(Reclaim::new),
                Arbitraries.integers().between(0, 1000).map(Truncate::new),
                Arbitraries.integers().between(-4, 20).map(Reset::new),
                Arbitraries.integers().between(0, 20).map(ClearOrigin::new));
    }

    @Provide
    Arbitrary<List<Op>> ops() {
        return Arbitraries.frequencyOf(
                Tuple.of(8, write()),
                Tuple.of(3, Arbitraries.integers().between(0, 6).map(c -> (Op) new Apply(c))),
                Tuple.of(1, Arbitraries.integers().between(0, 4).map(c -> (Op) new Reclaim(c))),
                Tuple.of(2, Arbitraries.integers().between(0, 1000).map(p -> (Op) new Truncate(p))),
                Tuple.of(1, Arbitraries.integers().between(-4, 20).map(d -> (Op) new Reset(d))),
                Tuple.of(1, Arbitraries.integers().between(0, 20).map(p -> (Op) new ClearOrigin(p))),
                Tuple.of(1, countFitting(8))).list().ofMaxSize(80);
    }

    @Provide
    Arbitrary<List<Op>> fittingOps() {
        return Arbitraries.frequencyOf(
                Tuple.of(4, write()),
                Tuple.of(2, others()),
                Tuple.of(4, countFitting(3))).list().ofMaxSize(50);
    }

    // ------------------------------------------------------------------ model

    static final class ModelEntry {
        final long term;
        final EntryKind kind;
        byte origin;
        long correlation;
        final byte[] payload;
        final long start;
        final long end;

        ModelEntry(long term, EntryKind kind, byte origin, long correlation, byte[] payload, long start) {
            this.term = term;
            this.kind = kind;
            this.origin = origin;
            this.correlation = correlation;
            this.payload = payload;
            this.start = start;
            this.end = start + payload.length;
        }

        ModelEntry copy() {
            return new ModelEntry(term, kind, origin, correlation, payload, start);
        }
    }

    static final class Model {
        final int slots;
        final int arena;
        final TreeMap<Long, ModelEntry> held = new TreeMap<>();
        long next = 1;
        long tail;
        long applied;
        long term = 1;

        Model(int slots, int arena) {
            this.slots = slots;
            this.arena = arena;
        }

        Model copy() {
            Model m = new Model(slots, arena);
            held.forEach((i, e) -> m.held.put(i, e.copy()));
            m.next = next;
            m.tail = tail;
            m.applied = applied;
            m.term = term;
            return m;
        }

        long firstIndex() {
            return held.isEmpty() ? next : held.firstKey();
        }

        long start(int length) {
            long inArena = tail % arena;
            return inArena + length > arena ? tail - inArena + arena : tail;
        }

        boolean fits(long index, int length) {
            if (held.isEmpty()) {
                return length <= arena;
            }
            if (index - held.firstKey() >= slots) {
                return false;
            }
            return start(length) + length - held.firstEntry().getValue().start <= arena;
        }

        boolean makeRoom(long index, int length, long reclaimable) {
            if (length > arena) {
                return false;
            }
            while (!fits(index, length)) {
                if (held.isEmpty() || held.firstKey() > reclaimable) {
                    return false;
                }
                held.pollFirstEntry();
            }
            return true;
        }

        void write(long index, long term, EntryKind kind, byte origin, long correlation, byte[] payload) {
            ModelEntry entry = new ModelEntry(term, kind, origin, correlation, payload, start(payload.length));
            held.put(index, entry);
            tail = entry.end;
            next = index + 1;
        }

        void reclaimUpTo(long index) {
            held.headMap(index, true).clear();
        }

        void truncateFrom(long index) {
            if (index >= next) {
                return;
            }
            if (held.isEmpty() || index <= held.firstKey()) {
                resetTo(index);
                return;
            }
            held.tailMap(index, true).clear();
            tail = held.lastEntry().getValue().end;
            next = index;
        }

        void resetTo(long index) {
            held.clear();
            next = index;
        }
    }

    // ------------------------------------------------------------------ properties

    @Property
    void ringMatchesTheModel(@ForAll("ops") List<Op> ops, @ForAll @IntRange(min = 1, max = 4) int slotsLog2,
                             @ForAll @IntRange(min = 8, max = 400) int arena) {
        run(ops, 1 << slotsLog2, arena);
    }

    @Property
    void countFittingMatchesMakeRoomAndWrite(@ForAll("fittingOps") List<Op> ops,
                                             @ForAll @IntRange(min = 1, max = 3) int slotsLog2,
                                             @ForAll @IntRange(min = 4, max = 120) int arena) {
        run(ops, 1 << slotsLog2, arena);
    }

    private void run(List<Op> ops, int slots, int arena) {
        EntryRing ring = new EntryRing(slots, arena);
        Model model = new Model(slots, arena);
        Checker checker = new Checker(ring, model);
        checker.check("initial");
        for (Op op : ops) {
            apply(ring, model, op);
            checker.check(op.toString());
        }
    }

    private static int size(int permille, boolean big, int arena) {
        int normal = arena / 3;
        if (!big) {
            return (int) ((long) permille * normal / 1000);
        }
        return normal + (int) ((long) permille * (arena + 2 - normal) / 1000); // up to arena + 2
    }

    private static byte[] randomPayload(long seed, int length) {
        byte[] bytes = new byte[length];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    private static void apply(EntryRing ring, Model model, Op op) {
        if (op instanceof Write w) {
            long index = model.next;
            int length = size(w.size(), w.big(), model.arena);
            long term = model.term + (w.newTerm() ? 1 : 0);
            EntryKind kind = w.noop() ? EntryKind.NOOP : EntryKind.COMMAND;
            boolean expected = model.makeRoom(index, length, model.applied);
            boolean actual = ring.makeRoom(index, length, model.applied);
            assertThat(actual).as("makeRoom(%d, %d bytes, reclaimable %d)", index, length, model.applied)
                    .isEqualTo(expected);
            assertThat(ring.firstIndex()).as("what makeRoom reclaimed").isEqualTo(model.firstIndex());
            if (actual) {
                byte[] payload = randomPayload(w.seed(), length);
                ring.write(index, term, kind, w.origin(), w.correlation(), payload, 0, length);
                model.write(index, term, kind, w.origin(), w.correlation(), payload);
                model.term = term;
            }
        } else if (op instanceof Apply a) {
            model.applied = Math.min(model.next - 1, model.applied + a.count());
        } else if (op instanceof Reclaim r) {
            long upTo = Math.min(model.applied, model.firstIndex() - 1 + r.count());
            ring.reclaimUpTo(upTo);
            model.reclaimUpTo(upTo);
        } else if (op instanceof Truncate t) {
            long index = model.applied + 1 + t.position() % (model.next - model.applied);
            ring.truncateFrom(index);
            model.truncateFrom(index);
        } else if (op instanceof Reset r) {
            long index = Math.max(1, model.next + r.delta());
            ring.resetTo(index);
            model.resetTo(index);
            model.applied = index - 1;
        } else if (op instanceof ClearOrigin c) {
            long index = model.next - 1 - c.position();
            ring.clearOrigin(index);
            ModelEntry entry = model.held.get(index);
            if (entry != null) {
                entry.origin = 0;
                entry.correlation = 0;
            }
        } else if (op instanceof CountFitting c) {
            countFitting(ring, model, c);
        } else {
            throw new AssertionError(op);
        }
    }

    private static void countFitting(EntryRing ring, Model model, CountFitting c) {
        long fromIndex = model.applied + 1 + c.position() % (model.next - model.applied);
        int keep = (int) Math.min(c.keep(), fromIndex - 1);
        long newTerm = model.term + 1;
        HeapLogEntries.Builder builder = HeapLogEntries.builder(fromIndex - keep);
        for (int i = 0; i < keep; i++) {
            ModelEntry held = model.held.get(fromIndex - keep + i);
            builder.add(held != null ? held.term : 1, EntryKind.COMMAND, held != null ? held.payload : new byte[0]);
        }
        Random random = new Random(c.seed());
        for (int size : c.sizes()) {
            byte[] payload = new byte[size(size, c.big(), model.arena)];
            random.nextBytes(payload);
            builder.add(newTerm, random.nextInt(4) == 0 ? EntryKind.NOOP : EntryKind.COMMAND, payload);
        }
        HeapLogEntries entries = builder.build();

        Model predicted = model.copy();
        predicted.truncateFrom(fromIndex);
        int expected = 0;
        while (keep + expected < entries.count()
                && predicted.makeRoom(fromIndex + expected, entries.payloadBytes(keep + expected).length,
                model.applied)) {
            predicted.write(fromIndex + expected, newTerm, entries.kindAt(keep + expected), (byte) 0, 0,
                    entries.payloadBytes(keep + expected));
            expected++;
        }

        long firstBefore = ring.firstIndex();
        long lastBefore = ring.lastIndex();
        int fitting = ring.countFitting(entries, keep, model.applied);
        assertThat(ring.firstIndex()).as("countFitting changes nothing").isEqualTo(firstBefore);
        assertThat(ring.lastIndex()).as("countFitting changes nothing").isEqualTo(lastBefore);
        assertThat(fitting).as("countFitting of %s from %d, reclaimable %d", entries, fromIndex, model.applied)
                .isEqualTo(expected);

        // Now really: truncate, then every counted entry fits, and the next one does not.
        ring.truncateFrom(fromIndex);
        model.truncateFrom(fromIndex);
        for (int i = keep; i < keep + fitting; i++) {
            long index = entries.firstIndex() + i;
            byte[] payload = entries.payloadBytes(i);
            assertThat(ring.makeRoom(index, payload.length, model.applied))
                    .as("entry %d (%d bytes) counted as fitting", index, payload.length).isTrue();
            assertThat(model.makeRoom(index, payload.length, model.applied)).isTrue();
            ring.write(index, newTerm, entries.kindAt(i), (byte) 0, 0, payload, 0, payload.length);
            model.write(index, newTerm, entries.kindAt(i), (byte) 0, 0, payload);
            model.term = newTerm;
        }
        if (keep + fitting < entries.count()) {
            long index = entries.firstIndex() + keep + fitting;
            int length = entries.payloadBytes(keep + fitting).length;
            assertThat(ring.makeRoom(index, length, model.applied))
                    .as("entry %d (%d bytes) counted as not fitting", index, length).isFalse();
            model.makeRoom(index, length, model.applied); // reclaims the same
        }
    }

    /** Reads every index around the ring and compares with the model. */
    static final class Checker {
        private final EntryRing ring;
        private final Model model;
        private final EntryHeader header = new EntryHeader();
        private final byte[] dst;

        Checker(EntryRing ring, Model model) {
            this.ring = ring;
            this.model = model;
            this.dst = new byte[model.arena + 3];
        }

        void check(String after) {
            assertThat(ring.lastIndex()).as("lastIndex after %s", after).isEqualTo(model.next - 1);
            assertThat(ring.firstIndex()).as("firstIndex after %s", after).isEqualTo(model.firstIndex());
            assertThat(ring.firstIndex() - 1).as("reclaimed beyond applied after %s", after)
                    .isLessThanOrEqualTo(model.applied);
            long from = Math.max(-1, model.next - 3L * model.slots);
            for (long index = from; index <= model.next + 1; index++) {
                checkIndex(index, after);
            }
            for (Map.Entry<Long, ModelEntry> e : model.held.entrySet()) {
                checkIndex(e.getKey(), after);
            }
        }

        private void checkIndex(long index, String after) {
            ModelEntry expected = model.held.get(index);
            header.set(-9, -9, (byte) 0, (byte) 0, -9);
            int length = ring.read(index, header, dst, 3);
            if (expected == null) {
                assertThat(length).as("read(%d) after %s: the model does not hold it", index, after)
                        .isEqualTo(EntryRing.ABSENT);
                assertThat(ring.lengthAt(index)).isEqualTo(EntryRing.ABSENT);
                return;
            }
            assertThat(length).as("read(%d) after %s: the model holds it", index, after)
                    .isEqualTo(expected.payload.length);
            assertThat(header.index).isEqualTo(index);
            assertThat(header.term).as("term of %d after %s", index, after).isEqualTo(expected.term);
            assertThat(header.kind()).isEqualTo(expected.kind);
            assertThat(header.origin).as("origin of %d after %s", index, after).isEqualTo(expected.origin);
            assertThat(header.correlation).isEqualTo(expected.correlation);
            byte[] payload = java.util.Arrays.copyOfRange(dst, 3, 3 + length);
            assertThat(payload).as("payload of %d after %s", index, after).isEqualTo(expected.payload);
            assertThat(ring.lengthAt(index)).isEqualTo(expected.payload.length);
            assertThat(ring.originAt(index)).isEqualTo(expected.origin);
            assertThat(ring.correlationAt(index)).isEqualTo(expected.correlation);
        }
    }
}
