package io.ringraft.internal.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringraft.api.EntryKind;
import io.ringraft.api.LogId;
import io.ringraft.api.Vote;
import io.ringraft.internal.engine.membership.ClusterConfig;
import io.ringraft.local.InMemoryLogStorage;
import io.ringraft.message.HeapLogEntries;
import io.ringraft.spi.LogState;
import io.ringraft.spi.SnapshotInfo;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/** Reconciling the recovered log with the newest snapshot at restart (catalogue D40, E45, E48). */
class RecoveryTest {

    private static final byte[] MEMBERSHIP = ClusterConfig.of(new long[] {1, 2, 3}, new long[0]).encode();

    /** A storage holding entries 1..terms.length with those terms, vote for {@code voteTerm}. */
    private static InMemoryLogStorage storage(long voteTerm, long... terms) throws IOException {
        InMemoryLogStorage storage = new InMemoryLogStorage();
        storage.open();
        storage.saveVote(new Vote(voteTerm, Vote.NONE));
        HeapLogEntries.Builder entries = HeapLogEntries.builder(1);
        for (long term : terms) {
            entries.add(term, EntryKind.COMMAND, new byte[] {1});
        }
        if (terms.length > 0) {
            storage.append(entries.build());
        }
        storage.flush();
        return storage;
    }

    /** What the storage holds: a log from the start, with its vote. */
    private static LogState state(long voteTerm, InMemoryLogStorage storage) throws IOException {
        return new LogState(new Vote(voteTerm, Vote.NONE), LogId.ZERO, lastOf(storage));
    }

    private static LogId lastOf(InMemoryLogStorage storage) throws IOException {
        long index = 0;
        while (storage.termAt(index + 1) >= 0) {
            index++;
        }
        return new LogId(storage.termAt(index), index);
    }

    private static SnapshotInfo snapshot(long term, long index) {
        return new SnapshotInfo(new LogId(term, index), MEMBERSHIP, 10);
    }

    @Test
    void aLogHoldingTheSnapshotsLastEntryIsKept() throws IOException {
        InMemoryLogStorage storage = storage(2, 1, 1, 2, 2, 2);
        LogState after = Recovery.reconcile(storage, state(2, storage), snapshot(2, 3));
        assertThat(after.last()).isEqualTo(new LogId(2, 5));
        assertThat(storage.termAt(4)).isEqualTo(2);
    }

    @Test
    void aLogThatConflictsAtTheSnapshotsLastEntryIsReset() throws IOException {
        InMemoryLogStorage storage = storage(3, 1, 1, 2, 2);
        LogState after = Recovery.reconcile(storage, state(3, storage), snapshot(3, 3));
        assertThat(after.base()).isEqualTo(new LogId(3, 3));
        assertThat(after.last()).isEqualTo(new LogId(3, 3));
        assertThat(storage.termAt(4)).as("entries after a conflicting one are gone").isEqualTo(-1);
    }

    @Test
    void aLogEndingBeforeTheSnapshotIsResetToStartAfterIt() throws IOException {
        InMemoryLogStorage storage = storage(1, 1, 1);
        LogState after = Recovery.reconcile(storage, state(1, storage), snapshot(1, 7));
        assertThat(after.base()).isEqualTo(new LogId(1, 7));
        assertThat(storage.termAt(7)).isEqualTo(1);
    }

    @Test
    void aSnapshotOfANewerTermThanTheDurableVoteRaisesTheVoteBeforeTheReset() throws IOException {
        // A follower committed a leader's snapshot of term 4, then crashed before saving term 4's vote
        // (or its log directory was wiped while the snapshots were kept).
        InMemoryLogStorage storage = storage(0);
        LogState after = Recovery.reconcile(storage, state(0, storage), snapshot(4, 9));
        assertThat(after.vote()).isEqualTo(new Vote(4, Vote.NONE));
        assertThat(after.last()).isEqualTo(new LogId(4, 9));
    }

    @Test
    void aLogStartingAfterTheSnapshotHasLostEntriesAndIsRefused() throws IOException {
        InMemoryLogStorage storage = storage(1, 1, 1, 1, 1, 1);
        storage.purgePrefix(4);
        LogState state = new LogState(new Vote(1, Vote.NONE), new LogId(1, 4), new LogId(1, 5));
        assertThatThrownBy(() -> Recovery.reconcile(storage, state, snapshot(1, 2)))
                .isInstanceOf(IOException.class).hasMessageContaining("entries 3..4 are lost");
    }

    @Test
    void aCompactedLogWithoutASnapshotIsRefused() throws IOException {
        InMemoryLogStorage storage = storage(1, 1, 1, 1);
        storage.purgePrefix(2);
        LogState state = new LogState(new Vote(1, Vote.NONE), new LogId(1, 2), new LogId(1, 3));
        assertThatThrownBy(() -> Recovery.reconcile(storage, state, null))
                .isInstanceOf(IOException.class).hasMessageContaining("no snapshot covers");
    }
}
