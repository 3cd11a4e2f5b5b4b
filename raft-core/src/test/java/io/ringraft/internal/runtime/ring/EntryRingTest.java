package io.ringraft.internal.runtime.ring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringraft.api.EntryKind;
import io.ringraft.internal.runtime.requests.ProposalOutcomes;
import io.ringraft.message.HeapLogEntries;
import io.ringraft.spi.LogEntries;
import org.junit.jupiter.api.Test;

/** Exact, single-threaded behaviour of {@link EntryRing}. */
class EntryRingTest {

    private final EntryHeader header = new EntryHeader();
    private final byte[] dst = new byte[4096];

    // ------------------------------------------------------------------ helpers

    /** A payload that depends on index, term and length, so a payload of another entry never matches. */
    static byte[] payload(long index, long term, int length) {
        byte[] bytes = new byte[length];
        long x = index * 0x9E3779B97F4A7C15L + term * 0xC2B2AE3D27D4EB4FL + length;
        for (int i = 0; i < length; i++) {
            x ^= x << 13;
            x ^= x >>> 7;
            x ^= x << 17;
            bytes[i] = (byte) x;
        }
        return bytes;
    }

    private static void write(EntryRing ring, long index, long term, int length) {
        write(ring, index, term, EntryKind.COMMAND, (byte) 0, 0, length);
    }

    private static void write(EntryRing ring, long index, long term, EntryKind kind, byte origin, long correlation,
                              int length) {
        byte[] bytes = payload(index, term, length);
        // at a non-zero offset of a larger buffer: the ring must honour offset and length
        byte[] framed = new byte[length + 7];
        System.arraycopy(bytes, 0, framed, 3, length);
        ring.write(index, term, kind, origin, correlation, framed, 3, length);
    }

    /** makeRoom then write, failing the test if there is no room. */
    private static void append(EntryRing ring, long index, long term, int length, long reclaimable) {
        assertThat(ring.makeRoom(index, length, reclaimable))
                .as("room for entry %d (%d bytes, reclaimable %d)", index, length, reclaimable).isTrue();
        write(ring, index, term, length);
    }

    private void assertHolds(EntryRing ring, long index, long term, int length) {
        assertHolds(ring, index, term, EntryKind.COMMAND, (byte) 0, 0, length);
    }

    private void assertHolds(EntryRing ring, long index, long term, EntryKind kind, byte origin, long correlation,
                             int length) {
        int read = ring.read(index, header, dst, 5);
        assertThat(read).as("length read for entry %d", index).isEqualTo(length);
        assertThat(header.index).isEqualTo(index);
        assertThat(header.term).as("term of %d", index).isEqualTo(term);
        assertThat(header.kind()).isEqualTo(kind);
        assertThat(header.origin).isEqualTo(origin);
        assertThat(header.correlation).isEqualTo(correlation);
        byte[] got = java.util.Arrays.copyOfRange(dst, 5, 5 + length);
        assertThat(got).as("payload of %d", index).isEqualTo(payload(index, term, length));
        assertThat(ring.lengthAt(index)).isEqualTo(length);
    }

    private void assertAbsent(EntryRing ring, long index) {
        header.set(-7, -7, (byte) 0, (byte) 0, -7);
        assertThat(ring.read(index, header, dst, 0)).as("read of %d", index).isEqualTo(EntryRing.ABSENT);
        assertThat(header.index).as("header untouched by an absent read").isEqualTo(-7);
        assertThat(ring.lengthAt(index)).isEqualTo(EntryRing.ABSENT);
    }

    private static HeapLogEntries entries(long firstIndex, long term, int... lengths) {
        HeapLogEntries.Builder builder = HeapLogEntries.builder(firstIndex);
        for (int i = 0; i < lengths.length; i++) {
            builder.add(term, EntryKind.COMMAND, payload(firstIndex + i, term, lengths[i]));
        }
        return builder.build();
    }

