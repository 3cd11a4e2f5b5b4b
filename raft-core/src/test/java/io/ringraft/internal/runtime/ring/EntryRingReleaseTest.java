package io.ringraft.internal.runtime.ring;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringraft.api.EntryKind;
import org.junit.jupiter.api.Test;

/**
 * {@link EntryRing}'s lazy tables: nothing is allocated before the first write, {@link EntryRing#release()}
 * and {@link EntryRing#releaseUpTo} give the tables back only when every held entry may go, the next write
 * allocates them again, and a reader that read a header or captured a view before the release can never
 * accept what it reads afterwards, even once the same indexes were written again into new tables.
 */
class EntryRingReleaseTest {

    private final EntryHeader header = new EntryHeader();
    private final byte[] dst = new byte[256];

    private static void append(EntryRing ring, long index, long term, int length) {
        assertThat(ring.makeRoom(index, length, index - 1)).isTrue();
        byte[] bytes = EntryRingTest.payload(index, term, length);
        ring.write(index, term, EntryKind.COMMAND, (byte) 0, 0, bytes, 0, length);
    }

    @Test
    void tablesAreAllocatedByTheFirstWriteNotByTheConstructor() {
        EntryRing ring = new EntryRing(8, 256);
        ring.resetTo(5);
        assertThat(ring.isAllocated()).isFalse();
        assertThat(ring.readHeader(5, header)).isFalse();
        assertThat(ring.read(5, header, dst, 0)).isEqualTo(EntryRing.ABSENT);
        assertThat(ring.holds(5)).isFalse();
        assertThat(ring.countFitting(io.ringraft.message.HeapLogEntries.builder(5).add(1, EntryKind.COMMAND,
                new byte[10]).build(), 0, 4)).isEqualTo(1);
        append(ring, 5, 1, 10);
        assertThat(ring.isAllocated()).isTrue();
        assertThat(ring.allocations()).isEqualTo(1);
        assertThat(ring.read(5, header, dst, 0)).isEqualTo(10);
    }

    @Test
    void releaseOnlyWhenEveryHeldEntryMayBeReclaimed() {
        EntryRing ring = new EntryRing(8, 256);
        assertThat(ring.release()).as("never allocated").isFalse();
        append(ring, 1, 1, 10);
        append(ring, 2, 1, 20);
        assertThat(ring.release()).as("holds entries").isFalse();
        assertThat(ring.releaseUpTo(1)).as("entry 2 may not be reclaimed").isFalse();
        assertThat(ring.isAllocated()).isTrue();
        assertThat(ring.read(2, header, dst, 0)).isEqualTo(20);

        assertThat(ring.releaseUpTo(2)).isTrue();
        assertThat(ring.isAllocated()).isFalse();
        assertThat(ring.firstIndex()).as("positioned after the released entries").isEqualTo(3);
        assertThat(ring.lastIndex()).isEqualTo(2);
        assertThat(ring.read(2, header, dst, 0)).isEqualTo(EntryRing.ABSENT);
        assertThat(ring.lengthAt(2)).isEqualTo(EntryRing.ABSENT);
        assertThat(ring.releaseUpTo(2)).as("released already").isFalse();

        append(ring, 3, 1, 30);
        assertThat(ring.allocations()).isEqualTo(2);
        assertThat(ring.read(3, header, dst, 0)).isEqualTo(30);
        assertThat(header.term).isEqualTo(1);
    }

    @Test
    void aHeaderReadBeforeAReleaseFailsItsCheckAgainstTheNextTables() {
        EntryRing ring = new EntryRing(4, 256);
        append(ring, 1, 1, 10);
        assertThat(ring.readHeader(1, header)).isTrue();
        long seen = header.version;
        assertThat(ring.releaseUpTo(1)).isTrue();
        assertThat(ring.unchanged(1, seen)).as("released").isFalse();
        // The same index written again, into new tables, many times over: no version ever repeats.
        for (int round = 0; round < 20; round++) {
            ring.resetTo(1);
            append(ring, 1, 2, 10);
            assertThat(ring.unchanged(1, seen)).as("round %d", round).isFalse();
            ring.releaseUpTo(1);
        }
    }

    @Test
    void aViewCapturedBeforeAReleaseIsNoLongerValid() {
        EntryRing ring = new EntryRing(4, 256);
        RingEntries view = new RingEntries(ring, 4);
        append(ring, 1, 1, 10);
        append(ring, 2, 1, 10);
        assertThat(view.capture(1, 2, 1000, Long.MAX_VALUE)).isEqualTo(2);
        assertThat(view.stillValid()).isTrue();
        assertThat(ring.releaseUpTo(2)).isTrue();
        assertThat(view.payloadAt(0).length()).as("a released ring's payloads read as nothing").isZero();
        assertThat(view.stillValid()).isFalse();
        ring.resetTo(1);
        append(ring, 1, 1, 10);
        append(ring, 2, 1, 10);
        assertThat(view.stillValid()).as("same indexes and terms, new tables").isFalse();
        assertThat(view.capture(1, 2, 1000, Long.MAX_VALUE)).isEqualTo(2);
        assertThat(view.payloadAt(1).toByteArray()).isEqualTo(EntryRingTest.payload(2, 1, 10));
        assertThat(view.stillValid()).isTrue();
    }
}
