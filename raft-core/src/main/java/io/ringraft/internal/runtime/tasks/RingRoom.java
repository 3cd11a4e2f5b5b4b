package io.ringraft.internal.runtime.tasks;

import io.ringraft.internal.engine.LogRoom;
import io.ringraft.internal.runtime.ProgressView;
import io.ringraft.internal.runtime.ring.EntryRing;
import io.ringraft.spi.LogEntries;

/**
 * The engine's {@link LogRoom}, answered from the entry ring: how many entries go into one
 * AppendEntries (byte budget) and how many of a leader's entries the ring can take. Also where the
 * ring's reclaim line is: entries up to {@link #reclaimable()} may be overwritten.
 *
 * <p>Built before the engine (which asks it) and the core task (which owns the engine); called on the
 * core's thread only, inside engine calls and by the core itself. Never blocks, allocates nothing.
 */
public final class RingRoom implements LogRoom {

    private final EntryRing ring;
    private final ProgressView applied;
    private final ProgressView submitted;
    private final int maxBytesPerAppend;

    public RingRoom(EntryRing ring, ProgressView applied, ProgressView submitted, int maxBytesPerAppend) {
        this.ring = ring;
        this.applied = applied;
        this.submitted = submitted;
        this.maxBytesPerAppend = maxBytesPerAppend;
    }

    /**
     * Ring entries up to here may be overwritten: applied, and handed to storage (a state machine
     * restored from a snapshot may be ahead of the log writer, which still needs the ring's entries).
     */
    long reclaimable() {
        return Math.min(applied.get(), submitted.get());
    }

    /** {@link LogRoom}: how many of a leader's entries the ring can take (the engine appends that many). */
    @Override
    public int acceptable(LogEntries entries, int fromOffset) {
        return ring.countFitting(entries, fromOffset, reclaimable());
    }

    /**
     * {@link LogRoom}: how many entries from {@code fromIndex} go into one AppendEntries, within
     * {@code maxBytesPerAppend}. Entries the ring no longer holds end the count (the replicator reads
     * them from storage within its own byte budget); entries appended in the current engine call are
     * not in the ring yet (their effects follow) and count as empty: only no-ops and configuration
     * entries are appended that way.
     */
    @Override
    public int sendable(long fromIndex, int count) {
        long bytes = 0;
        int n = 0;
        while (n < count) {
            long index = fromIndex + n;
            int length = ring.lengthAt(index);
            if (length == EntryRing.ABSENT) {
                if (index > ring.lastIndex()) {
                    // Appended in this very engine call (a no-op or a configuration entry, both small):
                    // its effect writes it into the ring before the replicator reads this message.
                    n++;
                    continue;
                }
                break; // not in the ring: the replicator reads storage, within its own byte budget
            }
            if (n > 0 && bytes + length > maxBytesPerAppend) {
                break;
            }
            bytes += length;
            n++;
        }
        return n == 0 ? count : n;
    }
}