    /**
     * Checks countFitting against what really happens: truncating at the entries' first new index
     * and writing them with makeRoom. Every counted entry must fit, and (if not all were counted) the
     * next one must not.
     */
    private int assertCountFittingMatches(EntryRing ring, LogEntries entries, int fromOffset, long reclaimable) {
        long firstBefore = ring.firstIndex();
        long lastBefore = ring.lastIndex();
        int fitting = ring.countFitting(entries, fromOffset, reclaimable);
        assertThat(ring.firstIndex()).as("countFitting changes nothing").isEqualTo(firstBefore);
        assertThat(ring.lastIndex()).as("countFitting changes nothing").isEqualTo(lastBefore);
        assertThat(fitting).isBetween(0, entries.count() - fromOffset);

        long fromIndex = entries.firstIndex() + fromOffset;
        ring.truncateFrom(fromIndex);
        for (int i = fromOffset; i < fromOffset + fitting; i++) {
            long index = entries.firstIndex() + i;
            int length = entries.payloadAt(i).length();
            assertThat(ring.makeRoom(index, length, reclaimable))
                    .as("entry %d (%d bytes) was counted as fitting", index, length).isTrue();
            ring.write(index, entries.termAt(i), entries.kindAt(i), (byte) 0, 0, entries.payloadAt(i));
        }
        int next = fromOffset + fitting;
        if (next < entries.count()) {
            assertThat(ring.makeRoom(entries.firstIndex() + next, entries.payloadAt(next).length(), reclaimable))
                    .as("entry %d was counted as not fitting", entries.firstIndex() + next).isFalse();
        }
        for (int i = fromOffset; i < fromOffset + fitting; i++) {
            assertHolds(ring, entries.firstIndex() + i, entries.termAt(i), entries.payloadAt(i).length());
        }
        return fitting;
    }

    // ------------------------------------------------------------------ construction

    @Test
    void rejectsBadCapacities() {
        assertThatThrownBy(() -> new EntryRing(3, 100)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new EntryRing(1, 100)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new EntryRing(0, 100)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new EntryRing(4, 0)).isInstanceOf(IllegalArgumentException.class);
        EntryRing ring = new EntryRing(2, 1);
        assertThat(ring.capacity()).isEqualTo(2);
        assertThat(ring.capacityBytes()).isEqualTo(1);
    }

    @Test
    void newRingIsEmptyAndPositionedAtOne() {
        EntryRing ring = new EntryRing(8, 256);
        assertThat(ring.firstIndex()).isEqualTo(1);
        assertThat(ring.lastIndex()).isZero();
        for (long i = -1; i <= 20; i++) {
            assertAbsent(ring, i);
        }
    }

    // ------------------------------------------------------------------ round trip

    @Test
    void roundTripsEveryField() {
        EntryRing ring = new EntryRing(8, 256);
        write(ring, 1, 3, EntryKind.NOOP, (byte) 0, 0, 0);
        write(ring, 2, 3, EntryKind.COMMAND, (byte) 7, 0x1234_5678_9ABC_DEF0L, 17);
        write(ring, 3, 4, EntryKind.COMMAND, (byte) -1, -1L, 1);
        write(ring, 4, 9, EntryKind.COMMAND, (byte) 2, Long.MIN_VALUE, 0);
        assertThat(ring.firstIndex()).isEqualTo(1);
        assertThat(ring.lastIndex()).isEqualTo(4);
        assertHolds(ring, 1, 3, EntryKind.NOOP, (byte) 0, 0, 0);
        assertHolds(ring, 2, 3, EntryKind.COMMAND, (byte) 7, 0x1234_5678_9ABC_DEF0L, 17);
        assertHolds(ring, 3, 4, EntryKind.COMMAND, (byte) -1, -1L, 1);
        assertHolds(ring, 4, 9, EntryKind.COMMAND, (byte) 2, Long.MIN_VALUE, 0);
        assertThat(ring.originAt(2)).isEqualTo((byte) 7);
        assertThat(ring.correlationAt(2)).isEqualTo(0x1234_5678_9ABC_DEF0L);
        assertAbsent(ring, 5);
        assertAbsent(ring, 0);
        assertAbsent(ring, 9); // same slot as 1
    }

    @Test
    void writesAnEmptyPayloadFromANullBufferLikeTheNoop() {
        EntryRing ring = new EntryRing(4, 16);
        ring.write(1, 1, EntryKind.NOOP, ProposalOutcomes.NONE, 0, null, 0, 0);
        assertHolds(ring, 1, 1, EntryKind.NOOP, ProposalOutcomes.NONE, 0, 0);
        // an empty payload may be read into a destination with no room at all
        assertThat(ring.read(1, header, new byte[0], 0)).isZero();
    }

