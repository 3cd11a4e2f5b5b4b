package io.ringraft.internal.runtime.ring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringraft.api.Bytes;
import io.ringraft.api.EntryKind;
import io.ringraft.message.HeapLogEntries;
import io.ringraft.spi.LogEntries;
import org.junit.jupiter.api.Test;

class EntryBatchTest {

    private static byte[] payload(long index, int length) {
        return EntryRingTest.payload(index, 7, length);
    }

    private static byte[] bytesOf(Bytes buffer) {
        return buffer.toByteArray();
    }

    /** A ring holding {@code from..from+lengths.length-1}, entry i with term i/2+1, origin i, correlation 100+i. */
    private static EntryRing ring(long from, int... lengths) {
        EntryRing ring = new EntryRing(16, 1024);
        for (int i = 0; i < lengths.length; i++) {
            long index = from + i;
            byte[] bytes = payload(index, lengths[i]);
            assertThat(ring.makeRoom(index, bytes.length, 0)).isTrue();
            ring.write(index, index / 2 + 1, index % 3 == 0 ? EntryKind.NOOP : EntryKind.COMMAND, (byte) index,
                    100 + index, bytes, 0, bytes.length);
        }
        return ring;
    }

    private static void assertEntry(LogEntries entries, int offset, long index, int length) {
        assertThat(entries.firstIndex() + offset).isEqualTo(index);
        assertThat(entries.termAt(offset)).isEqualTo(index / 2 + 1);
        assertThat(entries.kindAt(offset)).isEqualTo(index % 3 == 0 ? EntryKind.NOOP : EntryKind.COMMAND);
        Bytes payload = entries.payloadAt(offset);
        assertThat(payload.length()).isEqualTo(length);
        assertThat(bytesOf(payload)).isEqualTo(payload(index, length));
    }

    @Test
    void addsConsecutiveEntriesFromTheRing() {
        EntryRing ring = ring(5, 3, 0, 10, 4);
        EntryBatch batch = new EntryBatch(8, 100);
        batch.clear(5);
        assertThat(batch.count()).isZero();
        assertThat(batch.firstIndex()).isEqualTo(5);
        assertThat(batch.lastIndex()).isEqualTo(4);
        for (int i = 0; i < 4; i++) {
            assertThat(batch.addFromRing(ring)).isTrue();
        }
        assertThat(batch.addFromRing(ring)).as("entry 9 is not in the ring").isFalse();
        assertThat(batch.count()).isEqualTo(4);
        assertThat(batch.lastIndex()).isEqualTo(8);
        int[] lengths = {3, 0, 10, 4};
        for (int i = 0; i < 4; i++) {
            long index = 5 + i;
            assertEntry(batch, i, index, lengths[i]);
            assertThat(batch.originAt(i)).isEqualTo((byte) index);
            assertThat(batch.correlationAt(i)).isEqualTo(100 + index);
        }
        assertThat(HeapLogEntries.copyOf(batch)).isEqualTo(HeapLogEntries.builder(5)
                .add(3, EntryKind.COMMAND, payload(5, 3))
                .add(4, EntryKind.NOOP, payload(6, 0))
                .add(4, EntryKind.COMMAND, payload(7, 10))
                .add(5, EntryKind.COMMAND, payload(8, 4))
                .build());
    }

    @Test
    void addFromRingStopsAtEntriesTheRingNoLongerHolds() {
        EntryRing ring = ring(1, 4, 4, 4, 4);
        ring.reclaimUpTo(2);
        EntryBatch batch = new EntryBatch(8, 100);
        batch.clear(1);
        assertThat(batch.addFromRing(ring)).isFalse();
        assertThat(batch.count()).isZero();
        batch.clear(3);
        assertThat(batch.addFromRing(ring)).isTrue();
        ring.truncateFrom(4);
        assertThat(batch.addFromRing(ring)).isFalse();
        assertThat(batch.count()).isEqualTo(1);
        assertEntry(batch, 0, 3, 4);
    }

    @Test
    void isFullAfterMaxEntries() {
        EntryRing ring = ring(1, 1, 1, 1, 1);
        EntryBatch batch = new EntryBatch(3, 100);
        assertThat(batch.maxEntries()).isEqualTo(3);
        batch.clear(1);
        assertThat(batch.isFull()).isFalse();
        assertThat(batch.addFromRing(ring)).isTrue();
        assertThat(batch.addFromRing(ring)).isTrue();
        assertThat(batch.isFull()).isFalse();
        assertThat(batch.addFromRing(ring)).isTrue();
        assertThat(batch.isFull()).isTrue();
        assertThat(batch.addFromRing(ring)).isFalse();
        HeapLogEntries four = HeapLogEntries.builder(4).add(1, EntryKind.COMMAND, new byte[0]).build();
        assertThat(batch.add(four, 0)).isFalse();
        assertThat(batch.count()).isEqualTo(3);
        batch.clear(4);
        assertThat(batch.isFull()).isFalse();
        assertThat(batch.addFromRing(ring)).isTrue();
        assertEntry(batch, 0, 4, 1);
    }

