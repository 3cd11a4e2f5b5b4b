package io.ringraft.storage.wal;

import io.ringraft.api.LogId;
import io.ringraft.api.Vote;

/**
 * Applies one record to its group's state: the single meaning of every record kind, used by the
 * writer when it publishes what it wrote and by recovery when it replays the stream, so that both
 * arrive at the same state. Throws {@link IllegalStateException} for a record that contradicts the
 * state. Stateless.
 */
final class Replay {

    private Replay() {
    }

    /** Applies the record of {@code kind} (not a seal) written at {@code location} to {@code group}. */
    static void apply(GroupState group, byte kind, long index, long term, long location) {
        if (WalRecord.isMoved(kind)) {
            group.moveEntry(index, term, location);
        } else if (WalRecord.isEntry(kind)) {
            group.appendEntry(index, term, location);
        } else {
            switch (kind) {
                case WalRecord.KIND_TRUNCATE -> group.truncateFrom(index);
                case WalRecord.KIND_PURGE -> group.purgeThrough(index, term);
                case WalRecord.KIND_RESET -> group.resetTo(new LogId(term, index));
                case WalRecord.KIND_VOTE -> group.saveVote(new Vote(term, index));
                case WalRecord.KIND_DELETE -> group.delete();
                default -> throw new IllegalStateException("record kind 0x" + Integer.toHexString(kind & 0xff)
                        + " does not change a group");
            }
        }
    }
}