    @Test
    void readIsAbsentWhenTheDestinationHasNoRoom() {
        EntryRing ring = new EntryRing(4, 64);
        write(ring, 1, 1, 10);
        byte[] small = new byte[10];
        assertThat(ring.read(1, header, small, 1)).isEqualTo(EntryRing.ABSENT);
        assertThat(ring.read(1, header, new byte[9], 0)).isEqualTo(EntryRing.ABSENT);
        assertThat(ring.read(1, header, small, 0)).isEqualTo(10);
    }

    @Test
    void writeRequiresTheNextIndexAndAFreeSlotAndArena() {
        EntryRing ring = new EntryRing(2, 20);
        write(ring, 5, 1, 4); // any index when empty
        assertThat(ring.firstIndex()).isEqualTo(5);
        assertThatThrownBy(() -> write(ring, 7, 1, 1)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> write(ring, 5, 1, 1)).isInstanceOf(IllegalStateException.class);
        write(ring, 6, 1, 4);
        assertThatThrownBy(() -> write(ring, 7, 1, 0)).as("both slots taken")
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("full");
        ring.reclaimUpTo(5);
        assertThatThrownBy(() -> write(ring, 7, 1, 17)).as("4 live bytes + 17 > 20")
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("arena");
        // nothing changed by the refused writes
        assertAbsent(ring, 5);
        assertHolds(ring, 6, 1, 4);
        assertThat(ring.lastIndex()).isEqualTo(6);
        write(ring, 7, 1, 12); // 8..20 exactly
        assertHolds(ring, 7, 1, 12);
    }

    // ------------------------------------------------------------------ reclaim and wrap-around

    @Test
    void reclaimedEntriesAreAbsent() {
        EntryRing ring = new EntryRing(8, 256);
        for (long i = 1; i <= 6; i++) {
            write(ring, i, 1, (int) i);
        }
        ring.reclaimUpTo(3);
        assertThat(ring.firstIndex()).isEqualTo(4);
        for (long i = 1; i <= 3; i++) {
            assertAbsent(ring, i);
        }
        for (long i = 4; i <= 6; i++) {
            assertHolds(ring, i, 1, (int) i);
        }
        ring.reclaimUpTo(2); // below firstIndex: nothing
        assertThat(ring.firstIndex()).isEqualTo(4);
        assertHolds(ring, 4, 1, 4);
        ring.reclaimUpTo(100); // beyond lastIndex: everything, and the ring waits for 7
        assertThat(ring.firstIndex()).isEqualTo(7);
        assertThat(ring.lastIndex()).isEqualTo(6);
        for (long i = 1; i <= 8; i++) {
            assertAbsent(ring, i);
        }
        write(ring, 7, 1, 7);
        assertHolds(ring, 7, 1, 7);
    }

    @Test
    void slotsAndArenaWrapAroundManyTimes() {
        int slots = 8;
        int arena = 200;
        EntryRing ring = new EntryRing(slots, arena);
        long applied = 0;
        int maxHeld = 0;
        for (long index = 1; index <= 20_000; index++) {
            int length = (int) ((index * 37) % 31); // 0..30, crosses the arena end at varying offsets
            applied = Math.max(applied, index - 4);
            append(ring, index, 1 + index / 1000, length, applied);
            assertThat(ring.firstIndex() - 1).as("never reclaims beyond the reclaimable bound")
                    .isLessThanOrEqualTo(applied);
            maxHeld = (int) Math.max(maxHeld, ring.lastIndex() - ring.firstIndex() + 1);
            for (long i = Math.max(1, index - 2 * slots); i <= index + 1; i++) {
                if (i >= ring.firstIndex() && i <= ring.lastIndex()) {
                    assertHolds(ring, i, 1 + i / 1000, (int) ((i * 37) % 31));
                } else {
                    assertAbsent(ring, i);
                }
            }
        }
        assertThat(maxHeld).as("every slot is used").isEqualTo(slots);
    }

    // ------------------------------------------------------------------ arena boundary

