package io.ringraft.internal.runtime.ring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringraft.api.Bytes;
import io.ringraft.api.EntryKind;
import io.ringraft.spi.LogEntries;
import org.junit.jupiter.api.Test;

/** Exact, single-threaded behaviour of {@link RingEntries}, the in-place view of ring slots. */
class RingEntriesTest {

    private final EntryRing ring = new EntryRing(8, 256);
    private final RingEntries view = new RingEntries(ring, 4);

    private void append(long index, long term, int length, byte origin, long correlation) {
        assertThat(ring.makeRoom(index, length, index - 1)).isTrue();
        byte[] bytes = EntryRingTest.payload(index, term, length);
        ring.write(index, term, EntryKind.COMMAND, origin, correlation, bytes, 0, length);
    }

    private void append(long index, long term, int length) {
        append(index, term, length, (byte) 0, 0);
    }

    private static byte[] bytesOf(Bytes payload) {
        return payload.toByteArray();
    }

    @Test
    void capturesHeadersAndReadsPayloadsInPlace() {
        append(1, 1, 10, (byte) 3, 77);
        append(2, 1, 0);
        append(3, 2, 20);
        assertThat(view.capture(1, 3, 1000, Long.MAX_VALUE)).isEqualTo(3);
        assertThat(view.firstIndex()).isEqualTo(1);
        assertThat(view.count()).isEqualTo(3);
        assertThat(view.termAt(2)).isEqualTo(2);
        assertThat(view.kindAt(0)).isEqualTo(EntryKind.COMMAND);
        assertThat(view.originAt(0)).isEqualTo((byte) 3);
        assertThat(view.correlationAt(0)).isEqualTo(77);
        assertThat(bytesOf(view.payloadAt(0))).isEqualTo(EntryRingTest.payload(1, 1, 10));
        assertThat(view.payloadAt(1).length()).isZero();
        assertThat(bytesOf(view.payloadAt(2))).isEqualTo(EntryRingTest.payload(3, 2, 20));
        assertThat(view.payloadAt(0)).as("one flyweight, re-pointed").isSameAs(view.payloadAt(2));
        assertThat(view.stillValid()).isTrue();
    }

    @Test
    void captureStopsAtTheBoundsAndWhatTheRingDoesNotHold() {
        for (long i = 1; i <= 6; i++) {
            append(i, i < 4 ? 1 : 2, 30);
        }
        assertThat(view.capture(2, 6, 1000, Long.MAX_VALUE)).as("at most maxEntries").isEqualTo(4);
        assertThat(view.capture(2, 3, 1000, Long.MAX_VALUE)).as("up to lastIndex").isEqualTo(2);
        assertThat(view.capture(2, 6, 1000, 1)).as("terms up to maxTerm").isEqualTo(2);
        assertThat(view.capture(2, 6, 70, Long.MAX_VALUE)).as("within maxBytes").isEqualTo(2);
        assertThat(view.capture(2, 6, 5, Long.MAX_VALUE)).as("the first entry always").isEqualTo(1);
        assertThat(view.capture(7, 9, 1000, Long.MAX_VALUE)).as("not written yet").isZero();
        ring.reclaimUpTo(3);
        assertThat(view.capture(3, 6, 1000, Long.MAX_VALUE)).as("reclaimed").isZero();
        assertThat(view.firstIndex()).isEqualTo(3);
        ring.truncateFrom(6);
        assertThat(view.capture(4, 6, 1000, Long.MAX_VALUE)).as("truncated").isEqualTo(2);
    }

