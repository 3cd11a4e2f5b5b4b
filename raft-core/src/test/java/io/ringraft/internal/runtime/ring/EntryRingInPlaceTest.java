package io.ringraft.internal.runtime.ring;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringraft.api.EntryKind;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * {@link EntryRing#writeInPlace}: a local proposal's entry points at its payload where the proposer put it
 * (no arena bytes), readers find it there (copying and in place), and {@link EntryRing#oldestPin} names
 * the oldest such payload the ring still holds across reclaiming, truncation, a reset and a release, so
 * the proposal queue never frees bytes a held entry points at.
 */
class EntryRingInPlaceTest {

    private static final long NONE = 1_000_000;

    private static byte[] bytes(int from, int length) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) {
            b[i] = (byte) (from + i);
        }
        return b;
    }

    @Test
    void readersFindTheProposalWhereItLiesAndItTakesNoArenaBytes() {
        EntryRing ring = new EntryRing(8, 64);
        byte[] queue = bytes(0, 256);
        ring.writeInPlace(1, 3, (byte) 2, 77, queue, 100, 40, 84);
        // An arena entry of the whole arena still fits: the proposal took none of it.
        assertThat(ring.makeRoom(2, 64, 0)).isTrue();
        byte[] big = bytes(50, 64);
        ring.write(2, 3, EntryKind.COMMAND, (byte) 0, 0, big, 0, 64);

        EntryHeader header = new EntryHeader();
        byte[] copy = new byte[64];
        assertThat(ring.read(1, header, copy, 0)).isEqualTo(40);
        assertThat(Arrays.copyOf(copy, 40)).isEqualTo(Arrays.copyOfRange(queue, 100, 140));
        assertThat(header.origin).isEqualTo((byte) 2);
        assertThat(header.correlation).isEqualTo(77);
        assertThat(header.term).isEqualTo(3);
        assertThat(ring.lengthAt(1)).as("its length counts for AppendEntries budgets").isEqualTo(40);

        RingEntries view = new RingEntries(ring, 4);
        assertThat(view.capture(1, 2, Integer.MAX_VALUE, 3)).isEqualTo(2);
        assertThat(view.payloadAt(0).toByteArray()).isEqualTo(Arrays.copyOfRange(queue, 100, 140));
        assertThat(view.payloadAt(1).toByteArray()).isEqualTo(big);
        assertThat(view.stillValid()).isTrue();

        ring.reclaimUpTo(1);
        assertThat(view.stillValid()).as("reclaimed under the view").isFalse();
        assertThat(ring.read(1, header, copy, 0)).isEqualTo(EntryRing.ABSENT);
    }

    @Test
    void theOldestPinFollowsReclaimingAndSkipsArenaEntries() {
        EntryRing ring = new EntryRing(8, 64);
        byte[] queue = new byte[256];
        assertThat(ring.oldestPin(NONE)).as("nothing held").isEqualTo(NONE);
        ring.write(1, 1, EntryKind.NOOP, (byte) 0, 0, null, 0, 0);
        assertThat(ring.oldestPin(NONE)).as("an arena entry pins nothing").isEqualTo(NONE);
        ring.writeInPlace(2, 1, (byte) 1, 1, queue, 16, 8, 0);
        ring.write(3, 1, EntryKind.CONFIG, (byte) 0, 0, bytes(0, 10), 0, 10);
        ring.writeInPlace(4, 1, (byte) 1, 2, queue, 48, 8, 32);
        ring.writeInPlace(5, 1, (byte) 1, 3, queue, 80, 8, 64);
        assertThat(ring.oldestPin(NONE)).isEqualTo(0);
        ring.reclaimEarly(2);
        assertThat(ring.oldestPin(NONE)).isEqualTo(32);
        ring.reclaimEarly(4);
        assertThat(ring.oldestPin(NONE)).isEqualTo(64);
        ring.reclaimEarly(5);
        assertThat(ring.oldestPin(NONE)).isEqualTo(NONE);
        ring.reclaimEarly(5); // nothing left: harmless
        assertThat(ring.firstIndex()).isEqualTo(6);
    }

    @Test
    void aTruncationDropsItsPinsAndTheNextEntriesAtThoseIndexesCount() {
        EntryRing ring = new EntryRing(8, 64);
        byte[] queue = new byte[256];
        ring.writeInPlace(1, 1, (byte) 1, 1, queue, 16, 8, 0);
        ring.writeInPlace(2, 1, (byte) 1, 2, queue, 48, 8, 32);
        ring.writeInPlace(3, 1, (byte) 1, 3, queue, 80, 8, 64);
        ring.reclaimUpTo(1);
        assertThat(ring.oldestPin(NONE)).isEqualTo(32);
        ring.truncateFrom(2); // a new leader's entries replace 2 and 3
        assertThat(ring.oldestPin(NONE)).as("nothing pinned held").isEqualTo(NONE);
        ring.write(2, 2, EntryKind.NOOP, (byte) 0, 0, null, 0, 0);
        assertThat(ring.oldestPin(NONE)).isEqualTo(NONE);
        ring.writeInPlace(3, 2, (byte) 1, 4, queue, 112, 8, 96);
        assertThat(ring.oldestPin(NONE)).as("the cursor went back with the truncation").isEqualTo(96);
        EntryHeader header = new EntryHeader();
        assertThat(ring.read(3, header, new byte[8], 0)).isEqualTo(8);
        assertThat(header.correlation).isEqualTo(4);
    }

    @Test
    void aResetOrAReleaseLeavesNothingPinned() {
        EntryRing ring = new EntryRing(8, 64);
        byte[] queue = new byte[256];
        ring.writeInPlace(10, 1, (byte) 1, 1, queue, 16, 8, 0);
        ring.resetTo(20);
        assertThat(ring.oldestPin(NONE)).isEqualTo(NONE);
        ring.writeInPlace(15, 1, (byte) 1, 2, queue, 48, 8, 32); // an empty ring takes any index
        assertThat(ring.oldestPin(NONE)).isEqualTo(32);
        assertThat(ring.releaseUpTo(15)).isTrue();
        assertThat(ring.oldestPin(NONE)).isEqualTo(NONE);
        ring.writeInPlace(16, 1, (byte) 1, 3, queue, 80, 8, 64);
        assertThat(ring.oldestPin(NONE)).isEqualTo(64);
    }

    @Test
    void aProposalSlotCountsAgainstTheEntriesButNotTheBytes() {
        EntryRing ring = new EntryRing(4, 16);
        byte[] queue = new byte[256];
        for (long i = 1; i <= 4; i++) {
            assertThat(ring.makeRoom(i, 0, 0)).isTrue();
            ring.writeInPlace(i, 1, (byte) 1, i, queue, (int) i * 32, 20, i * 32);
        }
        assertThat(ring.makeRoom(5, 0, 0)).as("every slot held, none reclaimable").isFalse();
        assertThat(ring.makeRoom(5, 0, 1)).isTrue();
        assertThat(ring.oldestPin(NONE)).isEqualTo(64);
    }
}