    @Test
    void payloadEndingExactlyAtTheArenaEndStaysThere() {
        EntryRing ring = new EntryRing(8, 100);
        append(ring, 1, 1, 30, 0);
        append(ring, 2, 1, 30, 0);
        append(ring, 3, 1, 30, 0);
        // 90 + 10 = 100: fits at the end without reclaiming anything
        append(ring, 4, 1, 10, 0);
        assertThat(ring.firstIndex()).isEqualTo(1);
        for (long i = 1; i <= 3; i++) {
            assertHolds(ring, i, 1, 30);
        }
        assertHolds(ring, 4, 1, 10);
        // the arena is now exactly full: even one byte needs entry 1's room
        assertThat(ring.makeRoom(5, 1, 0)).isFalse();
        assertThat(ring.makeRoom(5, 0, 0)).as("an empty payload takes no arena room").isTrue();
        assertThat(ring.makeRoom(5, 30, 1)).isTrue();
        assertThat(ring.firstIndex()).isEqualTo(2);
        write(ring, 5, 1, 30);
        assertHolds(ring, 5, 1, 30);
        assertAbsent(ring, 1);
        for (long i = 2; i <= 4; i++) {
            assertHolds(ring, i, 1, i == 4 ? 10 : 30);
        }
    }

    @Test
    void payloadOneByteTooLongForTheArenaEndStartsAtOffsetZero() {
        EntryRing ring = new EntryRing(8, 100);
        append(ring, 1, 1, 30, 0);
        append(ring, 2, 1, 30, 0);
        append(ring, 3, 1, 30, 0);
        // 90 + 11 > 100: starts at 0, which entry 1 still occupies
        assertThat(ring.makeRoom(4, 11, 0)).isFalse();
        assertThat(ring.firstIndex()).isEqualTo(1);
        // skipping the 10 bytes at the end: 11 bytes fit once entry 1 (0..30) is reclaimed
        assertThat(ring.makeRoom(4, 11, 3)).isTrue();
        assertThat(ring.firstIndex()).as("reclaims only as much as needed").isEqualTo(2);
        write(ring, 4, 1, 11);
        assertHolds(ring, 4, 1, 11);
        // 11..30 is free, then entry 2 at 30: 19 bytes fit, 20 do not
        assertThat(ring.makeRoom(5, 20, 0)).isFalse();
        assertThat(ring.makeRoom(5, 19, 0)).isTrue();
        write(ring, 5, 1, 19);
        assertThat(ring.firstIndex()).isEqualTo(2);
        assertHolds(ring, 2, 1, 30);
        assertHolds(ring, 3, 1, 30);
        assertHolds(ring, 4, 1, 11);
        assertHolds(ring, 5, 1, 19);
    }

    @Test
    void skippedArenaEndCountsAgainstTheRoom() {
        EntryRing ring = new EntryRing(8, 100);
        append(ring, 1, 1, 60, 0);
        // 60 + 50 > 100: would start at 100 and end at 150, 150 - 0 > 100
        assertThat(ring.makeRoom(2, 50, 0)).isFalse();
        append(ring, 2, 1, 40, 0); // 60..100 exactly
        assertThat(ring.makeRoom(3, 1, 0)).isFalse();
        assertThat(ring.makeRoom(3, 60, 1)).isTrue();
        write(ring, 3, 1, 60);
        assertHolds(ring, 2, 1, 40);
        assertHolds(ring, 3, 1, 60);
    }

    // ------------------------------------------------------------------ makeRoom

    @Test
    void makeRoomIsFalseWhileOnlyUnreclaimableEntriesOccupyTheSlots() {
        EntryRing ring = new EntryRing(4, 1000);
        for (long i = 1; i <= 4; i++) {
            append(ring, i, 1, 5, 0);
        }
        assertThat(ring.makeRoom(5, 0, 0)).isFalse();
        assertThat(ring.firstIndex()).isEqualTo(1);
        assertHolds(ring, 1, 1, 5);
        assertThat(ring.makeRoom(5, 0, 3)).isTrue();
        assertThat(ring.firstIndex()).as("one slot was needed, one was reclaimed").isEqualTo(2);
        assertAbsent(ring, 1);
        write(ring, 5, 2, 5);
        assertHolds(ring, 5, 2, 5);
        for (long i = 2; i <= 4; i++) {
            assertHolds(ring, i, 1, 5);
        }
    }