    @Test
    void stillValidTurnsFalseOnceACapturedSlotIsWritten() {
        append(1, 1, 10);
        append(2, 1, 10);
        append(3, 1, 10);
        view.capture(2, 3, 1000, Long.MAX_VALUE);
        ring.truncateFrom(3);
        assertThat(view.stillValid()).as("truncated").isFalse();

        view.capture(1, 2, 1000, Long.MAX_VALUE);
        assertThat(view.stillValid()).isTrue();
        append(3, 2, 10); // a slot outside the view
        assertThat(view.stillValid()).isTrue();
        ring.reclaimUpTo(1);
        assertThat(view.stillValid()).as("reclaimed").isFalse();

        view.capture(2, 3, 1000, Long.MAX_VALUE);
        ring.clearOrigin(3);
        assertThat(view.stillValid()).as("origin cleared").isFalse();
    }

    @Test
    void aReusedSlotIsCaughtEvenWhenItsNewEntryLooksAlike() {
        EntryRing small = new EntryRing(2, 64);
        RingEntries smallView = new RingEntries(small, 2);
        for (long i = 1; i <= 2; i++) {
            assertThat(small.makeRoom(i, 16, 0)).isTrue();
            small.write(i, 1, EntryKind.COMMAND, (byte) 0, 0, new byte[16], 0, 16);
        }
        smallView.capture(1, 2, 1000, Long.MAX_VALUE);
        assertThat(small.makeRoom(3, 16, 1)).isTrue(); // reclaims entry 1: its slot goes to entry 3
        small.write(3, 1, EntryKind.COMMAND, (byte) 0, 0, new byte[16], 0, 16);
        assertThat(smallView.stillValid()).isFalse();
    }

    @Test
    void slicesAreSubRangesOfTheView() {
        for (long i = 1; i <= 4; i++) {
            append(i, i, 8);
        }
        view.capture(1, 4, 1000, Long.MAX_VALUE);
        LogEntries slice = view.slice(1, 2);
        assertThat(slice.firstIndex()).isEqualTo(2);
        assertThat(slice.count()).isEqualTo(2);
        assertThat(slice.termAt(1)).isEqualTo(3);
        assertThat(bytesOf(slice.payloadAt(0))).isEqualTo(EntryRingTest.payload(2, 2, 8));
        assertThat(slice.stillValid()).isTrue();
        assertThatThrownBy(() -> slice.termAt(2)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> view.slice(3, 2)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> view.termAt(4)).isInstanceOf(IndexOutOfBoundsException.class);
        ring.truncateFrom(4);
        assertThat(slice.stillValid()).as("the slice checks the whole view").isFalse();
    }

    @Test
    void aViewHoldsNoTablesBeforeItsFirstCaptureAndHandsThemBackOnlyOnceTheRingReleasedItsOwn() {
        assertThat(view.isAllocated()).as("built with no tables").isFalse();
        assertThat(view.capture(1, 3, 1000, Long.MAX_VALUE)).as("an empty ring: nothing to hold").isZero();
        assertThat(view.isAllocated()).isFalse();
        append(1, 1, 10, (byte) 3, 77);
        append(2, 1, 20);
        assertThat(view.capture(1, 2, 1000, Long.MAX_VALUE)).isEqualTo(2);
        assertThat(view.isAllocated()).isTrue();
        assertThat(view.releaseIfRingReleased()).as("the ring still holds its tables").isFalse();
        assertThat(view.count()).isEqualTo(2);
        ring.reclaimUpTo(2);
        assertThat(ring.release()).isTrue();
        assertThat(view.releaseIfRingReleased()).isTrue();
        assertThat(view.isAllocated()).isFalse();
        assertThat(view.count()).as("empty once released").isZero();
        assertThatThrownBy(() -> view.termAt(0)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThat(view.releaseIfRingReleased()).as("once").isFalse();
        append(3, 2, 30);
        assertThat(view.capture(3, 3, 1000, Long.MAX_VALUE)).as("the next capture allocates again").isEqualTo(1);
        assertThat(view.isAllocated()).isTrue();
        assertThat(view.termAt(0)).isEqualTo(2);
        assertThat(bytesOf(view.payloadAt(0))).isEqualTo(EntryRingTest.payload(3, 2, 30));
        assertThat(view.stillValid()).isTrue();
    }
}
