package io.ringraft.internal.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringraft.api.EntryKind;
import io.ringraft.internal.runtime.requests.ProposalOutcomes;
import io.ringraft.internal.runtime.ring.EntryRing;
import io.ringraft.internal.runtime.tasks.RingRoom;
import io.ringraft.message.HeapLogEntries;
import org.junit.jupiter.api.Test;

/**
 * A follower's ring full of uncommitted entries takes a new leader's entries by overwriting the ones
 * its storage holds durably (messaging simulation seed 114: a follower's 64-entry ring held 64
 * uncommitted term-2 entries, a joint configuration needed it, and it could take no term-3 entry, so
 * nothing ever committed again), and overwrites nothing the applier or the log writer may still read
 * from the ring; nor does a new leader's no-op, which may overwrite any entry storage holds, even
 * just after a truncation that the log writer has not carried out yet.
 */
class RingRoomEvictionTest {

    private static final int SLOTS = 4;

    private final EntryRing ring = new EntryRing(SLOTS, 1024);
    private final ProgressPointer applied = ProgressPointer.monotonic("applied", 0);
    private final ProgressPointer submitted = ProgressPointer.movable("submitted", 0);
    private final ProgressPointer committed = ProgressPointer.monotonic("committed", 0);
    private final ProgressPointer flushed = ProgressPointer.monotonic("flushed", 0);
    private final ProgressPointer applyLimit = ProgressPointer.monotonic("applyLimit", 0);
    private long durable;
    private final RingRoom room = new RingRoom(ring, applied, submitted, flushed, 1 << 20);

    RingRoomEvictionTest() {
        room.bind(committed, applyLimit, () -> durable);
        // Entries 1..4 of term 2 fill the ring; none is committed (the follower knows commit index 0).
        for (long index = 1; index <= SLOTS; index++) {
            assertThat(ring.makeRoom(index, 8, 0)).isTrue();
            ring.write(index, 2, EntryKind.COMMAND, ProposalOutcomes.NONE, 0, new byte[8], 0, 8);
        }
    }

    /** Entries {@code first ..} of term 3 from the new leader, 8 bytes each. */
    private static HeapLogEntries leaderEntries(long first, int count) {
        HeapLogEntries.Builder builder = HeapLogEntries.builder(first);
        for (int i = 0; i < count; i++) {
            builder.add(3, EntryKind.COMMAND, new byte[8]);
        }
        return builder.build();
    }

    @Test
    void aRingFullOfStoredUncommittedEntriesTakesTheNextLeadersEntries() {
        submitted.publish(4);
        durable = 4;

        assertThat(room.acceptable(leaderEntries(5, 3), 0))
                .as("entries 1..4 are durable in storage and nothing committed waits to be applied")
                .isEqualTo(3);
    }

    @Test
    void onlyEntriesDurableInTheCurrentLogAreOverwritten() {
        submitted.publish(4); // the log writer may still count a suffix the core truncated since
        durable = 2; // the engine's: entries 3 and 4 are not (or no longer) durable

        assertThat(room.acceptable(leaderEntries(5, 3), 0)).as("the slots of entries 1 and 2 only").isEqualTo(2);
    }

    @Test
    void entriesTheLogWriterHasNotStoredStayInTheRing() {
        submitted.publish(1); // a snapshot may make more count as durable than the writer copied out
        durable = 4;

        assertThat(room.acceptable(leaderEntries(5, 3), 0)).as("the slot of entry 1 only").isEqualTo(1);
    }

    @Test
    void nothingPastAppliedIsOverwrittenWhileCommittedEntriesWaitForTheApplier() {
        submitted.publish(4);
        durable = 4;
        committed.publish(2); // the applier may be reading entries 1 and 2 in place

        assertThat(room.acceptable(leaderEntries(5, 3), 0)).isZero();

        applied.publish(1);
        assertThat(room.acceptable(leaderEntries(5, 3), 0)).as("entry 1 is applied: reclaimable").isEqualTo(1);

        applied.publish(2);
        assertThat(room.acceptable(leaderEntries(5, 3), 0))
                .as("everything committed is applied: the stored, uncommitted 3 and 4 may go too").isEqualTo(3);
    }

    @Test
    void anUnboundRoomReclaimsOnlyAppliedEntries() {
        RingRoom unbound = new RingRoom(ring, applied, submitted, flushed, 1 << 20);
        submitted.publish(4);

        assertThat(unbound.acceptable(leaderEntries(5, 1), 0)).isZero();
    }

    @Test
    void aNoopReclaimsStoredEntriesButNoneWrittenAfterATruncationTheLogWriterHasNotCarriedOut() {
        submitted.publish(4);
        flushed.publish(3);
        assertThat(room.noopReclaimable(4)).as("every entry is in storage").isEqualTo(4);

        // A follower's conflict: entries 1..4 replaced by term 3 ones (storage change 5); the log writer has
        // not seen the cut, so submitted still says 4, but the ring's 1..4 are in no storage yet.
        ring.truncateFrom(1);
        room.discarded(1, 5);
        for (long index = 1; index <= SLOTS; index++) {
            assertThat(ring.makeRoom(index, 8, 0)).isTrue();
            ring.write(index, 3, EntryKind.COMMAND, ProposalOutcomes.NONE, 0, new byte[8], 0, 8);
        }
        assertThat(room.noopReclaimable(4)).as("nothing before the writer cut storage").isZero();
        assertThat(ring.makeRoom(5, 0, room.noopReclaimable(4))).as("no slot for a no-op at 5").isFalse();

        // The writer cut storage (submitted 0), wrote 1 and 2 of the new entries, and flushed past the cut.
        submitted.publish(0);
        submitted.publish(2);
        flushed.publish(6);
        assertThat(room.noopReclaimable(4)).as("the new entries it stored").isEqualTo(2);
        assertThat(ring.makeRoom(5, 0, room.noopReclaimable(4))).isTrue();
        assertThat(ring.firstIndex()).as("entry 1 made room, 2..4 stay").isEqualTo(2);
    }

    @Test
    void aNoopReclaimsNothingPastAppliedWhileTheApplierMayReadEntriesInPlace() {
        submitted.publish(4);
        flushed.publish(3);
        committed.publish(2);
        applyLimit.publish(2); // the applier may be reading entries 1 and 2 in place

        assertThat(room.noopReclaimable(4)).isZero();

        applied.publish(1);
        assertThat(room.noopReclaimable(4)).as("entry 1 is applied").isEqualTo(1);

        applied.publish(2);
        assertThat(room.noopReclaimable(4)).as("the applier reads nothing in place: any stored entry").isEqualTo(4);
    }
}