    @Test
    void makeRoomIsFalseWhileOnlyUnreclaimableEntriesOccupyTheArena() {
        EntryRing ring = new EntryRing(16, 100);
        for (long i = 1; i <= 4; i++) {
            append(ring, i, 1, 25, 0);
        }
        assertThat(ring.makeRoom(5, 30, 1)).isFalse();
        assertThat(ring.firstIndex()).as("reclaimed what it could").isEqualTo(2);
        assertThat(ring.makeRoom(5, 30, 2)).isTrue();
        assertThat(ring.firstIndex()).isEqualTo(3);
        write(ring, 5, 1, 30);
        assertHolds(ring, 3, 1, 25);
        assertHolds(ring, 4, 1, 25);
        assertHolds(ring, 5, 1, 30);
    }

    @Test
    void reclaimableBoundAboveLastIndexIsHarmless() {
        EntryRing ring = new EntryRing(2, 10);
        append(ring, 1, 1, 10, Long.MAX_VALUE);
        append(ring, 2, 1, 10, Long.MAX_VALUE);
        append(ring, 3, 1, 10, Long.MAX_VALUE);
        assertThat(ring.firstIndex()).isEqualTo(3);
        assertHolds(ring, 3, 1, 10);
    }

    @Test
    void anEntryLargerThanTheArenaNeverFits() {
        EntryRing ring = new EntryRing(8, 100);
        assertThat(ring.makeRoom(1, 101, Long.MAX_VALUE)).isFalse();
        assertThat(ring.makeRoom(1, Integer.MAX_VALUE, Long.MAX_VALUE)).isFalse();
        append(ring, 1, 1, 100, 0); // exactly the arena
        assertHolds(ring, 1, 1, 100);
        assertThat(ring.makeRoom(2, 101, Long.MAX_VALUE)).isFalse();
        assertThat(ring.firstIndex()).as("no point reclaiming for an entry that can never fit").isEqualTo(1);
        assertThat(ring.makeRoom(2, 100, 1)).isTrue();
        write(ring, 2, 1, 100);
        assertHolds(ring, 2, 1, 100);
    }

    @Test
    void anEmptyRingTakesAnyEntryUpToTheArenaWhereverItsTailIs() {
        EntryRing ring = new EntryRing(8, 100);
        append(ring, 1, 1, 30, 0);
        ring.reclaimUpTo(1); // empty, tail at 30
        // 80 bytes cannot go at 30 (30 + 80 > 100), but nothing is held: they must fit at 0
        append(ring, 2, 1, 80, 1);
        assertHolds(ring, 2, 1, 80);
        ring.reclaimUpTo(2);
        append(ring, 3, 1, 100, 2);
        assertHolds(ring, 3, 1, 100);
        // and through reclaiming: entry 3 held, reclaimable
        append(ring, 4, 1, 70, 3);
        assertHolds(ring, 4, 1, 70);
        append(ring, 5, 1, 30, 3);
        assertHolds(ring, 4, 1, 70);
        assertHolds(ring, 5, 1, 30);
    }

    // ------------------------------------------------------------------ truncation

    @Test
    void truncateInTheMiddleThenReappendWithANewTerm() {
        EntryRing ring = new EntryRing(8, 200);
        for (long i = 1; i <= 6; i++) {
            append(ring, i, 1, 20, 0);
        }
        ring.truncateFrom(4);
        assertThat(ring.lastIndex()).isEqualTo(3);
        assertThat(ring.firstIndex()).isEqualTo(1);
        for (long i = 4; i <= 6; i++) {
            assertAbsent(ring, i);
        }
        assertThatThrownBy(() -> write(ring, 5, 2, 1)).isInstanceOf(IllegalStateException.class);
        // the truncated arena bytes are reused: 6 * 20 + 3 * 30 > 200 would not fit otherwise
        for (long i = 4; i <= 6; i++) {
            append(ring, i, 2, 30, 0);
        }
        for (long i = 1; i <= 3; i++) {
            assertHolds(ring, i, 1, 20);
        }
        for (long i = 4; i <= 6; i++) {
            assertHolds(ring, i, 2, 30);
        }
        ring.truncateFrom(7); // beyond the last: nothing
        ring.truncateFrom(100);
        assertThat(ring.lastIndex()).isEqualTo(6);
        assertHolds(ring, 6, 2, 30);
        ring.truncateFrom(6); // only the last
        assertAbsent(ring, 6);
        assertHolds(ring, 5, 2, 30);
        append(ring, 6, 3, 0, 0);
        assertHolds(ring, 6, 3, 0);
    }