    @Test
    void addFromRingRespectsTheByteLimit() {
        EntryRing ring = ring(1, 6, 4, 1, 0);
        EntryBatch batch = new EntryBatch(8, 10);
        batch.clear(1);
        assertThat(batch.addFromRing(ring)).isTrue();
        assertThat(batch.addFromRing(ring)).as("6 + 4 = 10 bytes exactly").isTrue();
        assertThat(batch.addFromRing(ring)).as("an 11th byte").isFalse();
        assertThat(batch.count()).isEqualTo(2);
        assertEntry(batch, 0, 1, 6);
        assertEntry(batch, 1, 2, 4);
        // a full batch of bytes still takes no entry beyond: entries are consecutive
        batch.clear(3);
        assertThat(batch.addFromRing(ring)).isTrue();
        assertThat(batch.addFromRing(ring)).isTrue();
        assertEntry(batch, 0, 3, 1);
        assertEntry(batch, 1, 4, 0);
    }

    @Test
    void zeroLengthEntriesFitInAByteFullBatch() {
        EntryRing ring = ring(1, 10, 0, 0);
        EntryBatch batch = new EntryBatch(8, 10);
        batch.clear(1);
        assertThat(batch.addFromRing(ring)).isTrue();
        assertThat(batch.addFromRing(ring)).isTrue();
        assertThat(batch.addFromRing(ring)).isTrue();
        assertThat(batch.count()).isEqualTo(3);
        assertEntry(batch, 2, 3, 0);
    }

    private static HeapLogEntries heap() {
        return HeapLogEntries.builder(10)
                .add(2, EntryKind.COMMAND, payload(10, 5))
                .add(2, EntryKind.NOOP, new byte[0])
                .add(3, EntryKind.COMMAND, payload(12, 7))
                .add(3, EntryKind.COMMAND, payload(13, 1))
                .build();
    }

    @Test
    void addsFromHeapEntries() {
        HeapLogEntries source = heap();
        EntryBatch batch = new EntryBatch(8, 100);
        batch.clear(11);
        assertThat(batch.add(source, 1)).isTrue();
        assertThat(batch.add(source, 2)).isTrue();
        assertThat(batch.add(source, 3)).isTrue();
        assertThat(batch.firstIndex()).isEqualTo(11);
        assertThat(batch.count()).isEqualTo(3);
        assertThat(HeapLogEntries.copyOf(batch)).isEqualTo(HeapLogEntries.copyOf(source, 1, 3));
        for (int i = 0; i < 3; i++) {
            assertThat(batch.originAt(i)).as("no local proposer for stored entries").isZero();
            assertThat(batch.correlationAt(i)).isZero();
        }
    }

    @Test
    void addFromHeapRespectsTheByteLimit() {
        HeapLogEntries source = heap();
        EntryBatch batch = new EntryBatch(8, 12);
        batch.clear(10);
        assertThat(batch.add(source, 0)).isTrue();
        assertThat(batch.add(source, 1)).isTrue();
        assertThat(batch.add(source, 2)).as("5 + 0 + 7 = 12 bytes exactly").isTrue();
        assertThat(batch.add(source, 3)).isFalse();
        assertThat(batch.count()).isEqualTo(3);
        assertThat(HeapLogEntries.copyOf(batch)).isEqualTo(HeapLogEntries.copyOf(source, 0, 3));
    }