    @Test
    void truncateAtOrBelowFirstIndexResetsTheRing() {
        EntryRing ring = new EntryRing(8, 200);
        for (long i = 1; i <= 6; i++) {
            append(ring, i, 1, 20, 0);
        }
        ring.reclaimUpTo(3);
        ring.truncateFrom(2);
        assertThat(ring.firstIndex()).as("the next write must be the truncation index").isEqualTo(2);
        assertThat(ring.lastIndex()).isEqualTo(1);
        for (long i = 0; i <= 8; i++) {
            assertAbsent(ring, i);
        }
        // the whole arena is free again
        append(ring, 2, 2, 200, 0);
        assertHolds(ring, 2, 2, 200);

        ring.truncateFrom(2); // exactly firstIndex: same as a reset
        assertThat(ring.firstIndex()).isEqualTo(2);
        assertThat(ring.lastIndex()).isEqualTo(1);
        assertAbsent(ring, 2);
        // empty: a write may start at any index, as write() documents
        append(ring, 50, 3, 7, 0);
        assertThat(ring.firstIndex()).isEqualTo(50);
        assertHolds(ring, 50, 3, 7);
    }

    @Test
    void truncatingAnEmptyRingAtItsNextIndexChangesNothing() {
        EntryRing ring = new EntryRing(4, 64);
        append(ring, 1, 1, 8, 0);
        ring.reclaimUpTo(1);
        ring.truncateFrom(2);
        assertThat(ring.firstIndex()).isEqualTo(2);
        assertThat(ring.lastIndex()).isEqualTo(1);
        ring.truncateFrom(1);
        assertThat(ring.firstIndex()).isEqualTo(1);
        assertThat(ring.lastIndex()).isZero();
    }

    @Test
    void resetToEmptiesTheRingAndPositionsIt() {
        EntryRing ring = new EntryRing(8, 100);
        for (long i = 1; i <= 5; i++) {
            append(ring, i, 1, 13, 0);
        }
        ring.resetTo(100);
        assertThat(ring.firstIndex()).isEqualTo(100);
        assertThat(ring.lastIndex()).isEqualTo(99);
        for (long i = 0; i <= 10; i++) {
            assertAbsent(ring, i);
        }
        assertAbsent(ring, 100);
        assertAbsent(ring, 99);
        append(ring, 100, 5, 100, 0); // the whole arena, wherever the tail was
        assertHolds(ring, 100, 5, 100);
        ring.resetTo(3); // backwards too
        assertThat(ring.firstIndex()).isEqualTo(3);
        assertAbsent(ring, 100);
        append(ring, 3, 6, 1, 0);
        assertHolds(ring, 3, 6, 1);
    }

    // ------------------------------------------------------------------ countFitting

    @Test
    void countFittingForAPlainAppend() {
        EntryRing ring = new EntryRing(8, 100);
        append(ring, 1, 1, 30, 0);
        append(ring, 2, 1, 30, 0);
        // from 3, nothing reclaimable: 40 bytes left, 4 entries of 10 fit, not a fifth
        assertThat(assertCountFittingMatches(ring, entries(3, 1, 10, 10, 10, 10, 10, 10), 0, 0)).isEqualTo(4);
    }

    @Test
    void countFittingIsLimitedBySlots() {
        EntryRing ring = new EntryRing(4, 1000);
        append(ring, 1, 1, 1, 0);
        append(ring, 2, 1, 1, 0);
        assertThat(assertCountFittingMatches(ring, entries(3, 1, 0, 0, 0, 0), 0, 0)).isEqualTo(2);
    }

    @Test
    void countFittingCountsReclaimableEntries() {
        EntryRing ring = new EntryRing(4, 1000);
        append(ring, 1, 1, 1, 0);
        append(ring, 2, 1, 1, 0);
        assertThat(assertCountFittingMatches(ring, entries(3, 1, 0, 0, 0, 0), 0, 2)).isEqualTo(4);
    }

    @Test
    void countFittingAfterAVirtualTruncationInTheMiddle() {
        EntryRing ring = new EntryRing(8, 100);
        for (long i = 1; i <= 5; i++) {
            append(ring, i, 1, 20, 0);
        }
        // truncating at 3 frees 60 bytes: three 20s fit, a fourth does not
        assertThat(assertCountFittingMatches(ring, entries(3, 2, 20, 20, 20, 20), 0, 0)).isEqualTo(3);
    }

    @Test
    void countFittingFromAnOffsetSkipsEntriesAlreadyHeld() {
        EntryRing ring = new EntryRing(8, 100);
        for (long i = 1; i <= 4; i++) {
            append(ring, i, 1, 20, 0);
        }
        // entries 2..7 where 2..3 match what the ring holds: the new ones start at offset 2 (index 4)
        HeapLogEntries incoming = HeapLogEntries.builder(2)
                .add(1, EntryKind.COMMAND, payload(2, 1, 20))
                .add(1, EntryKind.COMMAND, payload(3, 1, 20))
                .add(2, EntryKind.COMMAND, payload(4, 2, 30))
                .add(2, EntryKind.COMMAND, payload(5, 2, 30))
                .add(2, EntryKind.COMMAND, payload(6, 2, 30))
                .build();
        // after truncating at 4, 1..3 hold 0..60. With 2 reclaimable: 60..90, then (skipping 90..100)
        // 100..130 once 1 and 2 are reclaimed; a third would need entry 3's bytes
        assertThat(assertCountFittingMatches(ring, incoming, 2, 2)).isEqualTo(2);
        assertThat(ring.firstIndex()).isEqualTo(3);
    }

    @Test
    void countFittingWhenEveryKeptEntryIsReclaimable() {
        // A follower applied 1, holds unapplied 2..3 up to the arena end, and a new leader replaces
        // 2..3. After the truncation the tail is back at 30, not at the old arena end.
        EntryRing ring = new EntryRing(8, 100);
        append(ring, 1, 1, 30, 0);
        append(ring, 2, 1, 35, 0);
        append(ring, 3, 1, 35, 0);
        assertCountFittingMatches(ring, entries(2, 2, 50, 50, 50), 0, 1);
    }

    @Test
    void countFittingWhenEveryKeptEntryIsReclaimableAndTheTailWraps() {
        EntryRing ring = new EntryRing(8, 100);
        append(ring, 1, 1, 60, 0);
        append(ring, 2, 1, 10, 0);
        assertCountFittingMatches(ring, entries(2, 2, 45, 45, 45), 0, 1);
    }

    @Test
    void countFittingForAnEmptyRingWithItsTailInTheMiddleOfTheArena() {
        EntryRing ring = new EntryRing(8, 100);
        append(ring, 1, 1, 30, 0);
        ring.reclaimUpTo(1);
        assertThat(assertCountFittingMatches(ring, entries(2, 1, 80, 20, 1), 0, 1)).isEqualTo(2);
    }

    @Test
    void countFittingWhenTheWholeRingIsTruncated() {
        EntryRing ring = new EntryRing(8, 100);
        for (long i = 1; i <= 4; i++) {
            append(ring, i, 1, 25, 0);
        }
        ring.reclaimUpTo(1);
        // truncating at 2 = firstIndex resets the ring: all 100 bytes are free
        assertThat(assertCountFittingMatches(ring, entries(2, 2, 50, 50, 1), 0, 1)).isEqualTo(2);
    }

    /** Arena 26: 1 at 0..8, 2 at 8..16, 3 at 16..20; 4 skips 20..26 and sits at 26..34 (1 reclaimed). */
    private EntryRing ringWithASkipBeforeEntryFour() {
        EntryRing ring = new EntryRing(8, 26);
        append(ring, 1, 1, 8, 0);
        append(ring, 2, 1, 8, 0);
        append(ring, 3, 1, 4, 0);
        append(ring, 4, 1, 8, 1);
        assertThat(ring.firstIndex()).isEqualTo(2);
        return ring;
    }

    @Test
    void bytesSkippedAtTheArenaEndAreFreeOnceTheEntriesBeforeThemAreReclaimed() {
        EntryRing ring = ringWithASkipBeforeEntryFour();
        // with 2 and 3 reclaimed only 4 (26..34) is live: 34..52 is 18 bytes, 52 - 26 = the arena
        append(ring, 5, 1, 18, 3);
        assertThat(ring.firstIndex()).isEqualTo(4);
        assertHolds(ring, 4, 1, 8);
        assertHolds(ring, 5, 1, 18);
        assertThat(ring.makeRoom(6, 1, 3)).isFalse();
    }