    @Test
    void addFromHeapRejectsAnEntryThatIsNotTheNext() {
        HeapLogEntries source = heap();
        EntryBatch batch = new EntryBatch(8, 100);
        batch.clear(11);
        assertThatThrownBy(() -> batch.add(source, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> batch.add(source, 2)).isInstanceOf(IllegalArgumentException.class);
        assertThat(batch.count()).isZero();
        assertThat(batch.add(source, 1)).isTrue();
        assertThatThrownBy(() -> batch.add(source, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThat(batch.count()).isEqualTo(1);
    }

    @Test
    void continuesFromStorageWhereTheRingStopsLikeTheReplicator() {
        EntryRing ring = ring(8, 2, 3); // 8..9
        HeapLogEntries stored = heap(); // 10..13
        EntryBatch batch = new EntryBatch(8, 100);
        batch.clear(8);
        while (batch.addFromRing(ring)) {
            // copied from the ring
        }
        assertThat(batch.count()).isEqualTo(2);
        for (int i = 0; i < stored.count() && batch.add(stored, i); i++) {
            // copied from storage
        }
        assertThat(batch.count()).isEqualTo(6);
        assertEntry(batch, 0, 8, 2);
        assertEntry(batch, 1, 9, 3);
        assertThat(batch.originAt(1)).isEqualTo((byte) 9);
        for (int i = 0; i < 4; i++) {
            assertThat(batch.termAt(2 + i)).isEqualTo(stored.termAt(i));
            assertThat(batch.kindAt(2 + i)).isEqualTo(stored.kindAt(i));
            assertThat(bytesOf(batch.payloadAt(2 + i))).isEqualTo(stored.payloadBytes(i));
            assertThat(batch.originAt(2 + i)).isZero();
        }
    }

    @Test
    void sliceIsAViewOfASubRange() {
        EntryRing ring = ring(20, 1, 2, 3, 4, 5);
        EntryBatch batch = new EntryBatch(8, 100);
        batch.clear(20);
        while (batch.addFromRing(ring)) {
            // copied
        }
        LogEntries slice = batch.slice(1, 3);
        assertThat(slice.firstIndex()).isEqualTo(21);
        assertThat(slice.count()).isEqualTo(3);
        assertThat(slice.lastIndex()).isEqualTo(23);
        for (int i = 0; i < 3; i++) {
            assertEntry(slice, i, 21 + i, 2 + i);
            assertThat(slice.logIdAt(i)).isEqualTo(batch.logIdAt(1 + i));
        }
        assertThat(HeapLogEntries.copyOf(slice)).isEqualTo(HeapLogEntries.copyOf(batch, 1, 3));

        LogEntries whole = batch.slice(0, 5);
        assertThat(HeapLogEntries.copyOf(whole)).isEqualTo(HeapLogEntries.copyOf(batch));
        LogEntries empty = batch.slice(5, 0);
        assertThat(empty.count()).isZero();
        assertThat(empty.firstIndex()).isEqualTo(25);
        assertThat(empty.lastIndex()).isEqualTo(24);
        LogEntries withoutLast = batch.slice(0, 4); // as the log writer cuts an entry of a newer term
        assertThat(withoutLast.lastIndex()).isEqualTo(23);
        assertEntry(withoutLast, 3, 23, 4);
    }

    @Test
    void payloadAtIsAFlyweightRepointedByEachCall() {
        EntryRing ring = ring(1, 3, 5);
        EntryBatch batch = new EntryBatch(4, 100);
        batch.clear(1);
        batch.addFromRing(ring);
        batch.addFromRing(ring);
        Bytes first = batch.payloadAt(0);
        assertThat(bytesOf(first)).isEqualTo(payload(1, 3));
        Bytes second = batch.payloadAt(1);
        assertThat(second).isSameAs(first);
        assertThat(first.length()).isEqualTo(5);
        assertThat(bytesOf(first)).isEqualTo(payload(2, 5));
        assertThat(batch.slice(0, 2).payloadAt(0)).isSameAs(first);
        assertThat(bytesOf(first)).isEqualTo(payload(1, 3));
    }

    @Test
    void clearStartsOverAtAnyIndex() {
        EntryRing ring = ring(1, 30, 30, 30);
        EntryBatch batch = new EntryBatch(2, 60);
        batch.clear(1);
        batch.addFromRing(ring);
        batch.addFromRing(ring);
        assertThat(batch.isFull()).isTrue();
        batch.clear(3);
        assertThat(batch.count()).isZero();
        assertThat(batch.firstIndex()).isEqualTo(3);
        assertThat(batch.addFromRing(ring)).as("the bytes are free again").isTrue();
        assertEntry(batch, 0, 3, 30);
        batch.clear(2);
        assertThat(batch.addFromRing(ring)).isTrue();
        assertThat(batch.addFromRing(ring)).isTrue();
        assertEntry(batch, 0, 2, 30);
        assertEntry(batch, 1, 3, 30);
    }

    @Test
    void aBatchAllocatesItsTablesWithItsFirstEntryAndAgainAfterARelease() {
        EntryRing ring = ring(1, 10, 20);
        EntryBatch batch = new EntryBatch(4, 100);
        assertThat(batch.isAllocated()).as("built with no tables").isFalse();
        assertThat(batch.release()).isFalse();
        batch.clear(1);
        assertThat(batch.isAllocated()).as("clearing allocates nothing").isFalse();
        assertThat(batch.addFromRing(ring)).isTrue();
        assertThat(batch.isAllocated()).isTrue();
        assertThat(batch.release()).isTrue();
        assertThat(batch.isAllocated()).isFalse();
        assertThat(batch.count()).as("empty once released").isZero();
        batch.clear(2);
        assertThat(batch.addFromRing(ring)).isTrue();
        assertThat(batch.count()).isEqualTo(1);
        assertThat(batch.termAt(0)).isEqualTo(2);
        assertThat(bytesOf(batch.payloadAt(0))).isEqualTo(payload(2, 20));
    }
}