    @Test
    void countFittingAgreesWithMakeRoomAfterASkipBeforeTheOldestKeptEntry() {
        EntryRing ring = ringWithASkipBeforeEntryFour();
        assertThat(assertCountFittingMatches(ring, entries(5, 1, 18, 1), 0, 3)).isEqualTo(1);
    }

    @Test
    void countFittingOfNothingNewIsZero() {
        EntryRing ring = new EntryRing(8, 100);
        append(ring, 1, 1, 10, 0);
        HeapLogEntries incoming = entries(1, 1, 10);
        assertThat(ring.countFitting(incoming, 1, 0)).isZero();
        assertHolds(ring, 1, 1, 10);
    }

    // ------------------------------------------------------------------ lengthAt, clearOrigin

    @Test
    void lengthAtCoversExactlyTheHeldEntries() {
        EntryRing ring = new EntryRing(4, 100);
        append(ring, 1, 1, 0, 0);
        append(ring, 2, 1, 9, 0);
        append(ring, 3, 1, 33, 0);
        assertThat(ring.lengthAt(0)).isEqualTo(EntryRing.ABSENT);
        assertThat(ring.lengthAt(1)).isZero();
        assertThat(ring.lengthAt(2)).isEqualTo(9);
        assertThat(ring.lengthAt(3)).isEqualTo(33);
        assertThat(ring.lengthAt(4)).isEqualTo(EntryRing.ABSENT);
        assertThat(ring.lengthAt(5)).as("same slot as 1").isEqualTo(EntryRing.ABSENT);
        ring.reclaimUpTo(1);
        assertThat(ring.lengthAt(1)).isEqualTo(EntryRing.ABSENT);
        ring.truncateFrom(3);
        assertThat(ring.lengthAt(3)).isEqualTo(EntryRing.ABSENT);
        assertThat(ring.lengthAt(2)).isEqualTo(9);
    }

    @Test
    void clearOriginForgetsTheProposerAndNothingElse() {
        EntryRing ring = new EntryRing(4, 100);
        write(ring, 1, 2, EntryKind.COMMAND, (byte) 3, 42, 12);
        write(ring, 2, 2, EntryKind.COMMAND, (byte) 4, 43, 12);
        ring.clearOrigin(1);
        assertHolds(ring, 1, 2, EntryKind.COMMAND, (byte) 0, 0, 12);
        assertThat(ring.originAt(1)).isZero();
        assertThat(ring.correlationAt(1)).isZero();
        assertHolds(ring, 2, 2, EntryKind.COMMAND, (byte) 4, 43, 12);
        ring.clearOrigin(1); // twice: still fine
        assertHolds(ring, 1, 2, EntryKind.COMMAND, (byte) 0, 0, 12);
        // the slot is still usable afterwards
        ring.reclaimUpTo(1);
        write(ring, 3, 2, EntryKind.COMMAND, (byte) 5, 44, 5);
        write(ring, 4, 2, EntryKind.COMMAND, (byte) 6, 45, 5);
        write(ring, 5, 2, EntryKind.COMMAND, (byte) 7, 46, 5);
        assertHolds(ring, 5, 2, EntryKind.COMMAND, (byte) 7, 46, 5);
    }

    @Test
    void clearOriginOfAnIndexTheRingDoesNotHoldChangesNothing() {
        EntryRing ring = new EntryRing(2, 100);
        write(ring, 1, 1, EntryKind.COMMAND, (byte) 3, 31, 4);
        write(ring, 2, 1, EntryKind.COMMAND, (byte) 4, 32, 4);
        ring.reclaimUpTo(1);
        write(ring, 3, 1, EntryKind.COMMAND, (byte) 5, 33, 4); // slot of 1
        ring.clearOrigin(1); // reclaimed, its slot holds 3
        assertHolds(ring, 3, 1, EntryKind.COMMAND, (byte) 5, 33, 4);
        ring.clearOrigin(5); // never written, slot of 3
        assertHolds(ring, 3, 1, EntryKind.COMMAND, (byte) 5, 33, 4);
        ring.truncateFrom(3);
        ring.clearOrigin(3); // truncated
        assertAbsent(ring, 3);
        write(ring, 3, 2, EntryKind.COMMAND, (byte) 6, 34, 4);
        assertHolds(ring, 3, 2, EntryKind.COMMAND, (byte) 6, 34, 4);
        assertHolds(ring, 2, 1, EntryKind.COMMAND, (byte) 4, 32, 4);
    }
}
